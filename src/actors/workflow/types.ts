/**
 * A workflow run's data: what it is started with, the services it is bound
 * to, what it holds while running, and what it emits and ends with. Types
 * only, so the run's machine, task runner and settlement share them without
 * importing one another.
 */
import type { ConditionResults, TaskResult, WorkflowStatus } from '../../protocols/task.js';
import type { TaskGraph } from './schedule.js';
import type { NormalizedTask } from './tasks.js';

/** A task as the workflow actor holds it: plain data, the condition left with the orchestrator. */
export type WorkflowTask = NormalizedTask;

/**
 * What a workflow run is started with.
 *
 * @example
 * ```ts
 * const input: WorkflowInput = { workflowId: 'wf_1', tasks, maxParallel: 5, continueOnFailure: false };
 * ```
 */
export interface WorkflowInput {
  readonly workflowId: string;
  readonly tasks: readonly WorkflowTask[];
  readonly maxParallel: number;
  readonly continueOnFailure: boolean;
  /**
   * Results settled before the run starts (a resumed run's finished tasks):
   * used instead of running the task when it becomes decidable, in dependency
   * order, so its dependents see it exactly as if it had just finished.
   */
  readonly presettled?: Readonly<Record<string, TaskResult>>;
}

/** One task to run, with the outputs of the dependencies it waited for. */
export interface RunTaskInput {
  readonly workflowId: string;
  readonly task: WorkflowTask;
  readonly dependencyOutputs: Readonly<Record<string, string>>;
}

/**
 * What a workflow run needs from the system it runs in, bound once when the
 * machine is created, so its context and events stay plain data.
 *
 * @example
 * ```ts
 * const services: WorkflowServices = {
 *   runTask: (input, signal) => runWithRetries(input, signal),
 *   evaluateCondition: () => true,
 *   now: Date.now,
 * };
 * ```
 */
export interface WorkflowServices {
  /** Runs one task to its result (retries, fallback, alternatives). Must not reject. */
  runTask(input: RunTaskInput, signal: AbortSignal): Promise<TaskResult>;
  /** Evaluates a task's user condition (kept outside the actor) on the results so far. */
  evaluateCondition(workflowId: string, agentId: string, results: ConditionResults): boolean;
  now(): number;
}

/**
 * The run's mutable ledger: owned by the run and mutated in place, because
 * copying 10,000 results on every event would make a run O(n²).
 */
export interface RunLedger {
  readonly graph: TaskGraph;
  readonly results: Record<string, TaskResult>;
  readonly byId: ReadonlyMap<string, WorkflowTask>;
  readonly presettled: ReadonlyMap<string, TaskResult>;
  /** Tasks in flight, in start order. */
  readonly inFlight: Set<string>;
}

/** A run's context: its settings, its ledger, and why it stopped early if it did. */
export interface WorkflowContext {
  readonly workflowId: string;
  readonly maxParallel: number;
  readonly continueOnFailure: boolean;
  /** Also what is derived from it: tasks running (`inFlight.size`), settled (`results`). */
  readonly ledger: RunLedger;
  readonly runningSequential: boolean;
  readonly startedAt: number;
  /** Why the run stopped early, if it did. */
  readonly haltReason: string | null;
  readonly cancelledByCaller: boolean;
}

/** How the run ended: its status and every task's result. */
export interface WorkflowOutput {
  readonly workflowId: string;
  readonly status: WorkflowStatus;
  readonly results: Readonly<Record<string, TaskResult>>;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** Emitted as each task settles (ran, skipped or cancelled), for `run.on('task.finished', ...)`. */
export type WorkflowEmitted = {
  readonly type: 'task.finished';
  readonly workflowId: string;
  readonly agentId: string;
  readonly result: TaskResult;
  /** The result was given in `presettled` (recorded earlier), not produced by this run. */
  readonly presettled?: boolean;
};

/** Events a workflow run accepts. */
export type WorkflowEvent =
  | { readonly type: 'workflow.start' }
  /** The caller cancels the run. */
  | { readonly type: 'workflow.cancel'; readonly reason: string }
  /** Raised inside: the first failure stops the run (continueOnFailure off). */
  | { readonly type: 'workflow.halt'; readonly reason: string };
