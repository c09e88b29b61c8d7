/**
 * The agent protocol: the events every agent actor accepts and sends. The
 * built-in thinking agent speaks it, and so must a custom agent machine
 * registered with `registerAgentType`. See docs/custom-agents.md.
 */
import type { AnyActorRef } from 'xstate';
import type { AgentFailure, AgentTask, AgentTaskResult } from './agent.js';
import type { ErrorData } from './errors/errors.js';
import { EMPTY_USAGE } from './model.js';
import type { TokenUsage } from './model.js';

/** Run a task; answer `replyTo` with {@link AgentResultEvent} or {@link AgentFailureEvent}. */
export interface AgentTaskEvent {
  readonly type: 'agent.task';
  readonly task: AgentTask;
  readonly replyTo?: AnyActorRef;
}

export interface AgentResultEvent {
  readonly type: 'agent.result';
  readonly agentId: string;
  readonly taskId: string;
  readonly result: AgentTaskResult;
}

export interface AgentFailureEvent {
  readonly type: 'agent.failure';
  readonly agentId: string;
  readonly taskId: string;
  readonly failure: AgentFailure;
}

/** Answer a question from another agent; reply with {@link ConsultReplyEvent}. */
export interface AgentConsultEvent {
  readonly type: 'agent.consult';
  readonly requestId: string;
  readonly fromAgent: string;
  readonly question: string;
  /** The asker's context, rendered for the answering model. */
  readonly context?: unknown;
  /** Agents already in this consultation chain, oldest first (cycle detection). */
  readonly chain: readonly string[];
  readonly replyTo?: AnyActorRef;
  /**
   * The asking task's run and a key stable across runs of it: the answering
   * model call is journaled with that run and replayed from it.
   */
  readonly workflowId?: string;
  readonly taskId?: string;
  readonly callKey?: string;
}

export interface ConsultReplyEvent {
  readonly type: 'agent.consult.reply';
  readonly requestId: string;
  readonly agentId: string;
  readonly answer?: string;
  readonly error?: ErrorData;
  readonly usage: TokenUsage;
  readonly costCents: number;
}

/** A broadcast delivered to a subscribed agent; it becomes an observation in its memory. */
export interface AgentBroadcastEvent {
  readonly type: 'agent.broadcast';
  readonly fromAgent: string;
  readonly eventType: string;
  readonly data: unknown;
}

/** Stop the current task (its model calls are aborted); the agent answers with a failure. */
export interface AgentAbortEvent {
  readonly type: 'agent.abort';
  readonly reason: string;
}

/** With breakpointOnError: leave `paused` and fail (abort) or retry the failed step (resume). */
export interface AgentResumeEvent {
  readonly type: 'agent.resume';
}

/**
 * Debug mode changed (`setDebugMode`): from now on, a failing step waits in
 * `paused` when `breakpointOnError` is true. Optional for custom agents: one
 * that has no breakpoints may ignore it.
 */
export interface AgentDebugEvent {
  readonly type: 'agent.debug';
  readonly breakpointOnError: boolean;
}

/** Every event an agent must accept. */
export type AgentInboundEvent =
  | AgentTaskEvent
  | AgentConsultEvent
  | AgentBroadcastEvent
  | AgentAbortEvent
  | AgentResumeEvent
  | AgentDebugEvent;

/** Every event an agent sends to a `replyTo`. */
export type AgentOutboundEvent = AgentResultEvent | AgentFailureEvent | ConsultReplyEvent;

/** systemId under which an agent is registered in the actor system. */
export function agentSystemId(agentId: string): string {
  return `agent:${agentId}`;
}

/**
 * A complete {@link AgentTaskResult} for `output`, for custom agents that do
 * not think, reflect or call a model: confidence 1, no usage, no cost.
 *
 * @example
 * ```ts
 * enqueue.sendTo(event.replyTo, { type: 'agent.result', agentId, taskId: event.task.taskId, result: agentTaskResult('done') });
 * ```
 */
export function agentTaskResult(output: string, fields: Partial<AgentTaskResult> = {}): AgentTaskResult {
  return {
    output,
    thinkingProcess: '',
    confidence: 1,
    critique: '',
    alternatives: [],
    usage: EMPTY_USAGE,
    costCents: 0,
    durationSeconds: 0,
    modelCalls: 0,
    simulated: false,
    ...fields,
  };
}

/**
 * The reply to a consultation: `answer`, or `error` when it could not be answered.
 *
 * @example
 * ```ts
 * if (event.replyTo) enqueue.sendTo(event.replyTo, consultReply(event, agentId, { answer: 'Yes, use a B-tree.' }));
 * ```
 */
export function consultReply(
  consult: AgentConsultEvent,
  agentId: string,
  outcome: { readonly answer: string } | { readonly error: ErrorData },
  cost: { readonly usage?: TokenUsage; readonly costCents?: number } = {},
): ConsultReplyEvent {
  return {
    type: 'agent.consult.reply',
    requestId: consult.requestId,
    agentId,
    ...outcome,
    usage: cost.usage ?? EMPTY_USAGE,
    costCents: cost.costCents ?? 0,
  };
}
