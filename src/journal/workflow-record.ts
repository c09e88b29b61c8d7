/** A run as its journal tells it: what `listWorkflows` and `getWorkflow` return. */
import type { TaskStatus, WorkflowResult, WorkflowStatus } from '../protocols/task.js';
import type { ReplayModifications } from '../protocols/run.js';
import type { ApprovalRequest } from '../protocols/approval.js';

/** A run's state as the journal tells it. */
export type JournaledRunStatus = WorkflowStatus | 'running' | 'interrupted';

/** Where each task of a journaled run is. */
export type JournaledTaskStatus = TaskStatus | 'running' | 'pending';

/** A run read back from its journal (`listWorkflows`, `getWorkflow`). */
export interface WorkflowRecord {
  readonly workflowId: string;
  /**
   * `running` while this process runs it; `interrupted` when the journal
   * stops before the run finished (the process died, or another process is
   * still running it): `resumeWorkflow` continues it.
   */
  readonly status: JournaledRunStatus;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  /** When the run was resumed, in order. */
  readonly resumedAt: readonly number[];
  readonly tasks: Readonly<Record<string, JournaledTaskStatus>>;
  /** The finished run's total; before that, the sum over finished tasks. */
  readonly totalCostCents: number;
  /** Model calls answered by a model (not served from a recording). */
  readonly modelCalls: number;
  readonly replayOf?: string;
  readonly modifications?: ReplayModifications;
  /** The WorkflowResult, once finished. */
  readonly result?: WorkflowResult;
  /**
   * Requests that were waiting for a person when the journal stopped (no
   * decision journaled, their task not settled): `resumeWorkflow` shows them
   * in `orchestrator.approvals.list()` again. Absent when there are none.
   */
  readonly pendingApprovals?: readonly ApprovalRequest[];
}

