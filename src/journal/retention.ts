/**
 * Journal retention: which finished runs to delete so that journals do not
 * pile up. Running and interrupted runs (resumable) are never chosen.
 */
import type { WorkflowRecord } from './workflow-record.js';
import { isFinishedRecord } from './summaries.js';

/** The `journalRetention` setting: keep at most this many finished runs, none older than this. */
export interface JournalRetention {
  /** Finished runs kept, the most recently started first; older ones are deleted. */
  readonly maxWorkflows?: number;
  /** Finished runs whose end is older than this are deleted. */
  readonly maxAgeHours?: number;
}

/**
 * The workflow ids retention deletes, from `records` (most recently started first).
 *
 * @example
 * ```ts
 * const doomed = expiredRuns(journals.list(), { maxWorkflows: 100 }, Date.now());
 * ```
 */
export function expiredRuns(records: readonly WorkflowRecord[], retention: JournalRetention, now: number): string[] {
  const finished = records.filter(isFinishedRecord);
  const cutoff = retention.maxAgeHours === undefined ? -Infinity : now - retention.maxAgeHours * 3_600_000;
  return finished
    .filter((record, index) => (retention.maxWorkflows !== undefined && index >= retention.maxWorkflows) || (record.finishedAt ?? now) < cutoff)
    .map((record) => record.workflowId);
}
