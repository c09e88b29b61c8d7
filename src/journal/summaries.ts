/**
 * Summaries of finished runs, stored beside their journals so that
 * `listWorkflows` and `getWorkflow` read one small record per run instead of
 * decoding every line (prompts and answers included) of every journal. A
 * summary names the journal length it was made from; once the journal grows
 * (the id was run again) or the summary is unreadable, it is ignored and the
 * journal is read in full. Storages without summary support are always read
 * in full.
 */
import type { JournalStorage } from '../storage/journal-storage.js';
import { parseSafe, stringifySafe } from '../storage/superjson-safe.js';
import type { WorkflowRecord } from './workflow-record.js';

const FINISHED: ReadonlySet<string> = new Set(['succeeded', 'partial', 'failed', 'cancelled']);

/** Whether a run's record is final: only finished runs are summarised (a running or interrupted run still changes). */
export function isFinishedRecord(record: WorkflowRecord): boolean {
  return FINISHED.has(record.status) && record.finishedAt !== null;
}

function isWorkflowRecord(value: unknown, workflowId: string): value is WorkflowRecord {
  if (typeof value !== 'object' || value === null) return false;
  const field = (key: string): unknown => Reflect.get(value, key);
  const status = field('status');
  return (
    field('workflowId') === workflowId &&
    typeof status === 'string' &&
    FINISHED.has(status) &&
    typeof field('startedAt') === 'number' &&
    typeof field('finishedAt') === 'number' &&
    Array.isArray(field('resumedAt')) &&
    typeof field('tasks') === 'object' &&
    typeof field('totalCostCents') === 'number' &&
    typeof field('modelCalls') === 'number' &&
    typeof field('result') === 'object'
  );
}

/**
 * The stored summary of a finished run, when it matches the journal as it is now.
 *
 * @example
 * ```ts
 * const record = (await readSummary(storage, 'wf_1')) ?? summarizeInFull('wf_1');
 * ```
 */
export async function readSummary(storage: JournalStorage, workflowId: string): Promise<WorkflowRecord | undefined> {
  if (!storage.readSummary || !storage.size) return undefined;
  const text = await storage.readSummary(workflowId);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = parseSafe(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const journalBytes: unknown = Reflect.get(value, 'journalBytes');
  const record: unknown = Reflect.get(value, 'record');
  if (journalBytes !== (await storage.size(workflowId))) return undefined;
  return isWorkflowRecord(record, workflowId) ? record : undefined;
}

/**
 * Stores a finished run's summary, made from a journal of `journalBytes` UTF-8
 * bytes. `scrub` cuts keys out of the text, as the journal's own lines are.
 */
export async function writeSummary(
  storage: JournalStorage,
  record: WorkflowRecord,
  journalBytes: number,
  scrub: (text: string) => string = (text) => text,
): Promise<void> {
  if (!storage.writeSummary || !isFinishedRecord(record)) return;
  await storage.writeSummary(record.workflowId, scrub(stringifySafe({ journalBytes, record })));
}
