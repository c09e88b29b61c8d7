/**
 * OpenTelemetry tracing built from the system's progress events: a span per
 * workflow, per task, per agent attempt (`invoke_agent`) and per model call
 * (`chat`), following the GenAI semantic conventions plus `troupe.*`
 * attributes. Attributes are ids, names, numbers and codes only: no prompt,
 * answer or key ever becomes an attribute.
 *
 * `@opentelemetry/api` is an optional peer dependency, loaded with a dynamic
 * `import()`: without it, enabling telemetry is a no-op.
 */
import type * as OtelApi from '@opentelemetry/api';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import type { TokenUsage } from '../protocols/model.js';
import type { TaskResult, WorkflowStatus } from '../protocols/task.js';
import type { EventHub, TroupeEvent } from '../protocols/events.js';
import { runOf } from '../journal/records.js';

export interface TelemetryOptions {
  /** The tracer spans are made with. Default: `trace.getTracer('troupe')` from the global tracer provider. */
  readonly tracer?: Tracer;
  /** Epoch-ms clock for span ends that events do not time themselves (model calls). Default `Date.now`. */
  readonly now?: () => number;
  /** How `@opentelemetry/api` is loaded. Default: `import('@opentelemetry/api')`. */
  readonly loadApi?: () => Promise<typeof OtelApi>;
}

/** What `enableTelemetry` returns. */
export interface Telemetry {
  /** False when `@opentelemetry/api` could not be loaded (nothing is traced). */
  readonly enabled: boolean;
  /** Stops tracing; spans still open are ended and marked `troupe.incomplete`. */
  stop(): void;
}

/** Span names. Model calls follow the GenAI convention `{operation} {model}`. */
export const SPAN_NAMES = { workflow: 'troupe.workflow', task: 'troupe.task', agent: 'invoke_agent' } as const;

/**
 * Starts turning `events` into spans.
 *
 * @example
 * ```ts
 * const telemetry = await enableTelemetry(orchestrator.events, { tracer: provider.getTracer('my-app') });
 * await orchestrator.executeWorkflow({ tasks });
 * telemetry.stop();
 * ```
 */
export async function enableTelemetry(events: EventHub, options: TelemetryOptions = {}): Promise<Telemetry> {
  let api: typeof OtelApi;
  try {
    api = await (options.loadApi ?? (() => import('@opentelemetry/api')))();
  } catch {
    return { enabled: false, stop: () => undefined };
  }
  const spans = new EventSpans(api, options.tracer ?? api.trace.getTracer('troupe'), options.now ?? Date.now);
  const detach = spans.listen(events);
  return {
    enabled: true,
    stop: () => {
      detach();
      spans.endAll();
    },
  };
}

/** A task's spans: the task itself and its current attempt. */
interface TaskSpans {
  readonly span: Span;
  readonly workflowId: string;
  readonly agentId: string;
  /** `<workflowId>/<agentId>`: the prefix of its agent task ids. */
  readonly taskIdPrefix: string;
  /**
   * A task of a sub-run (`<run>/consensus:...`, a consensus voter): no
   * `task.finished` ends it, so its agent's result does, and its run's end
   * closes whatever is left.
   */
  readonly subRun: boolean;
  attempt: Span | undefined;
}

/** GenAI usage attributes: input includes cached tokens, output includes thinking tokens (both are billed so). */
function usageAttributes(usage: TokenUsage): Attributes {
  return {
    'gen_ai.usage.input_tokens': usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
    'gen_ai.usage.output_tokens': usage.outputTokens + usage.thinkingTokens,
    'gen_ai.usage.cache_read.input_tokens': usage.cacheReadTokens,
    'gen_ai.usage.cache_creation.input_tokens': usage.cacheWriteTokens,
    'troupe.usage.thinking_tokens': usage.thinkingTokens,
  };
}

function taskFailed(result: TaskResult): boolean {
  return result.status !== 'succeeded' && result.status !== 'skipped';
}

function workflowFailed(status: WorkflowStatus): boolean {
  return status === 'failed' || status === 'cancelled';
}

class EventSpans {
  readonly #api: typeof OtelApi;
  readonly #tracer: Tracer;
  readonly #now: () => number;
  readonly #workflows = new Map<string, Span>();
  /** Open tasks by workflowId, then by the task's agentId. */
  readonly #tasks = new Map<string, Map<string, TaskSpans>>();

  constructor(api: typeof OtelApi, tracer: Tracer, now: () => number) {
    this.#api = api;
    this.#tracer = tracer;
    this.#now = now;
  }

  listen(events: EventHub): () => void {
    const offs = [
      events.on('workflow.started', (event) => this.#workflowStarted(event)),
      events.on('workflow.finished', (event) => this.#workflowFinished(event)),
      events.on('task.started', (event) => this.#taskStarted(event)),
      events.on('task.retrying', (event) => this.#taskRetrying(event)),
      events.on('agent.result', (event) => this.#agentResult(event)),
      events.on('task.finished', (event) => this.#taskFinished(event)),
      events.on('model.call.finished', (event) => this.#modelCall(event)),
      events.on('model.call.failed', (event) => this.#modelCall(event)),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  endAll(): void {
    for (const tasks of this.#tasks.values()) for (const task of tasks.values()) this.#endIncomplete(task.attempt, task.span);
    for (const span of this.#workflows.values()) this.#endIncomplete(span);
    this.#tasks.clear();
    this.#workflows.clear();
  }

  #contextOf(parent: Span | undefined): Context {
    const active = this.#api.context.active();
    return parent ? this.#api.trace.setSpan(active, parent) : active;
  }

  #fail(span: Span, code: string, name?: string): void {
    span.setAttribute('error.type', code);
    span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: name ? `${code} (${name})` : code });
  }

  #workflowStarted({ workflowId, taskCount, at }: TroupeEvent<'workflow.started'>): void {
    const span = this.#tracer.startSpan(
      SPAN_NAMES.workflow,
      { startTime: at, attributes: { 'troupe.workflow.id': workflowId, 'troupe.workflow.task_count': taskCount } },
      this.#contextOf(undefined),
    );
    this.#workflows.set(workflowId, span);
  }

  #workflowFinished({ workflowId, result }: TroupeEvent<'workflow.finished'>): void {
    const span = this.#workflows.get(workflowId);
    if (!span) return;
    this.#workflows.delete(workflowId);
    span.setAttributes({
      'troupe.workflow.status': result.status,
      'troupe.cost_cents': result.totalCostCents,
      'troupe.duration_seconds': result.durationSeconds,
    });
    if (workflowFailed(result.status)) this.#fail(span, `workflow_${result.status}`);
    // Sub-run tasks that never got an agent result (a voter that failed) end with their run.
    for (const [id, tasks] of this.#tasks) {
      if (!id.startsWith(`${workflowId}/`)) continue;
      for (const task of tasks.values()) this.#endIncomplete(task.attempt, task.span);
      this.#tasks.delete(id);
    }
    span.end(this.#now());
  }

  #endIncomplete(...spans: (Span | undefined)[]): void {
    for (const span of spans) {
      span?.setAttribute('troupe.incomplete', true);
      span?.end(this.#now());
    }
  }


  #forget(task: TaskSpans): void {
    const tasks = this.#tasks.get(task.workflowId);
    tasks?.delete(task.agentId);
    if (tasks?.size === 0) this.#tasks.delete(task.workflowId);
  }

  #taskStarted({ workflowId, agentId, attempt, at }: TroupeEvent<'task.started'>): void {
    let tasks = this.#tasks.get(workflowId);
    if (!tasks) this.#tasks.set(workflowId, (tasks = new Map()));
    let task = tasks.get(agentId);
    if (!task) {
      // Its own run's span, or for a sub-run (a consensus voter) the run it belongs to.
      const runId = runOf(workflowId, (id) => this.#workflows.has(id));
      const span = this.#tracer.startSpan(
        SPAN_NAMES.task,
        { startTime: at, attributes: { 'troupe.workflow.id': workflowId, 'troupe.task.agent_id': agentId } },
        this.#contextOf(runId === undefined ? undefined : this.#workflows.get(runId)),
      );
      const subRun = runId !== undefined && runId !== workflowId;
      task = { span, workflowId, agentId, taskIdPrefix: `${workflowId}/${agentId}`, subRun, attempt: undefined };
      tasks.set(agentId, task);
    }
    if (task.attempt) {
      // A new attempt without a retry event (a fallback agent took over): the previous one failed.
      this.#fail(task.attempt, 'attempt_failed');
      task.attempt.end(at);
    }
    task.attempt = this.#tracer.startSpan(
      `${SPAN_NAMES.agent} ${agentId}`,
      {
        startTime: at,
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.id': agentId,
          'gen_ai.agent.name': agentId,
          'troupe.workflow.id': workflowId,
          'troupe.attempt': attempt,
        },
      },
      this.#contextOf(task.span),
    );
  }

  #taskRetrying({ workflowId, agentId, error }: TroupeEvent<'task.retrying'>): void {
    const task = this.#tasks.get(workflowId)?.get(agentId);
    if (!task?.attempt) return;
    this.#fail(task.attempt, error.code, error.name);
    task.attempt.end(this.#now());
    task.attempt = undefined;
  }

  #agentResult({ agentId, taskId, result }: TroupeEvent<'agent.result'>): void {
    const task = this.#taskOf(undefined, taskId);
    if (!task?.attempt) return;
    task.attempt.setAttributes({
      'gen_ai.agent.id': agentId,
      'troupe.agent.id': agentId,
      'troupe.task.id': taskId,
      'troupe.cost_cents': result.costCents,
      'troupe.confidence': result.confidence,
      'troupe.model_calls': result.modelCalls,
      ...usageAttributes(result.usage),
    });
    task.attempt.end(this.#now());
    task.attempt = undefined;
    if (task.subRun) {
      task.span.setAttribute('troupe.task.status', 'succeeded');
      task.span.end(this.#now());
      this.#forget(task);
    }
  }

  #taskFinished({ workflowId, agentId, result }: TroupeEvent<'task.finished'>): void {
    const tasks = this.#tasks.get(workflowId);
    const task = tasks?.get(agentId);
    const end = result.finishedAt ?? this.#now();
    if (!task) return;
    tasks?.delete(agentId);
    if (tasks?.size === 0) this.#tasks.delete(workflowId);
    if (task.attempt) {
      if (taskFailed(result)) this.#fail(task.attempt, result.error?.code ?? result.status);
      task.attempt.end(end);
    }
    task.span.setAttributes({
      'troupe.task.status': result.status,
      'troupe.task.attempts': result.attempts,
      'troupe.cost_cents': result.costCents,
      ...(result.confidence === null ? {} : { 'troupe.confidence': result.confidence }),
      ...(result.fallbackUsed ? { 'troupe.task.fallback_agent': result.fallbackUsed } : {}),
      ...usageAttributes(result.usage),
    });
    if (taskFailed(result)) this.#fail(task.span, result.error?.code ?? result.status, result.error?.name);
    task.span.end(end);
  }

  #modelCall(event: TroupeEvent<'model.call.finished'> | TroupeEvent<'model.call.failed'>): void {
    const end = this.#now();
    const task = event.taskId === undefined ? undefined : this.#taskOf(event.workflowId, event.taskId);
    const parent = task?.attempt ?? task?.span ?? (event.workflowId === undefined ? undefined : this.#workflows.get(event.workflowId));
    const requestModel = event.requestModel ?? event.model;
    const attributes: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': event.provider,
      'gen_ai.provider.name': event.provider,
      'gen_ai.request.model': requestModel,
      ...(event.temperature === undefined ? {} : { 'gen_ai.request.temperature': event.temperature }),
      ...(event.maxTokens === undefined ? {} : { 'gen_ai.request.max_tokens': event.maxTokens }),
      'gen_ai.agent.id': event.agentId,
      'troupe.agent.id': event.agentId,
      'troupe.call.id': event.callId,
      'troupe.call.purpose': event.purpose,
      ...(event.taskId === undefined ? {} : { 'troupe.task.id': event.taskId }),
      ...(event.workflowId === undefined ? {} : { 'troupe.workflow.id': event.workflowId }),
    };
    const span = this.#tracer.startSpan(
      `chat ${requestModel}`,
      { kind: this.#api.SpanKind.CLIENT, startTime: end - event.durationMs, attributes },
      this.#contextOf(parent),
    );
    if (event.type === 'model.call.finished') {
      span.setAttributes({
        'gen_ai.response.model': event.model,
        ...(event.stopReason === undefined ? {} : { 'gen_ai.response.finish_reasons': [event.stopReason] }),
        ...usageAttributes(event.usage),
        'troupe.cost_cents': event.costCents,
        'troupe.simulated': event.simulated,
        'troupe.replayed': event.replayed,
      });
    } else {
      this.#fail(span, event.error.code, event.error.name);
    }
    span.end(end);
  }

  /**
   * The open task an agent task id belongs to. Task ids are
   * `<workflowId>/<agentId>[/<variant>]#<attempt>` (the task runner's), so
   * the longest open `<workflowId>/<agentId>` prefix followed by `/` or `#` wins.
   */
  #taskOf(workflowId: string | undefined, taskId: string): TaskSpans | undefined {
    const candidates = workflowId === undefined ? [...this.#tasks.values()] : [this.#tasks.get(workflowId)];
    let best: TaskSpans | undefined;
    for (const tasks of candidates) {
      for (const task of tasks?.values() ?? []) {
        const { taskIdPrefix } = task;
        const next = taskId.charAt(taskIdPrefix.length);
        if (!taskId.startsWith(taskIdPrefix) || (next !== '#' && next !== '/')) continue;
        if (!best || taskIdPrefix.length > best.taskIdPrefix.length) best = task;
      }
    }
    return best;
  }
}
