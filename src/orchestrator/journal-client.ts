/**
 * The journal capability of the Orchestrator (`orchestrator.journal`): the
 * runs recorded in the workspace, to list, read, delete, resume after a
 * crash, and replay. The flat names (`listWorkflows`, `resumeWorkflow`,
 * `replayWorkflow`, ...) call these.
 */
import type { WorkflowResult } from '../protocols/task.js';
import type { WorkflowRecord } from '../journal/journal.js';
import {
  deleteJournaledWorkflow,
  getJournaledWorkflow,
  listJournaledWorkflows,
  replayJournaledWorkflow,
  resumeJournaledWorkflow,
} from '../runs/resume.js';
import type { ReplayResult, ReplayWorkflowOptions, ResumeWorkflowOptions } from '../runs/replay.js';
import { requireId } from '../util/arguments.js';
import { checkDurableRunOptions } from './api-arguments.js';
import type { Runtime } from './runtime.js';

/**
 * Journaled runs.
 *
 * @example
 * ```ts
 * for (const run of await orchestrator.journal.list()) {
 *   if (run.status === 'interrupted') await orchestrator.journal.resume({ workflowId: run.workflowId });
 * }
 * ```
 */
export class JournalClient {
  readonly #runtime: Runtime;
  readonly #assertOpen: () => void;

  /** @internal Built by the Orchestrator. */
  constructor(runtime: Runtime, assertOpen: () => void) {
    this.#runtime = runtime;
    this.#assertOpen = assertOpen;
  }

  /**
   * Every journaled workflow in the workspace, most recently started first.
   * @example
   * ```ts
   * for (const run of await orchestrator.listWorkflows()) console.log(run.workflowId, run.status, run.totalCostCents);
   * ```
   */
  async list(): Promise<WorkflowRecord[]> {
    return listJournaledWorkflows(this.#runtime);
  }

  /**
   * One journaled workflow: status, start and end, each task's status, cost, and the result once finished.
   * @example
   * ```ts
   * const run = await orchestrator.getWorkflow('wf_abc');
   * if (run?.status === 'interrupted') await orchestrator.resumeWorkflow({ workflowId: run.workflowId });
   * ```
   */
  async get(workflowId: string): Promise<WorkflowRecord | undefined> {
    requireId(workflowId, 'workflowId', 'config');
    return getJournaledWorkflow(this.#runtime, workflowId);
  }

  /**
   * Deletes a run's journal (and its stored summary): it no longer appears in
   * `listWorkflows` and can no longer be resumed or replayed. An interrupted
   * run is deleted too (it may still be running in another process).
   * @throws WorkflowRunningError (`WORKFLOW_RUNNING`) when it runs in this process;
   *   WorkflowNotFoundError when no journal holds it; ConfigError when journaling is off.
   *
   * @example
   * ```ts
   * for (const run of await orchestrator.listWorkflows()) if (run.status === 'succeeded') await orchestrator.deleteWorkflow(run.workflowId);
   * ```
   */
  async delete(workflowId: string): Promise<void> {
    return deleteJournaledWorkflow(this.#runtime, workflowId);
  }

  /**
   * Continues a workflow whose process died, from its journal, under the same
   * workflowId: finished tasks keep their recorded results, recorded model
   * responses are reused, tasks that were in flight run again. Register the
   * same templates, tools and providers first. Conditions cannot be
   * journaled: pass the same `tasks` to restore them; without them a
   * conditional task not yet decided before the crash runs.
   * A finished run's recorded result is returned as is.
   * @throws WorkflowNotFoundError when no journal holds the id; ConfigError when journaling is off.
   * @example
   * ```ts
   * // a new process, same workspacePath
   * const orchestrator = new Orchestrator({ workspacePath: '/var/app/.troupe' });
   * const interrupted = (await orchestrator.listWorkflows()).filter((run) => run.status === 'interrupted');
   * for (const run of interrupted) await orchestrator.resumeWorkflow({ workflowId: run.workflowId, tasks });
   * ```
   */
  async resume(options: ResumeWorkflowOptions): Promise<WorkflowResult> {
    this.#assertOpen();
    checkDurableRunOptions(options, 'resumeWorkflow');
    return resumeJournaledWorkflow(this.#runtime, options);
  }

  /**
   * Replays a finished workflow under a new workflowId. Without
   * modifications every model call is served from the recording (zero model
   * calls; a call it does not hold is a REPLAY_MISMATCH error) and the results
   * equal the original's. With modifications the run is executed again with
   * the new agent parameters (real model calls). Either way the result
   * carries a per-task diff against the original.
   * @throws WorkflowNotFoundError, ReplayMismatchError, ConfigError (bad modifications or journaling off).
   * @example
   * ```ts
   * const same = await orchestrator.replayWorkflow({ workflowId: run.workflowId });
   * const cooler = await orchestrator.replayWorkflow({
   *   workflowId: run.workflowId,
   *   modifications: { agentModel: 'gpt-4o', temperature: 0.3, agents: { reviewer: { maxTokens: 512 } } },
   * });
   * console.log(cooler.diff.changed, cooler.diff.tasks.reviewer?.confidenceAfter);
   * ```
   */
  async replay(options: ReplayWorkflowOptions): Promise<ReplayResult> {
    this.#assertOpen();
    checkDurableRunOptions(options, 'replayWorkflow');
    return replayJournaledWorkflow(this.#runtime, options);
  }
}
