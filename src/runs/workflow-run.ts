/**
 * One workflow run's state while it is in progress, in one object: its id and
 * parallel limit, its conditions (functions never enter an actor), the
 * decisions a resumed run carries over, its observer's hooks, its actor, and
 * its tasks in flight. The runner keeps one per live run, by id.
 */
import type { ActorRefFrom } from 'xstate';
import type { SubAgentTaskSpec, TaskResult } from '../protocols/task.js';
import type { WorkflowRunHooks } from '../protocols/run.js';
import type { WorkflowMachine } from '../actors/workflow/machine.js';
import { conditionDecision } from '../actors/workflow/task-rules.js';

/** A task's condition, as the caller gave it. */
export type TaskCondition = NonNullable<SubAgentTaskSpec['condition']>;

/**
 * A run in progress.
 *
 * @example
 * ```ts
 * const run = new WorkflowRun('wf_1', 4, conditionsOf(tasks));
 * run.attach(ref);
 * run.evaluateCondition('writer', results);
 * ```
 */
export class WorkflowRun {
  readonly workflowId: string;
  /** The run's maxParallelAgents: its `executeWorkflow` override, else the orchestrator's. */
  readonly maxParallel: number;
  /** Tasks running now, so a task cancelled mid-call still reports what it spent. */
  readonly inFlight = new Map<string, Promise<TaskResult>>();
  readonly #conditions: ReadonlyMap<string, TaskCondition>;
  readonly #decisions: ReadonlyMap<string, boolean> | undefined;
  #hooks: WorkflowRunHooks | undefined;
  #ref: ActorRefFrom<WorkflowMachine> | undefined;
  #cancelledEarly: string | undefined;

  constructor(
    workflowId: string,
    maxParallel: number,
    conditions: ReadonlyMap<string, TaskCondition>,
    decisions?: ReadonlyMap<string, boolean>,
  ) {
    this.workflowId = workflowId;
    this.maxParallel = maxParallel;
    this.#conditions = conditions;
    this.#decisions = decisions;
  }

  /** The observer's hooks (the journal), once it accepted the run. */
  get hooks(): WorkflowRunHooks | undefined {
    return this.#hooks;
  }

  set hooks(hooks: WorkflowRunHooks | undefined) {
    this.#hooks = hooks;
  }

  /** The run's actor, once it started. */
  get ref(): ActorRefFrom<WorkflowMachine> | undefined {
    return this.#ref;
  }

  /** Binds the run to its started actor; a cancel asked for before this is delivered now. */
  attach(ref: ActorRefFrom<WorkflowMachine>): void {
    this.#ref = ref;
  }

  /** A cancel that arrived before the actor started, to deliver right after its start. */
  get cancelledEarly(): string | undefined {
    return this.#cancelledEarly;
  }

  /** Cancels the run: its tasks in flight are aborted, the rest end `cancelled`. */
  cancel(reason: string): void {
    if (this.#ref) this.#ref.send({ type: 'workflow.cancel', reason });
    else this.#cancelledEarly ??= reason;
  }

  /** Notes a task's run in progress. */
  track(agentId: string, running: Promise<TaskResult>): Promise<TaskResult> {
    this.inFlight.set(agentId, running);
    return running;
  }

  /**
   * Whether a task proceeds: a decision recorded before a crash stands;
   * otherwise its condition decides (strictly a boolean), and the decision is
   * reported to the observer. A task without a condition proceeds.
   */
  evaluateCondition(agentId: string, results: Parameters<TaskCondition>[0]): boolean {
    const recorded = this.#decisions?.get(agentId);
    if (recorded !== undefined) return recorded;
    const condition = this.#conditions.get(agentId);
    const proceed = condition ? conditionDecision(agentId, condition(results)) : true;
    this.#hooks?.conditionDecided(agentId, proceed);
    return proceed;
  }
}
