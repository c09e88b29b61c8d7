/**
 * `executeWorkflow`: validates the tasks, starts a workflow actor under the
 * supervisor, forwards its progress, and assembles the WorkflowResult
 * (summary, costs, usage, thinking traces).
 */
import { toPromise } from 'xstate';
import type { Actor, ActorRefFrom } from 'xstate';
import { nanoid } from 'nanoid';
import { CancelledError, ShutDownError, WorkflowRunningError, WorkflowValidationError } from '../protocols/errors/errors.js';
import { assertInputData, DEFAULT_MAX_INPUT_DATA_BYTES } from '../util/input-data.js';
import { assertTaskIds } from '../util/arguments.js';
import type { ModelGateway } from '../protocols/gateway.js';
import { addUsage, EMPTY_USAGE } from '../protocols/model.js';
import type { TokenUsage } from '../protocols/model.js';
import type { SubAgentTaskSpec, TaskResult, WorkflowResult } from '../protocols/task.js';
import { workflowSystemId } from '../actors/supervisor.js';
import type { SupervisorMachine } from '../actors/supervisor.js';
import type { WorkflowMachine, WorkflowOutput, WorkflowTask } from '../actors/workflow/machine.js';
import { normalizeTasks } from '../actors/workflow/tasks.js';
import type { NormalizedTask } from '../actors/workflow/tasks.js';
import type { EventHub, WorkflowEvent } from '../protocols/events.js';
import { observeWorkflow } from './workflow-events.js';
import type { RunContinuation, WorkflowRunObserver } from '../protocols/run.js';
import { WorkflowRun } from './workflow-run.js';
import type { TaskCondition } from './workflow-run.js';
import { addCents } from '../protocols/cents.js';
import type { RunSpend } from '../model/run-spend.js';

export interface ExecuteWorkflowOptions {
  readonly tasks: readonly SubAgentTaskSpec[];
  /** true: dependents of a failed task are skipped, the rest runs. false (default): the first failure cancels the run. */
  readonly continueOnFailure?: boolean;
  /** Put every task's thinking trace in `thinkingTraces`. Default false. */
  readonly collectThinkingTraces?: boolean;
  /** Ask the model for a summary (a costed call); off, the summary is a deterministic digest. Default false. */
  readonly generateSummary?: boolean;
  /** Overrides the orchestrator's maxParallelAgents for this run. */
  readonly maxParallelAgents?: number;
  /** Cancels the run: tasks in flight are aborted, the rest are `cancelled`. */
  readonly signal?: AbortSignal;
  /** Use this id instead of a generated one (resume, replay). */
  readonly workflowId?: string;
  /**
   * Called with each event of this run (task.started, model.delta,
   * task.finished, workflow.finished, ...), synchronously as it happens; while
   * it is set, model calls stream. A throw is reported as `listener.error`.
   * See docs/streaming.md.
   */
  readonly onEvent?: (event: WorkflowEvent) => void;
}

export interface WorkflowRunnerOptions {
  readonly events: EventHub;
  readonly gateway: ModelGateway;
  readonly defaultModel: () => { model: string; provider: string };
  readonly maxParallelAgents: number;
  /** Largest task inputData, in bytes of JSON. Default 1 MiB. */
  readonly maxInputDataBytes?: number;
  readonly knownTemplates: () => ReadonlySet<string>;
  readonly now: () => number;
  /** Told about each run (the journal): its start, task results, condition decisions and end. */
  readonly observer?: WorkflowRunObserver;
  /** What the gateway charged each run's calls: a run's tasks report exactly that. */
  readonly spend?: RunSpend;
}


/** A deterministic digest of a run, used when generateSummary is off. */
export function digestOf(results: Readonly<Record<string, TaskResult>>, status: string): string {
  const counts = new Map<string, number>();
  for (const result of Object.values(results)) counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
  const tally = [...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ');
  const lines = Object.values(results).map((result) => {
    const head = `- ${result.agentId}: ${result.status}`;
    if (result.status !== 'succeeded' || result.output === null) {
      return `${head}${result.reason ? ` (${result.reason})` : result.error ? ` (${result.error.message})` : ''}`;
    }
    const firstLine = result.output.split('\n').find((line) => line.trim().length > 0) ?? '';
    const confidence = result.confidence === null ? '' : `, confidence ${result.confidence.toFixed(2)}`;
    return `${head}${confidence}: ${firstLine.slice(0, 160)}`;
  });
  return [`Workflow ${status}: ${tally}.`, ...lines].join('\n');
}

/** How long a run waits for its cancelled tasks to report their spend. */
const LATE_RESULT_GRACE_MS = 1000;

export class WorkflowRunner {
  readonly #options: WorkflowRunnerOptions;
  /** Runs from their start to their end, by id (set before the actor exists, so a second run under the id is refused). */
  readonly #runs = new Map<string, WorkflowRun>();
  #closing = false;
  /** The supervisor runs start under: set once, by {@link WorkflowRunner.attach}. */
  #supervisor: Actor<SupervisorMachine> | undefined;

  constructor(options: WorkflowRunnerOptions) {
    this.#options = options;
  }

  /**
   * Binds the runner to the supervisor its workflow actors run under. The
   * workflow machine calls back into the runner (task tracking, conditions),
   * so the runner exists first and is attached once the supervisor has started.
   * @throws Error when the runner is already attached.
   * @example
   * const workflows = new WorkflowRunner(options);
   * workflows.attach(createActor(supervisorMachine, { systemId: 'supervisor' }).start());
   */
  attach(supervisor: Actor<SupervisorMachine>): void {
    if (this.#supervisor) throw new Error('the workflow runner is already attached to a supervisor');
    this.#supervisor = supervisor;
  }

  /**
   * Cancels every run in progress (the orchestrator is shutting down): each
   * ends `cancelled` with its tasks aborted, and no summary is asked for.
   */
  cancelAll(reason: string): void {
    this.#closing = true;
    for (const run of this.#runs.values()) if (run.ref) run.cancel(reason);
  }

  /**
   * Notes a task's run in progress (the workflow actor starts it through its
   * services). A task the run cancels while it runs is settled `cancelled` at
   * once; its own result, with what it spent before the abort, arrives a little
   * later and is merged in before the run's result is assembled.
   */
  track(workflowId: string, agentId: string, running: Promise<TaskResult>): Promise<TaskResult> {
    return this.#runs.get(workflowId)?.track(agentId, running) ?? running;
  }

  /**
   * The maxParallelAgents of a live run: its `executeWorkflow` override, else
   * the orchestrator's. undefined when no run with this id is in progress (a
   * lone executeTask), so the caller falls back to the orchestrator's value.
   */
  maxParallelAgentsOf(workflowId: string): number | undefined {
    return this.#runs.get(workflowId)?.maxParallel;
  }

  /** Evaluates a task's condition; the workflow actor calls this through its services. */
  evaluateCondition(workflowId: string, agentId: string, results: Parameters<TaskCondition>[0]): boolean {
    // A run that ended no longer asks; a task with no run proceeds.
    return this.#runs.get(workflowId)?.evaluateCondition(agentId, results) ?? true;
  }

  /** Validates tasks (throws WorkflowValidationError before any model call). */
  validate(tasks: readonly SubAgentTaskSpec[]): NormalizedTask[] {
    const normalized = normalizeTasks(tasks, {
      knownTemplates: this.#options.knownTemplates(),
    });
    const limit = this.#options.maxInputDataBytes ?? DEFAULT_MAX_INPUT_DATA_BYTES;
    for (const task of normalized) {
      assertTaskIds(task);
      assertInputData(task.inputData, `tasks[${task.index}].inputData`, limit);
    }
    return normalized;
  }

  async execute(options: ExecuteWorkflowOptions, continuation: RunContinuation = {}): Promise<WorkflowResult> {
    if (!options.onEvent) return this.#execute(options, continuation);
    const workflowId = options.workflowId ?? `wf_${nanoid(12)}`;
    const off = observeWorkflow(this.#options.events, workflowId, options.onEvent);
    try {
      return await this.#execute({ ...options, workflowId }, continuation);
    } finally {
      off();
    }
  }

  async #execute(options: ExecuteWorkflowOptions, continuation: RunContinuation): Promise<WorkflowResult> {
    const normalized = this.validate(options.tasks);
    const maxParallel = options.maxParallelAgents ?? this.#options.maxParallelAgents;
    if (!Number.isInteger(maxParallel) || maxParallel < 1) {
      throw new WorkflowValidationError(`maxParallelAgents must be a whole number ≥ 1, got ${String(maxParallel)}`);
    }
    const workflowId = options.workflowId ?? `wf_${nanoid(12)}`;
    // A second run under a live id would clash with the first's actor: refused before anything starts.
    if (this.#runs.has(workflowId)) throw new WorkflowRunningError(workflowId);
    const { events } = this.#options;
    const supervisor = this.#supervisor;
    if (!supervisor) throw new Error('the workflow runner is not attached to a supervisor yet (WorkflowRunner.attach)');
    // Conditions stay here (functions never enter an actor); normalized tasks only say they have one.
    const taskConditions = new Map<string, TaskCondition>();
    for (const spec of options.tasks) if (spec.condition) taskConditions.set(spec.agentId, spec.condition);
    const run = new WorkflowRun(workflowId, maxParallel, taskConditions, continuation.decisions);
    this.#runs.set(workflowId, run);
    const tasks: readonly WorkflowTask[] = normalized;
    try {
      run.hooks = await this.#options.observer?.begin({
        workflowId,
        tasks: options.tasks,
        options: {
          continueOnFailure: options.continueOnFailure ?? false,
          collectThinkingTraces: options.collectThinkingTraces ?? false,
          generateSummary: options.generateSummary ?? false,
          maxParallelAgents: maxParallel,
        },
        continuation,
        cancel: (reason) => run.cancel(reason),
      });
    } catch (error) {
      // The observer refused the run: nothing started, the id is free again.
      this.#runs.delete(workflowId);
      throw error;
    }
    const { hooks } = run;
    const started = this.#options.now();
    events.emit('workflow.started', { workflowId, taskCount: tasks.length, at: started });
    supervisor.send({
      type: 'supervisor.startWorkflow',
      input: {
        workflowId,
        tasks,
        maxParallel,
        continueOnFailure: options.continueOnFailure ?? false,
        ...(continuation.presettled ? { presettled: continuation.presettled } : {}),
      },
    });
    const ref: ActorRefFrom<WorkflowMachine> | undefined = supervisor.system.get(workflowSystemId(workflowId));
    if (!ref) {
      this.#forget(workflowId);
      hooks?.abandoned();
      throw new Error(`workflow actor ${workflowId} did not start`);
    }
    // Always forwarded: a listener added mid-run (enableMonitoring, say) gets this run's tasks too.
    const subscription = ref.on('task.finished', ({ agentId, result, presettled }) => {
      if (!presettled) hooks?.taskFinished(agentId, result);
      events.emit('task.finished', { workflowId, agentId, result });
    });
    run.attach(ref);
    this.#options.spend?.open(workflowId);
    const onAbort = () => ref.send({ type: 'workflow.cancel', reason: new CancelledError('the caller aborted the workflow').message });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let output: WorkflowOutput;
    try {
      const done = toPromise(ref);
      // Aborted before the start: cancelled while pending, so no task is spawned at all.
      if (options.signal?.aborted) onAbort();
      else {
        ref.send({ type: 'workflow.start' });
        if (run.cancelledEarly !== undefined) ref.send({ type: 'workflow.cancel', reason: run.cancelledEarly });
      }
      // A run stopped without finishing (its supervisor stopped) has no output.
      const finished: WorkflowOutput | undefined = await done;
      if (finished === undefined) throw new ShutDownError();
      output = this.#withChargedSpend(await this.#withSpendOfCancelled(finished));
    } catch (error) {
      hooks?.abandoned();
      throw error;
    } finally {
      subscription.unsubscribe();
      options.signal?.removeEventListener('abort', onAbort);
      this.#forget(workflowId);
    }
    const result = await this.#assemble(output, options, started);
    await hooks?.finished(result);
    events.emit('workflow.finished', { workflowId, result });
    return result;
  }

  /**
   * Cancelled tasks that were running get the usage, cost and attempts of
   * their own (aborted) run. Aborted runs settle within a tick; one that does
   * not within {@link LATE_RESULT_GRACE_MS} keeps the cancelled result as is.
   */
  async #withSpendOfCancelled(output: WorkflowOutput): Promise<WorkflowOutput> {
    const running = this.#runs.get(output.workflowId)?.inFlight;
    const cancelled = Object.values(output.results).filter(
      (result) => result.status === 'cancelled' && running?.has(result.agentId),
    );
    const started = this.#options.now();
    // Model calls still settling (a call that completed as its task was cancelled or timed out) are charged first.
    const settling = this.#options.spend?.settled(output.workflowId, LATE_RESULT_GRACE_MS);
    if (!running || cancelled.length === 0) {
      await settling;
      return output;
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), LATE_RESULT_GRACE_MS);
    });
    const late = await Promise.all(
      cancelled.map((result) => Promise.race([running.get(result.agentId)?.catch(() => undefined), grace])),
    );
    clearTimeout(timer);
    await this.#options.spend?.settled(output.workflowId, Math.max(0, LATE_RESULT_GRACE_MS - (this.#options.now() - started)));
    const results: Record<string, TaskResult> = Object.assign(Object.create(null) as Record<string, TaskResult>, output.results);
    cancelled.forEach((result, index) => {
      const spent = late[index];
      if (!spent) return;
      results[result.agentId] = { ...result, usage: spent.usage, costCents: spent.costCents, attempts: spent.attempts };
    });
    return { ...output, results };
  }

  /**
   * Each task's cost and usage as the gateway charged them: a call that
   * completed as its task was cancelled (or timed out) is charged by the ledger
   * though no agent saw its answer, and belongs in the task's cost all the same.
   */
  #withChargedSpend(output: WorkflowOutput): WorkflowOutput {
    const spend = this.#options.spend;
    if (!spend) return output;
    let results: Record<string, TaskResult> | undefined;
    for (const [agentId, result] of Object.entries(output.results)) {
      const charged = spend.taskSpend(output.workflowId, agentId);
      if (!charged || charged.costCents === result.costCents) continue;
      results ??= Object.assign(Object.create(null) as Record<string, TaskResult>, output.results);
      results[agentId] = { ...result, costCents: charged.costCents, usage: charged.usage };
    }
    return results ? { ...output, results } : output;
  }

  #forget(workflowId: string): void {
    this.#runs.delete(workflowId);
    this.#options.spend?.close(workflowId);
  }

  async #assemble(output: WorkflowOutput, options: ExecuteWorkflowOptions, started: number): Promise<WorkflowResult> {
    let usage: TokenUsage = EMPTY_USAGE;
    let totalCostCents = 0;
    let simulated = false;
    const providers = new Set<string>();
    const thinkingTraces: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const result of Object.values(output.results)) {
      usage = addUsage(usage, result.usage);
      totalCostCents = addCents(totalCostCents, result.costCents);
      simulated ||= result.simulated;
      for (const name of result.providers ?? []) providers.add(name);
      if (options.collectThinkingTraces && result.thinkingProcess) thinkingTraces[result.agentId] = result.thinkingProcess;
    }
    let summary = digestOf(output.results, output.status);
    if (options.generateSummary && !this.#closing) {
      const { model, provider } = this.#options.defaultModel();
      try {
        const outcome = await this.#options.gateway.call({
          agentId: 'orchestrator',
          purpose: 'summary',
          provider,
          workflowId: output.workflowId,
          callKey: `${output.workflowId}/summary`,
          request: {
            model,
            maxTokens: 1024,
            system: 'You write concise executive summaries of multi-agent workflow results.',
            messages: [{ role: 'user', content: `Summarise these workflow results for a decision maker:\n\n${summary}` }],
          },
        });
        summary = outcome.response.text;
        usage = addUsage(usage, outcome.response.usage);
        totalCostCents = addCents(totalCostCents, outcome.costCents);
        simulated ||= outcome.response.simulated === true;
        providers.add(provider);
      } catch (error) {
        summary = `${summary}\n\n(The summary could not be generated: ${error instanceof Error ? error.message : String(error)})`;
      }
    }
    return {
      workflowId: output.workflowId,
      status: output.status,
      results: output.results,
      summary,
      durationSeconds: (this.#options.now() - started) / 1000,
      totalCostCents,
      thinkingTraces,
      usage,
      simulated,
      providers: [...providers],
    };
  }
}
