/**
 * Runs one workflow task to a TaskResult: finds or spawns its agent, retries
 * transient failures with backoff, hands a failed task to its fallback agent,
 * and tries an alternative path when confidence is under the task's threshold.
 */
import type { AgentTask, AgentTaskResult, AlternativeResult, LoadedArtifact } from '../protocols/agent.js';
import type { ErrorData } from '../protocols/errors/errors.js';
import { CancelledError, toErrorData } from '../protocols/errors/errors.js';
import { addUsage, EMPTY_USAGE } from '../protocols/model.js';
import type { TokenUsage } from '../protocols/model.js';
import type { SubAgentTaskSpec, TaskResult, TaskStatus } from '../protocols/task.js';
import type { AgentPool } from '../agents/pool.js';
import type { AgentRunOutcome } from '../agents/agent-record.js';
import type { EventHub } from '../protocols/events.js';
import type { RetryPolicy } from './retry.js';
import { isRetryable, retryDelayMs, sleep } from './retry.js';
import { addCents } from '../protocols/cents.js';

export interface TaskRunnerOptions {
  readonly pool: AgentPool;
  readonly events: EventHub;
  /** Retry policy; maxAttempts 1 when retryFailedAgents is off. */
  readonly retry: RetryPolicy;
  /** Config `enableAlternativePaths`: gate for tasks' alternativePathsAllowed. */
  readonly enableAlternativePaths: boolean;
  /** Whether a name is a registered template. */
  readonly hasTemplate: (name: string) => boolean;
  /** Loads the artifacts a task's prompt gets (its sharedArtifacts, permission-checked, and shared memories). */
  readonly loadArtifacts?: (agentId: string, artifactIds: readonly string[]) => Promise<LoadedArtifact[]>;
  readonly now: () => number;
}

export interface TaskRunRequest {
  readonly workflowId: string;
  readonly spec: SubAgentTaskSpec;
  readonly dependencyOutputs?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Extra fields for the agent task (structured output schema for votes, etc.). */
  readonly taskExtras?: Partial<AgentTask>;
  /** A revision after a person's rejection (task-approval.ts): its tasks run under their own ids. */
  readonly revision?: number;
}

/** Accumulates attempts' cost and usage across retries, fallbacks and alternatives. */
interface Tally {
  attempts: number;
  costCents: number;
  usage: TokenUsage;
  /** Providers of the agents asked to do the task, in order, each once. */
  providers: string[];
}

function account(tally: Tally, outcome: AgentRunOutcome): void {
  tally.attempts++;
  const usage = outcome.ok ? outcome.result.usage : outcome.usage;
  tally.costCents = addCents(tally.costCents, outcome.ok ? outcome.result.costCents : outcome.costCents);
  tally.usage = addUsage(tally.usage, usage);
}

function cancelledOutcome(reason: string): AgentRunOutcome {
  return { ok: false, error: toErrorData(new CancelledError(reason)), usage: EMPTY_USAGE, costCents: 0 };
}

/** Maps a final error to the task status it means. */
export function statusOfError(error: ErrorData): TaskStatus {
  if (error.code === 'BUDGET_EXCEEDED' || error.code === 'BUDGET_OVERRUN') return 'budget_exceeded';
  if (error.code === 'CANCELLED' || error.code === 'SHUT_DOWN') return 'cancelled';
  return 'failed';
}

export class TaskRunner {
  readonly #options: TaskRunnerOptions;
  /**
   * Runs using each agent now. An agent spawned for a task is stopped when the
   * last run using it ends, not by whichever ends first: two tasks can share a
   * fallback agent, and one's cleanup must not abort the other's call.
   */
  readonly #users = new Map<string, number>();

  constructor(options: TaskRunnerOptions) {
    this.#options = options;
  }

  /** Runs the task to a result; never rejects. */
  async run(request: TaskRunRequest): Promise<TaskResult> {
    const { spec, signal } = request;
    const startedAt = this.#options.now();
    const tally: Tally = { attempts: 0, costCents: 0, usage: EMPTY_USAGE, providers: [] };
    let artifacts: LoadedArtifact[] = [];
    try {
      if (this.#options.loadArtifacts) {
        artifacts = await this.#options.loadArtifacts(spec.agentId, spec.sharedArtifacts ?? []);
      }
    } catch (error) {
      return this.#result(spec, startedAt, tally, { error: toErrorData(error) });
    }

    let outcome = await this.#attempts(request, spec.agentId, spec.template, artifacts, tally, '');
    let fallbackUsed: string | undefined;
    if (!outcome.ok && spec.fallbackAgent && statusOfError(outcome.error) === 'failed' && !signal?.aborted) {
      fallbackUsed = spec.fallbackAgent;
      const fallback = await this.#attempts(request, spec.fallbackAgent, spec.fallbackAgent, artifacts, tally, 'fallback');
      outcome = fallback.ok ? fallback : outcome;
      if (!fallback.ok) fallbackUsed = undefined;
    }
    if (!outcome.ok) return this.#result(spec, startedAt, tally, { error: outcome.error });

    let best = outcome.result;
    let alternatives: AlternativeResult[] = [...best.alternatives];
    const threshold = spec.confidenceThreshold;
    if (
      threshold !== undefined &&
      spec.alternativePathsAllowed === true &&
      this.#options.enableAlternativePaths &&
      best.confidence < threshold &&
      !signal?.aborted
    ) {
      const alternativeAgent = spec.fallbackAgent ?? spec.agentId;
      const alternative = await this.#attempts(
        request,
        alternativeAgent,
        spec.fallbackAgent ?? spec.template,
        artifacts,
        tally,
        'alternative',
        best,
      );
      if (alternative.ok) {
        const [kept, other] =
          alternative.result.confidence > best.confidence ? [alternative.result, best] : [best, alternative.result];
        if (kept !== best) fallbackUsed = alternativeAgent === spec.agentId ? fallbackUsed : alternativeAgent;
        best = kept;
        alternatives = [
          ...kept.alternatives,
          { output: other.output, confidence: other.confidence, critique: other.critique, round: 0 },
        ];
      }
    }
    return this.#result(spec, startedAt, tally, { result: best, alternatives, fallbackUsed });
  }

  /** Runs the task on one agent with retries. */
  async #attempts(
    request: TaskRunRequest,
    agentId: string,
    template: string | undefined,
    artifacts: LoadedArtifact[],
    tally: Tally,
    variant: '' | 'fallback' | 'alternative',
    previous?: AgentTaskResult,
  ): Promise<AgentRunOutcome> {
    const { pool, retry, events } = this.#options;
    const { spec, workflowId, signal } = request;
    if (signal?.aborted) return cancelledOutcome('the workflow was cancelled');
    try {
      const record = pool.get(agentId);
      if (!record?.live) {
        // The task's template, else a template named like the agent (dynamic agents).
        const name = template ?? agentId;
        const fromTemplate = this.#options.hasTemplate(name) ? name : undefined;
        pool.spawn({ agentId, ...(fromTemplate ? { template: fromTemplate } : {}), ephemeral: true });
      }
    } catch (error) {
      return { ok: false, error: toErrorData(error), usage: EMPTY_USAGE, costCents: 0 };
    }
    this.#users.set(agentId, (this.#users.get(agentId) ?? 0) + 1);
    const provider = pool.get(agentId)?.config.provider;
    if (provider !== undefined && !tally.providers.includes(provider)) tally.providers.push(provider);
    try {
      let last: AgentRunOutcome | undefined;
      for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
        if (signal?.aborted) return cancelledOutcome('the workflow was cancelled');
        events.emit('task.started', { workflowId, agentId: spec.agentId, attempt: tally.attempts + 1, at: this.#options.now() });
        const task: AgentTask = {
          taskId: `${workflowId}/${spec.agentId}${variant ? `/${variant}` : ''}${request.revision ? `/revision-${request.revision}` : ''}#${attempt}`,
          task: variant === 'alternative' && previous
            ? `${spec.taskDescription}\n\nAn earlier answer scored confidence ${previous.confidence.toFixed(2)} ` +
              `(critique: ${previous.critique}).${previous.truncated ? ' It was cut off at the output token limit: be more concise.' : ''} ` +
              'Take a different approach.'
            : spec.taskDescription,
          workflowId,
          attempt,
          ...(spec.thinkingDirectives ? { thinkingDirectives: spec.thinkingDirectives } : {}),
          ...(spec.availableAgents?.length ? { availableAgents: spec.availableAgents } : {}),
          ...(spec.inputData === undefined ? {} : { inputData: spec.inputData }),
          ...(request.dependencyOutputs ? { dependencyOutputs: request.dependencyOutputs } : {}),
          ...(artifacts.length > 0 ? { sharedArtifacts: artifacts } : {}),
          ...request.taskExtras,
        };
        last = await pool.run(agentId, task, signal);
        account(tally, last);
        if (last.ok || !isRetryable(last.error) || attempt === retry.maxAttempts || signal?.aborted) break;
        const delayMs = retryDelayMs(retry, attempt, last.error);
        events.emit('task.retrying', { workflowId, agentId: spec.agentId, attempt, delayMs, error: last.error });
        try {
          await sleep(delayMs, signal);
        } catch (error) {
          return { ok: false, error: toErrorData(error), usage: EMPTY_USAGE, costCents: 0 };
        }
      }
      return last ?? cancelledOutcome('no attempt ran');
    } finally {
      // Every way out (done, failed, cancelled mid-wait) stops an agent spawned for tasks once none uses it.
      const users = (this.#users.get(agentId) ?? 1) - 1;
      if (users > 0) this.#users.set(agentId, users);
      else {
        this.#users.delete(agentId);
        if (pool.get(agentId)?.ephemeral) pool.stop(agentId);
      }
    }
  }

  #result(
    spec: SubAgentTaskSpec,
    startedAt: number,
    tally: Tally,
    end:
      | { error: ErrorData }
      | { result: AgentTaskResult; alternatives: AlternativeResult[]; fallbackUsed: string | undefined },
  ): TaskResult {
    const finishedAt = this.#options.now();
    const common = {
      agentId: spec.agentId,
      attempts: tally.attempts,
      costCents: tally.costCents,
      usage: tally.usage,
      startedAt,
      finishedAt,
      durationSeconds: (finishedAt - startedAt) / 1000,
      providers: tally.providers,
    };
    if ('error' in end) {
      return {
        ...common,
        status: statusOfError(end.error),
        output: null,
        confidence: null,
        error: end.error,
        alternatives: [],
        simulated: false,
      };
    }
    const { result } = end;
    return {
      ...common,
      status: 'succeeded',
      output: result.output,
      ...(result.structured === undefined ? {} : { structured: result.structured }),
      confidence: result.confidence,
      thinkingProcess: result.thinkingProcess,
      alternatives: end.alternatives,
      ...(end.fallbackUsed ? { fallbackUsed: end.fallbackUsed } : {}),
      simulated: result.simulated,
      ...(result.truncated ? { truncated: true } : {}),
    };
  }
}
