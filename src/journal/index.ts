/**
 * The workflow journal: each run appends its events, one line per event, so a
 * run can be resumed after a crash or replayed with zero repeated model calls.
 */
export { RunJournal, WorkflowJournals, journalsFromSetting } from './journal.js';
export type {
  DistributiveOmit,
  JournalSetting,
  JournaledRunStatus,
  JournaledTaskStatus,
  ReplayModifications,
  WorkflowRecord,
} from './journal.js';
export { createJournalObserver, journalArtifactWrite } from './observer.js';
export { JournalCallRecorder } from './recorder.js';
export type { ReplayMismatch } from './recorder.js';
export { currentRun, encodeRecord, isJournalRecord, parseJournal, runOf } from './records.js';
export type {
  JournalEntry,
  JournalReading,
  JournalRecord,
  JournaledRunOptions,
  JournaledTaskSpec,
} from './records.js';
