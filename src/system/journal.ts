/**
 * The workflow journal: every run appends its events, one superjson line per
 * event, to a log keyed by workflowId (`<workspacePath>/journals/<id>.jsonl`
 * with the default storage). The journal, not an actor snapshot, is the source
 * of truth for resume, replay, `listWorkflows` and `getWorkflow`.
 */
import superjson from 'superjson';
import type { AgentConfig } from '../protocols/agent.js';
import type { ErrorData } from '../protocols/errors.js';
import type { ModelCallPurpose } from '../protocols/gateway.js';
import type { ModelResponse } from '../protocols/model.js';
import type { SubAgentTaskSpec, TaskResult, TaskStatus, WorkflowResult, WorkflowStatus } from '../protocols/task.js';
import type { StoredModelRequest } from '../providers/request-hash.js';
import { join } from 'node:path';
import { FsJournalStorage } from '../storage/journal-fs.js';
import { MemoryJournalStorage } from '../storage/journal-memory.js';
import type { JournalStorage } from '../storage/journal-storage.js';

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
  | { readonly type: 'workflow.finished'; readonly at: number; readonly result: WorkflowResult };

/** A journal line: an entry and its position in the log. */
export type JournalRecord = JournalEntry & { readonly seq: number };

export type JournalEntryType = JournalEntry['type'];

const ENTRY_TYPES: ReadonlySet<string> = new Set<JournalEntryType>([
  'workflow.started',
  'workflow.resumed',
  'task.started',
  'task.finished',
  'condition.decided',
  'model.call',
  'model.failed',
  'artifact.written',
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

/** Checks the fields each entry type's readers rely on. */
function isJournalRecord(value: unknown): value is JournalRecord {
  if (typeof value !== 'object' || value === null) return false;
  if (!has(value, 'seq', 'number') || !has(value, 'at', 'number') || !has(value, 'type', 'string')) return false;
  const type: unknown = Reflect.get(value, 'type');
  if (typeof type !== 'string' || !ENTRY_TYPES.has(type)) return false;
  switch (type) {
    case 'workflow.started':
      return has(value, 'workflowId', 'string') && Array.isArray(Reflect.get(value, 'tasks')) && has(value, 'options', 'object');
    case 'workflow.resumed':
      return Array.isArray(Reflect.get(value, 'presettled'));
    case 'task.started':
      return has(value, 'agentId', 'string') && has(value, 'attempt', 'number');
    case 'task.finished':
      return has(value, 'agentId', 'string') && has(value, 'result', 'object');
    case 'condition.decided':
      return has(value, 'agentId', 'string') && has(value, 'proceed', 'boolean');
    case 'model.call':
      return has(value, 'requestHash', 'string') && has(value, 'response', 'object') && has(value, 'costCents', 'number');
    case 'model.failed':
      return has(value, 'requestHash', 'string') && has(value, 'error', 'object');
    case 'artifact.written':
      return has(value, 'artifactId', 'string') && has(value, 'version', 'number');
    default:
      return has(value, 'result', 'object');
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
}

/**
 * Folds a reading into a WorkflowRecord; undefined when the run's start is not in it.
 *
 * @example
 * ```ts
 * const record = summarizeJournal(parseJournal(id, text), false);
 * ```
 */
export function summarizeJournal(reading: JournalReading, runningHere: boolean): WorkflowRecord | undefined {
  let started: Extract<JournalRecord, { type: 'workflow.started' }> | undefined;
  let finished: Extract<JournalRecord, { type: 'workflow.finished' }> | undefined;
  const resumedAt: number[] = [];
  const tasks: Record<string, JournaledTaskStatus> = {};
  const results: Record<string, TaskResult> = {};
  let modelCalls = 0;
  for (const record of currentRun(reading.records)) {
    switch (record.type) {
      case 'workflow.started':
        started = record;
        for (const task of record.tasks) tasks[task.agentId] ??= 'pending';
        break;
      case 'workflow.resumed':
        resumedAt.push(record.at);
        // Tasks in flight at the crash run again: back to pending until they start.
        for (const [agentId, status] of Object.entries(tasks)) if (status === 'running') tasks[agentId] = 'pending';
        break;
      case 'task.started':
        if (agentIdIn(tasks, record.agentId) && tasks[record.agentId] === 'pending') tasks[record.agentId] = 'running';
        break;
      case 'task.finished':
        if (agentIdIn(tasks, record.agentId)) {
          tasks[record.agentId] = record.result.status;
          results[record.agentId] = record.result;
        }
        break;
      case 'model.call':
        if (!record.replayed) modelCalls++;
        break;
      case 'workflow.finished':
        finished = record;
        break;
      default:
        break;
    }
  }
  if (!started) return undefined;
  const status: JournaledRunStatus = finished ? finished.result.status : runningHere ? 'running' : 'interrupted';
  return {
    workflowId: reading.workflowId,
    status,
    startedAt: started.at,
    finishedAt: finished?.at ?? null,
    resumedAt,
    tasks,
    totalCostCents: finished
      ? finished.result.totalCostCents
      : Object.values(results).reduce((sum, result) => sum + result.costCents, 0),
    modelCalls,
    ...(started.replayOf === undefined ? {} : { replayOf: started.replayOf }),
    ...(started.modifications === undefined ? {} : { modifications: started.modifications }),
    ...(finished ? { result: finished.result } : {}),
  };
}

function agentIdIn(tasks: Record<string, JournaledTaskStatus>, agentId: string): boolean {
  return Object.hasOwn(tasks, agentId);
}

/** Appends one run's events. Sequence numbers continue across resumes. */
export class RunJournal {
  readonly workflowId: string;
  readonly #storage: JournalStorage;
  readonly #now: () => number;
  #seq: number;
  #closed = false;
  /** The first write that failed, if any (the run is then cancelled by its runner). */
  failure: unknown;
  /** Told about the first failed write (the runner cancels the run: it can no longer be resumed faithfully). */
  onFailure: ((error: unknown) => void) | undefined;

  constructor(storage: JournalStorage, workflowId: string, options: { now: () => number; lastSeq?: number }) {
    this.#storage = storage;
    this.workflowId = workflowId;
    this.#now = options.now;
    this.#seq = options.lastSeq ?? 0;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Writes one event durably before returning.
   * @throws whatever the storage throws (remembered in `failure`).
   */
  append(entry: DistributiveOmit<JournalEntry, 'at'> & { readonly at?: number }): void {
    if (this.#closed) return;
    const record = { at: this.#now(), ...entry, seq: this.#seq + 1 };
    if (!isJournalRecord(record)) throw new TypeError(`not a journal record: ${entry.type}`);
    try {
      this.#storage.append(this.workflowId, encodeRecord(record));
    } catch (error) {
      if (this.failure === undefined) {
        this.failure = error;
        this.onFailure?.(error);
      }
      throw error;
    }
    this.#seq++;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#storage.close(this.workflowId);
  }
}

/** Omit over each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The journals of a workspace: opens run journals, reads them back.
 *
 * @example
 * ```ts
 * const journals = new WorkflowJournals({ storage: new MemoryJournalStorage(), now: Date.now });
 * const run = journals.open('wf_1');
 * run.append({ type: 'task.started', agentId: 'a', attempt: 1 });
 * journals.read('wf_1')?.records.length; // 1
 * ```
 */
export class WorkflowJournals {
  readonly storage: JournalStorage;
  readonly #now: () => number;
  readonly #open = new Map<string, RunJournal>();

  constructor(options: { storage: JournalStorage; now: () => number }) {
    this.storage = options.storage;
    this.#now = options.now;
  }

  /** Opens (or continues, after a resume) the journal of a run. */
  open(workflowId: string, lastSeq = 0): RunJournal {
    const existing = this.#open.get(workflowId);
    if (existing && !existing.closed) return existing;
    const journal = new RunJournal(this.storage, workflowId, { now: this.#now, lastSeq });
    this.#open.set(workflowId, journal);
    return journal;
  }

  /** The open journal of a run in this process, if any. */
  running(workflowId: string): RunJournal | undefined {
    const journal = this.#open.get(workflowId);
    return journal && !journal.closed ? journal : undefined;
  }

  /** The open journal of the run a call or task belongs to: `workflowId` itself or its longest `<run>/` prefix (consensus voters). */
  runningFor(workflowId: string | undefined): RunJournal | undefined {
    if (workflowId === undefined) return undefined;
    for (let cut = workflowId.length; cut > 0; cut = workflowId.lastIndexOf('/', cut - 1)) {
      const journal = this.running(workflowId.slice(0, cut));
      if (journal) return journal;
    }
    return undefined;
  }

  /** Closes a run's journal (it finished). */
  close(workflowId: string): void {
    this.#open.get(workflowId)?.close();
    this.#open.delete(workflowId);
  }

  read(workflowId: string): JournalReading | undefined {
    const text = this.storage.read(workflowId);
    return text === undefined ? undefined : parseJournal(workflowId, text);
  }

  /** Every journaled run, most recently started first. */
  list(): WorkflowRecord[] {
    const records: WorkflowRecord[] = [];
    for (const workflowId of this.storage.list()) {
      const record = this.get(workflowId);
      if (record) records.push(record);
    }
    return records.sort((a, b) => b.startedAt - a.startedAt);
  }

  get(workflowId: string): WorkflowRecord | undefined {
    const reading = this.read(workflowId);
    return reading ? summarizeJournal(reading, this.running(workflowId) !== undefined) : undefined;
  }

  /** Closes every open journal (shutdown). */
  closeAll(): void {
    for (const journal of this.#open.values()) journal.close();
    this.#open.clear();
  }
}

/** The `journal` setting of the orchestrator's config. */
export type JournalSetting =
  | boolean
  | { readonly storage?: 'fs' | 'memory' | JournalStorage; readonly fsync?: boolean };

/**
 * The journals an orchestrator keeps, from its config: fs storage under
 * `<workspacePath>/journals` by default (the directory appears when the first
 * workflow runs), none when `journal: false`.
 *
 * @example
 * ```ts
 * const journals = journalsFromSetting({ storage: 'memory' }, '.troupe', Date.now);
 * ```
 */
export function journalsFromSetting(setting: JournalSetting, workspacePath: string, now: () => number): WorkflowJournals | undefined {
  if (setting === false) return undefined;
  const options = setting === true ? {} : setting;
  const storage =
    options.storage === 'memory'
      ? new MemoryJournalStorage()
      : options.storage === undefined || options.storage === 'fs'
        ? new FsJournalStorage({ directory: join(workspacePath, 'journals'), fsync: options.fsync ?? false })
        : options.storage;
  return new WorkflowJournals({ storage, now });
}
