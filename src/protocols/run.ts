/**
 * The contract between a workflow run and what observes it (the journal):
 * what a run carries over from an earlier one, what its observer is told at
 * its start, and the hooks it calls as tasks settle.
 */
import type { AgentConfig } from './agent.js';
import type { SubAgentTaskSpec, TaskResult, WorkflowResult } from './task.js';

/** What `replayWorkflow` may change. */
export interface ReplayModifications {
  /** Model of every agent of the run. */
  readonly agentModel?: string;
  /** Temperature of every agent of the run. */
  readonly temperature?: number;
  /** Per-agent config overrides, applied on top of the two above. */
  readonly agents?: Readonly<Record<string, AgentConfig>>;
}

/** What a run carries over from an earlier one (resume) or names as its source (replay). */
export interface RunContinuation {
  /** Results recorded before a crash: settled before anything is scheduled, not run again. */
  readonly presettled?: Readonly<Record<string, TaskResult>>;
  /** Condition decisions recorded before a crash: they stand, the condition is not evaluated again. */
  readonly decisions?: ReadonlyMap<string, boolean>;
  /** The run continues an interrupted one with the same workflowId. */
  readonly resumed?: boolean;
  /** The run replays this recorded workflow. */
  readonly replayOf?: string;
  readonly modifications?: ReplayModifications;
}

/** A run about to start, as its observer sees it. */
export interface RunBeginning {
  readonly workflowId: string;
  readonly tasks: readonly SubAgentTaskSpec[];
  readonly options: {
    readonly continueOnFailure: boolean;
    readonly collectThinkingTraces: boolean;
    readonly generateSummary: boolean;
    readonly maxParallelAgents: number;
  };
  readonly continuation: RunContinuation;
  /** Stops the run (its tasks in flight are aborted): for an observer that can no longer do its job. */
  readonly cancel: (reason: string) => void;
}

/**
 * Receives a run's progress; `begin` may reject to refuse the run (nothing has
 * started then). Async so an observer can read and write a networked store.
 */
export interface WorkflowRunObserver {
  begin(run: RunBeginning): Promise<WorkflowRunHooks | undefined>;
}

export interface WorkflowRunHooks {
  /** A task settled in this run (not the presettled ones). */
  taskFinished(agentId: string, result: TaskResult): void;
  conditionDecided(agentId: string, proceed: boolean): void;
  /** The run finished; the runner waits for it before returning the result. */
  finished(result: WorkflowResult): Promise<void>;
  /** The run ended without a result (an internal error). */
  abandoned(): void;
}

