/**
 * A run's WorkflowRecord, folded from its journal records one at a time. The
 * same fold serves a log read back in full (`getWorkflow` of a run without a
 * stored summary) and a run being written (its journal feeds every record it
 * appends, so closing the run stores its summary without reading the log again).
 */
import type { ApprovalRequest } from '../protocols/approval.js';
import type { TaskResult } from '../protocols/task.js';
import { addCents } from '../protocols/cents.js';
import type { JournalReading, JournalRecord } from './records.js';
import type { JournaledRunStatus, JournaledTaskStatus, WorkflowRecord } from './workflow-record.js';

type StartedRecord = Extract<JournalRecord, { type: 'workflow.started' }>;
type FinishedRecord = Extract<JournalRecord, { type: 'workflow.finished' }>;

/** Whether the workflow task a step's taskId (`<run>/<agentId>...`) belongs to has settled for good. */
function settledTask(tasks: Readonly<Record<string, JournaledTaskStatus>>, workflowId: string, taskId: string): boolean {
  const agentId = taskId.startsWith(`${workflowId}/`) ? taskId.slice(workflowId.length + 1).split(/[/#]/)[0] : undefined;
  const status = agentId === undefined || !Object.hasOwn(tasks, agentId) ? undefined : tasks[agentId];
  // A cancelled task was stopped, not finished: a resume runs it again and asks again.
  return status !== undefined && status !== 'pending' && status !== 'running' && status !== 'cancelled';
}

/**
 * Folds journal records into the record of the log's current run (the part
 * from its last `workflow.started`: a `workflow.started` starts the fold over).
 *
 * @example
 * ```ts
 * const summary = new RunSummary('wf_1');
 * for (const record of parseJournal('wf_1', text).records) summary.add(record);
 * summary.record(false)?.status; // 'succeeded', or 'interrupted' for a log that stops early
 * ```
 */
export class RunSummary {
  readonly workflowId: string;
  #started: StartedRecord | undefined;
  #finished: FinishedRecord | undefined;
  #resumedAt: number[] = [];
  #tasks = new Map<string, JournaledTaskStatus>();
  /** The finished tasks' cost so far (a run's total before it finishes). */
  #taskCostCents: Map<string, number> = new Map();
  #modelCalls = 0;
  #approvals = new Map<string, ApprovalRequest>();

  constructor(workflowId: string) {
    this.workflowId = workflowId;
  }

  add(record: JournalRecord): void {
    switch (record.type) {
      case 'workflow.started':
        this.#restart(record);
        break;
      case 'workflow.resumed':
        this.#resumedAt.push(record.at);
        // Tasks in flight at the crash run again: back to pending until they start.
        for (const [agentId, status] of this.#tasks) if (status === 'running') this.#tasks.set(agentId, 'pending');
        break;
      case 'task.started':
        if (this.#tasks.get(record.agentId) === 'pending') this.#tasks.set(record.agentId, 'running');
        break;
      case 'task.finished':
        this.#finishTask(record.agentId, record.result);
        break;
      case 'model.call':
        if (!record.replayed) this.#modelCalls++;
        break;
      case 'approval.requested':
        this.#approvals.set(record.relativeKey, record.request);
        break;
      case 'approval.decided':
        this.#approvals.delete(record.relativeKey);
        break;
      case 'workflow.finished':
        this.#finished = record;
        break;
      default:
        break;
    }
  }

  /** The run's record; undefined before its `workflow.started`. `runningHere`: this process is still running it. */
  record(runningHere: boolean): WorkflowRecord | undefined {
    const started = this.#started;
    if (!started) return undefined;
    const finished = this.#finished;
    // fromEntries defines own keys: an agent id like `__proto__` stays a plain key.
    const tasks: Record<string, JournaledTaskStatus> = Object.fromEntries(this.#tasks);
    const pendingApprovals = finished
      ? []
      : [...this.#approvals.values()].filter((request) => !settledTask(tasks, this.workflowId, request.taskId));
    const status: JournaledRunStatus = finished ? finished.result.status : runningHere ? 'running' : 'interrupted';
    let taskCostCents = 0;
    if (!finished) for (const cost of this.#taskCostCents.values()) taskCostCents = addCents(taskCostCents, cost);
    return {
      workflowId: this.workflowId,
      status,
      startedAt: started.at,
      finishedAt: finished?.at ?? null,
      resumedAt: [...this.#resumedAt],
      tasks,
      totalCostCents: finished ? finished.result.totalCostCents : taskCostCents,
      modelCalls: this.#modelCalls,
      ...(started.replayOf === undefined ? {} : { replayOf: started.replayOf }),
      ...(started.modifications === undefined ? {} : { modifications: started.modifications }),
      ...(finished ? { result: finished.result } : {}),
      ...(pendingApprovals.length > 0 ? { pendingApprovals } : {}),
    };
  }

  #restart(record: StartedRecord): void {
    this.#started = record;
    this.#finished = undefined;
    this.#resumedAt = [];
    this.#tasks = new Map();
    this.#taskCostCents = new Map();
    this.#modelCalls = 0;
    this.#approvals = new Map();
    for (const task of record.tasks) if (!this.#tasks.has(task.agentId)) this.#tasks.set(task.agentId, 'pending');
  }

  #finishTask(agentId: string, result: TaskResult): void {
    if (!this.#tasks.has(agentId)) return;
    this.#tasks.set(agentId, result.status);
    this.#taskCostCents.set(agentId, result.costCents);
  }
}

/**
 * Folds a reading into the record of its current run; undefined when the run's start is not in it.
 *
 * @example
 * ```ts
 * const record = summarizeJournal(parseJournal(id, text), false);
 * ```
 */
export function summarizeJournal(reading: JournalReading, runningHere: boolean): WorkflowRecord | undefined {
  const summary = new RunSummary(reading.workflowId);
  for (const record of reading.records) summary.add(record);
  return summary.record(runningHere);
}
