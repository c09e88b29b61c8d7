/**
 * Typed progress events of a running system. The orchestrator emits them; the
 * demo's live view, metrics, the dashboard, tracing and the journal listen.
 */
import type { AgentTaskResult } from './agent.js';
import { toErrorData } from './errors/errors.js';
import type { ErrorData } from './errors/errors.js';
import type { ModelCallDelta, ModelCallPurpose } from './gateway.js';
import type { ModelRequest, ModelResponse, TokenUsage } from './model.js';
import type { TaskResult, WorkflowResult } from './task.js';
import type { ApprovalDecision, ApprovalRequest } from './approval.js';

export interface TroupeEventMap {
  'agent.spawned': { agentId: string; template: string; role: string };
  'agent.stopped': { agentId: string };
  'agent.crashed': { agentId: string; error: ErrorData };
  'model.call.finished': {
    callId: string;
    agentId: string;
    purpose: ModelCallPurpose;
    provider: string;
    model: string;
    taskId?: string;
    workflowId?: string;
    usage: TokenUsage;
    costCents: number;
    durationMs: number;
    simulated: boolean;
    replayed: boolean;
    /** The model asked for (`model` is the one that answered), and the request's sampling settings. */
    requestModel?: string;
    temperature?: number;
    maxTokens?: number;
    stopReason?: string;
    /** Distributed mode: the worker that made the call (events forwarded to the coordinator). */
    workerId?: string;
  };
  /**
   * A model call's full request and response, for debug conversation files.
   * Emitted only while someone listens to this type (it carries prompt text:
   * never forward it to logs or traces). The request has no AbortSignal.
   */
  'model.call.detail': {
    callId: string;
    agentId: string;
    purpose: ModelCallPurpose;
    provider: string;
    taskId?: string;
    workflowId?: string;
    request: Omit<ModelRequest, 'signal'>;
    response: ModelResponse;
    costCents: number;
    durationMs: number;
  };
  /**
   * A piece of a streaming model call's output (text, thinking, structured
   * JSON or tool arguments), in order per call. Shown, never journaled: the
   * journal keeps the final response. Calls stream only while someone listens
   * to this type (or the call asks); see docs/streaming.md.
   */
  'model.delta': ModelCallDelta;
  'model.call.failed': {
    callId: string;
    agentId: string;
    purpose: ModelCallPurpose;
    provider: string;
    model: string;
    taskId?: string;
    workflowId?: string;
    error: ErrorData;
    durationMs: number;
    requestModel?: string;
    temperature?: number;
    maxTokens?: number;
    /** Distributed mode: the worker that made the call (events forwarded to the coordinator). */
    workerId?: string;
  };
  'task.started': { workflowId: string; agentId: string; attempt: number; at: number };
  'task.retrying': { workflowId: string; agentId: string; attempt: number; delayMs: number; error: ErrorData };
  'task.finished': { workflowId: string; agentId: string; result: TaskResult };
  /** Distributed mode: a worker started or finished a task (which worker ran which agent). */
  'worker.task': { workerId: string; workflowId: string; agentId: string; status: 'started' | 'finished'; costCents?: number };
  'agent.result': { agentId: string; taskId: string; result: AgentTaskResult };
  'workflow.started': { workflowId: string; taskCount: number; at: number };
  'workflow.finished': { workflowId: string; result: WorkflowResult };
  'budget.exceeded': { agentId: string; limit: string; error: ErrorData; /** Distributed mode: the worker it happened on. */ workerId?: string };
  /**
   * A provider reported more tokens than its request allowed (or the call cost
   * more than its reservation). The call was charged as reported and the
   * limits in `closedLimits` take no further call.
   */
  'budget.overrun': {
    callId: string;
    agentId: string;
    provider: string;
    model: string;
    taskId?: string;
    workflowId?: string;
    usage: TokenUsage;
    /** The request's allowance: its input's upper bound, and maxTokens plus the thinking budget. */
    allowed: { inputTokens: number; outputTokens: number };
    reservedCents: number;
    chargedCents: number;
    overrunCents: number;
    closedLimits: string[];
    /** Distributed mode: the worker that made the call (events forwarded to the coordinator). */
    workerId?: string;
  };
  'listener.error': { eventType: string; error: ErrorData };
  /** A subscriber's broadcast callback threw or rejected; delivery to the others went on. */
  'broadcast.callback.failed': { fromAgent: string; eventType: string; agentId: string; error: ErrorData };
  /** A consultation (`routeMessage`, or an agent's `consult_agent` tool) ended. */
  'consultation.finished': { fromAgent: string; toAgent: string; ok: boolean; costCents: number; error?: ErrorData };
  /** A run waits for a person: a gated tool call, an `ask_human` question or a task's output (`orchestrator.approvals`). */
  'approval.requested': { request: ApprovalRequest };
  /** A person decided on a pending approval (or it timed out: `timedOut`). */
  'approval.decided': { request: ApprovalRequest; decision: ApprovalDecision | null; timedOut: boolean };
  /** A monitoring threshold was crossed (see `enableMonitoring`'s alertThresholds and docs/monitoring.md). */
  alert: MonitoringAlert;
}

/** The alert thresholds `enableMonitoring` watches. */
export type AlertName = 'error_rate' | 'cost_per_task' | 'execution_time' | 'confidence_min';

/** One threshold crossing: numbers and ids only, never prompt text. */
export interface MonitoringAlert {
  readonly name: AlertName;
  /** The value that crossed, in `unit`. */
  readonly value: number;
  readonly threshold: number;
  /** share: 0..1 of tasks; dollars: per task; seconds: per task; confidence: 0..1. */
  readonly unit: 'share' | 'dollars' | 'seconds' | 'confidence';
  /** `above` for error_rate, cost_per_task, execution_time; `below` for confidence_min. */
  readonly direction: 'above' | 'below';
  /** The task (agent id) and workflow whose result crossed. */
  readonly agentId?: string;
  readonly workflowId?: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly message: string;
}

export type TroupeEventType = keyof TroupeEventMap;

/**
 * The event types that belong to one workflow run (their payload has a
 * `workflowId`): task.started, task.retrying, task.finished, model.delta,
 * model.call.finished, workflow.started, workflow.finished, ... A type added
 * to the map with a `workflowId` (approval.requested) joins automatically.
 */
export type WorkflowEventType = {
  [K in TroupeEventType]: 'workflowId' extends keyof TroupeEventMap[K] ? K : never;
}[TroupeEventType];

/** One event: its type plus its payload. */
export type TroupeEvent<T extends TroupeEventType = TroupeEventType> = T extends TroupeEventType
  ? { type: T } & TroupeEventMap[T]
  : never;

/** One event of a workflow run, as `streamWorkflow` and `executeWorkflow({ onEvent })` deliver it. */
export type WorkflowEvent = TroupeEvent<WorkflowEventType>;

export type TroupeListener<T extends TroupeEventType> = (event: TroupeEvent<T>) => void;

/**
 * A small synchronous event hub. A throwing listener does not stop the others;
 * its error is reported as a `listener.error` event.
 */
export class EventHub {
  readonly #listeners = new Map<string, Set<(event: TroupeEvent) => void>>();
  readonly #any = new Set<(event: TroupeEvent) => void>();

  /**
   * Listens to one event type; returns the unsubscribe function.
   * @example
   * ```ts
   * const off = orchestrator.events.on('task.finished', (e) => console.log(e.agentId, e.result.status));
   * ```
   */
  on<T extends TroupeEventType>(type: T, listener: TroupeListener<T>): () => void {
    const wrapper = (event: TroupeEvent): void => {
      if (isEventOf(event, type)) listener(event);
    };
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(wrapper);
    return () => {
      set.delete(wrapper);
    };
  }

  /** Listens to every event except `model.call.detail` (prompt text reaches only its own listeners). */
  onAny(listener: (event: TroupeEvent) => void): () => void {
    this.#any.add(listener);
    return () => {
      this.#any.delete(listener);
    };
  }

  /** Whether anyone listens to `type` (lets hot paths skip building payloads). */
  has(type: TroupeEventType): boolean {
    return (this.#any.size > 0 && !DIRECT_ONLY_EVENTS.has(type)) || (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  emit<T extends TroupeEventType>(type: T, payload: TroupeEventMap[T]): void {
    const set = this.#listeners.get(type);
    const toAny = this.#any.size > 0 && !DIRECT_ONLY_EVENTS.has(type);
    if (!set && !toAny) return;
    const event = eventOf(type, payload);
    if (set) for (const listener of set) this.#deliver(listener, event);
    if (toAny) for (const listener of this.#any) this.#deliver(listener, event);
  }

  #deliver(listener: (event: TroupeEvent) => void, event: TroupeEvent): void {
    try {
      listener(event);
    } catch (error) {
      if (event.type === 'listener.error') return;
      this.emit('listener.error', { eventType: event.type, error: toErrorData(error) });
    }
  }

  clear(): void {
    this.#listeners.clear();
    this.#any.clear();
  }
}

/**
 * Events that reach only listeners of their own type, never `onAny` ones:
 * they carry prompt text, and catch-all listeners (dashboards, forwarders) must not get it.
 */
const DIRECT_ONLY_EVENTS: ReadonlySet<TroupeEventType> = new Set<TroupeEventType>(['model.call.detail']);

function isEventOf<T extends TroupeEventType>(event: TroupeEvent, type: T): event is TroupeEvent<T> {
  return event.type === type;
}

function eventOf<T extends TroupeEventType>(type: T, payload: TroupeEventMap[T]): TroupeEvent {
  const event: { type: T } & TroupeEventMap[T] = { type, ...payload };
  // Sound widening: TypeScript cannot resolve the distributive TroupeEvent<T> for a generic T.
  return event as TroupeEvent;
}
