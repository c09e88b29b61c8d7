/**
 * The workflow journal: each run appends its events, one line per event, so a
 * run can be resumed after a crash or replayed with zero repeated model calls.
 */
export { RunJournal, WorkflowJournals, journalsFromSetting } from './journal.js';
export type { DistributiveOmit, JournalSetting, ReplayModifications } from './journal.js';
export { createJournalObserver, journalArtifactWrite } from './observer.js';
export { journalRecordProblem } from './record-schemas.js';
export type { JournalRecordProblem } from './record-schemas.js';
export { JournalCallRecorder } from './recorder.js';
export type { RecordedApproval, ReplayMismatch, ToolCallKey } from './recorder.js';
export {
  currentRun,
  encodeForWrite,
  encodeRecord,
  isJournalRecord,
  parseJournal,
  requireWellFormed,
  runOf,
} from './records.js';
export type {
  JournalEntry,
  JournalReading,
  JournalRecord,
  JournaledRunOptions,
  JournaledTaskSpec,
  JournaledToolResult,
  MalformedJournalLine,
} from './records.js';
export { expiredRuns } from './retention.js';
export type { JournalRetention } from './retention.js';
export { RunSummary, summarizeJournal } from './run-summary.js';
export { isFinishedRecord, readSummary, writeSummary } from './summaries.js';
export { runJournaledTool } from './tool-journal.js';
export type { JournaledRunStatus, JournaledTaskStatus, WorkflowRecord } from './workflow-record.js';
