/**
 * Journal records: the event kinds a workflow journal holds, how a line is
 * encoded (superjson, reserved keys escaped) and how a log's text is read
 * back, with every line's shape checked: a malformed line is skipped by the
 * summaries and makes resume and replay refuse the journal (JOURNAL_CORRUPT). The journals themselves are in journal.ts.
 */
import { plainJsonText } from '../storage/plain-json.js';
import { parseSafe, stringifySafe } from '../storage/superjson-safe.js';
import type { ErrorData } from '../protocols/errors/errors.js';
import { JournalCorruptError } from '../protocols/errors/errors.js';
import type { ModelCallPurpose } from '../protocols/gateway.js';
import type { ModelResponse } from '../protocols/model.js';
import type { SubAgentTaskSpec, TaskResult, WorkflowResult } from '../protocols/task.js';
import type { StoredModelRequest } from '../providers/request-hash.js';
import { journalRecordProblem } from './record-schemas.js';
import type { JournalRecordProblem } from './record-schemas.js';
import type { ReplayModifications } from '../protocols/run.js';
import type { ApprovalDecision, ApprovalRequest } from '../protocols/approval.js';

export type { ReplayModifications } from '../protocols/run.js';

/** A task as journaled: the spec without its condition (a function), and whether it had one. */
export type JournaledTaskSpec = Omit<SubAgentTaskSpec, 'condition'> & { readonly hasCondition: boolean };

/** The run options a resume needs again. */
export interface JournaledRunOptions {
  readonly continueOnFailure: boolean;
  readonly collectThinkingTraces: boolean;
  readonly generateSummary: boolean;
  readonly maxParallelAgents: number;
}


/** Every kind of journal event, without the line's `seq`. */
export type JournalEntry =
  | {
      readonly type: 'workflow.started';
      readonly at: number;
      readonly workflowId: string;
      readonly tasks: readonly JournaledTaskSpec[];
      readonly options: JournaledRunOptions;
      /** Set on replays: the recorded run this one replays. */
      readonly replayOf?: string;
      readonly modifications?: ReplayModifications;
    }
  | { readonly type: 'workflow.resumed'; readonly at: number; readonly presettled: readonly string[] }
  | { readonly type: 'task.started'; readonly at: number; readonly agentId: string; readonly attempt: number }
  | { readonly type: 'task.finished'; readonly at: number; readonly agentId: string; readonly result: TaskResult }
  | { readonly type: 'condition.decided'; readonly at: number; readonly agentId: string; readonly proceed: boolean }
  | {
      readonly type: 'model.call';
      readonly at: number;
      readonly agentId: string;
      readonly purpose: ModelCallPurpose;
      readonly provider: string;
      readonly callKey?: string;
      /** The callKey without the run's workflowId prefix: the same across runs of the same tasks. */
      readonly relativeKey?: string;
      readonly taskId?: string;
      readonly requestHash: string;
      readonly request: StoredModelRequest;
      readonly response: ModelResponse;
      readonly costCents: number;
      /** Served from a recording (a replay), not a model. */
      readonly replayed: boolean;
    }
  | {
      readonly type: 'model.failed';
      readonly at: number;
      readonly agentId: string;
      readonly purpose: ModelCallPurpose;
      readonly callKey?: string;
      readonly relativeKey?: string;
      readonly taskId?: string;
      readonly requestHash: string;
      readonly error: ErrorData;
    }
  | {
      readonly type: 'artifact.written';
      readonly at: number;
      readonly agentId: string;
      readonly taskId: string;
      readonly artifactId: string;
      readonly version: number;
    }
  | {
      /** A registered tool's result (MCP tools included), so resume and replay serve it instead of calling the tool. */
      readonly type: 'tool.call';
      readonly at: number;
      readonly agentId: string;
      readonly taskId: string;
      readonly callKey: string;
      readonly relativeKey: string;
      /** The tool's registered name. */
      readonly name: string;
      readonly result: JournaledToolResult;
      /** Served from a recording (a replay or resume), not the tool. */
      readonly replayed: boolean;
    }
  | {
      /** A run started waiting for a person (see orchestrator.approvals); a resume shows it pending again. */
      readonly type: 'approval.requested';
      readonly at: number;
      readonly request: ApprovalRequest;
      /** The request's key without the run's id: the same across runs of the same tasks. */
      readonly relativeKey: string;
    }
  | {
      /** A person's decision on an approval: a resume or replay is served it instead of waiting again. */
      readonly type: 'approval.decided';
      readonly at: number;
      readonly approvalId: string;
      readonly relativeKey: string;
      readonly decision: ApprovalDecision;
    }
  | { readonly type: 'workflow.finished'; readonly at: number; readonly result: WorkflowResult };

/** A tool call's result as the model read it. */
export interface JournaledToolResult {
  readonly content: string;
  readonly isError?: boolean;
}

/** A journal line: an entry and its position in the log. */
export type JournalRecord = JournalEntry & { readonly seq: number };

/** Encodes one record as a line (superjson with reserved keys escaped; JSON escapes newlines, so it is one line). */
export function encodeRecord(record: JournalRecord): string {
  return stringifySafe(record);
}

/**
 * Encodes a record about to be written, or names why resume would refuse it.
 * A record of plain JSON is built by troupe from values checked where they
 * entered (provider responses, custom agents' replies, tool text, config and
 * inputData), so its shape holds by construction and it is encoded in one walk.
 * Anything else (a NaN cost, a Date, `undefined` in a list) is checked against
 * the record schemas first: such a record is never written.
 *
 * @example
 * ```ts
 * encodeForWrite({ seq: 1, at: 0, type: 'task.started', agentId: 'a', attempt: 1 }); // { line: '{"json":{…}}' }
 * ```
 */
export function encodeForWrite(record: JournalRecord): { readonly line: string } | { readonly problem: JournalRecordProblem } {
  const plain = plainJsonText(record);
  if (plain !== undefined) return { line: plain };
  const problem = journalRecordProblem(record);
  return problem ? { problem } : { line: encodeRecord(record) };
}

/**
 * Whether a decoded line is a journal record of the right shape, nested
 * results and responses included (see journal-record-schemas.ts).
 */
export function isJournalRecord(value: unknown): value is JournalRecord {
  return journalRecordProblem(value) === undefined;
}

/** A complete line that decoded but is not a well-formed record: where, and which field is wrong. */
export interface MalformedJournalLine extends JournalRecordProblem {
  /** 1-based line number. */
  readonly line: number;
}

/** What reading a journal found. */
export interface JournalReading {
  readonly workflowId: string;
  /** Complete, well-formed events, in order. */
  readonly records: readonly JournalRecord[];
  /** The log ended in a partial line (a write cut short by a crash); it was ignored. */
  readonly tornTail: boolean;
  /** 1-based numbers of complete lines that could not be decoded or are malformed; they were ignored. */
  readonly skippedLines: readonly number[];
  /** The skipped lines that decoded but have wrongly shaped fields: resume and replay refuse such a journal. */
  readonly malformedLines: readonly MalformedJournalLine[];
}

/**
 * Parses a log's text. Only newline-terminated lines count as written: a
 * final fragment is a torn write and is ignored, as is any undecodable line.
 *
 * @example
 * ```ts
 * const { records, tornTail } = parseJournal('wf_1', storage.read('wf_1') ?? '');
 * ```
 */
export function parseJournal(workflowId: string, text: string): JournalReading {
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const records: JournalRecord[] = [];
  const skippedLines: number[] = [];
  const malformedLines: MalformedJournalLine[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = parseSafe(line);
    } catch {
      skippedLines.push(index + 1);
      return;
    }
    if (isJournalRecord(value)) {
      records.push(value);
      return;
    }
    skippedLines.push(index + 1);
    malformedLines.push({ line: index + 1, ...(journalRecordProblem(value) ?? { field: '(record)', reason: 'not a journal record' }) });
  });
  return { workflowId, records, tornTail: tail.length > 0, skippedLines, malformedLines };
}

/**
 * The reading, when no line of it is malformed; resume and replay call it
 * before trusting a journal.
 * @throws JournalCorruptError naming the first malformed line and its field.
 *
 * @example
 * ```ts
 * const { records } = requireWellFormed(journals.read('wf_1'));
 * ```
 */
export function requireWellFormed(reading: JournalReading): JournalReading {
  const first = reading.malformedLines[0];
  if (first === undefined) return reading;
  const more = reading.malformedLines.length === 1 ? '' : ` (and ${reading.malformedLines.length - 1} more)`;
  throw new JournalCorruptError(reading.workflowId, `line ${first.line}, field ${first.field}: ${first.reason}${more}`, {
    line: first.line,
    field: first.field,
  });
}

/**
 * The records of the latest run under this id: a run started again under the
 * same workflowId (not resumed) supersedes what was journaled before it.
 *
 * @example
 * ```ts
 * const records = currentRun(reading.records);
 * ```
 */
export function currentRun(records: readonly JournalRecord[]): readonly JournalRecord[] {
  for (let index = records.length - 1; index >= 0; index--) {
    if (records[index]?.type === 'workflow.started') return records.slice(index);
  }
  return [];
}

/**
 * The run a workflowId belongs to: itself, or its longest `<run>/` prefix
 * that qualifies (consensus voters run under `<run>/consensus:...`).
 */
export function runOf(workflowId: string | undefined, qualifies: (runId: string) => boolean): string | undefined {
  if (workflowId === undefined) return undefined;
  for (let cut = workflowId.length; cut > 0; cut = workflowId.lastIndexOf('/', cut - 1)) {
    const prefix = workflowId.slice(0, cut);
    if (qualifies(prefix)) return prefix;
  }
  return undefined;
}
