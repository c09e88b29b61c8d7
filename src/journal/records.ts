/**
 * Journal records: the event kinds a workflow journal holds, how a line is
 * encoded (superjson) and how a log's text is read back, with every line's
 * shape checked so a damaged journal is skipped over rather than crashing
 * its readers. The journals themselves are in journal.ts.
 */
import superjson from 'superjson';
import type { AgentConfig } from '../protocols/agent.js';
import type { ErrorData } from '../protocols/errors.js';
import type { ModelCallPurpose } from '../protocols/gateway.js';
import type { ModelResponse } from '../protocols/model.js';
import type { SubAgentTaskSpec, TaskResult, WorkflowResult } from '../protocols/task.js';
import type { StoredModelRequest } from '../providers/request-hash.js';

/** A task as journaled: the spec without its condition (a function), and whether it had one. */
export type JournaledTaskSpec = Omit<SubAgentTaskSpec, 'condition'> & { readonly hasCondition: boolean };

/** The run options a resume needs again. */
export interface JournaledRunOptions {
  readonly continueOnFailure: boolean;
  readonly collectThinkingTraces: boolean;
  readonly generateSummary: boolean;
  readonly maxParallelAgents: number;
}

/** What `replayWorkflow` may change. */
export interface ReplayModifications {
  /** Model of every agent of the run. */
  readonly agentModel?: string;
  /** Temperature of every agent of the run. */
  readonly temperature?: number;
  /** Per-agent config overrides, applied on top of the two above. */
  readonly agents?: Readonly<Record<string, AgentConfig>>;
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
  | { readonly type: 'workflow.finished'; readonly at: number; readonly result: WorkflowResult };

/** A tool call's result as the model read it. */
export interface JournaledToolResult {
  readonly content: string;
  readonly isError?: boolean;
}

/** A journal line: an entry and its position in the log. */
export type JournalRecord = JournalEntry & { readonly seq: number };

type JournalEntryType = JournalEntry['type'];

const ENTRY_TYPES: ReadonlySet<string> = new Set<JournalEntryType>([
  'workflow.started',
  'workflow.resumed',
  'task.started',
  'task.finished',
  'condition.decided',
  'model.call',
  'model.failed',
  'artifact.written',
  'tool.call',
  'workflow.finished',
]);

/** Encodes one record as a line (superjson; JSON escapes newlines, so it is one line). */
export function encodeRecord(record: JournalRecord): string {
  return superjson.stringify(record);
}

function has(value: object, key: string, type: 'string' | 'number' | 'object' | 'boolean'): boolean {
  const member: unknown = Reflect.get(value, key);
  return type === 'object' ? typeof member === 'object' && member !== null : typeof member === type;
}

/** A nested object whose fields are checked with `has` (a task spec, a result). */
function member(value: object, key: string): object | undefined {
  const inner: unknown = Reflect.get(value, key);
  return typeof inner === 'object' && inner !== null ? inner : undefined;
}

/** A task or workflow result with the status (and, for a task, the cost) that summaries and resume read. */
function isResult(value: object | undefined, kind: 'task' | 'workflow'): boolean {
  if (!value || !has(value, 'status', 'string')) return false;
  return kind === 'task' ? has(value, 'costCents', 'number') : has(value, 'totalCostCents', 'number') && has(value, 'results', 'object');
}

/**
 * Checks the fields each entry type's readers rely on, nested ones included:
 * a decodable line of the wrong shape is skipped, never a crash in resume.
 */
export function isJournalRecord(value: unknown): value is JournalRecord {
  if (typeof value !== 'object' || value === null) return false;
  if (!has(value, 'seq', 'number') || !has(value, 'at', 'number') || !has(value, 'type', 'string')) return false;
  const type: unknown = Reflect.get(value, 'type');
  if (typeof type !== 'string' || !ENTRY_TYPES.has(type)) return false;
  switch (type) {
    case 'workflow.started': {
      const tasks: unknown = Reflect.get(value, 'tasks');
      return (
        has(value, 'workflowId', 'string') &&
        Array.isArray(tasks) &&
        tasks.every((task: unknown) => typeof task === 'object' && task !== null && has(task, 'agentId', 'string')) &&
        has(value, 'options', 'object')
      );
    }
    case 'workflow.resumed':
      return Array.isArray(Reflect.get(value, 'presettled'));
    case 'task.started':
      return has(value, 'agentId', 'string') && has(value, 'attempt', 'number');
    case 'task.finished':
      return has(value, 'agentId', 'string') && isResult(member(value, 'result'), 'task');
    case 'condition.decided':
      return has(value, 'agentId', 'string') && has(value, 'proceed', 'boolean');
    case 'model.call':
      return has(value, 'requestHash', 'string') && has(value, 'response', 'object') && has(value, 'costCents', 'number');
    case 'model.failed':
      return has(value, 'requestHash', 'string') && has(value, 'error', 'object');
    case 'artifact.written':
      return has(value, 'artifactId', 'string') && has(value, 'version', 'number');
    case 'tool.call': {
      const result = member(value, 'result');
      return has(value, 'relativeKey', 'string') && has(value, 'name', 'string') && result !== undefined && has(result, 'content', 'string');
    }
    default:
      return isResult(member(value, 'result'), 'workflow');
  }
}

/** What reading a journal found. */
export interface JournalReading {
  readonly workflowId: string;
  /** Complete, well-formed events, in order. */
  readonly records: readonly JournalRecord[];
  /** The log ended in a partial line (a write cut short by a crash); it was ignored. */
  readonly tornTail: boolean;
  /** 1-based numbers of complete lines that could not be decoded; they were ignored. */
  readonly skippedLines: readonly number[];
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
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = superjson.parse(line);
    } catch {
      skippedLines.push(index + 1);
      return;
    }
    if (isJournalRecord(value)) records.push(value);
    else skippedLines.push(index + 1);
  });
  return { workflowId, records, tornTail: tail.length > 0, skippedLines };
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
