/**
 * The workflow journal: every run appends its events, one superjson line per
 * event, to a log keyed by workflowId (`<workspacePath>/journals/<id>.jsonl`
 * with the default storage). The journal, not an actor snapshot, is the source
 * of truth for resume, replay, `listWorkflows` and `getWorkflow`. What a
 * line holds and how a log is parsed is in journal-records.ts.
 */
import { join } from 'node:path';
import { FsJournalStorage } from '../storage/journal-fs.js';
import { MemoryJournalStorage } from '../storage/journal-memory.js';
import type { JournalStorage } from '../storage/journal-storage.js';
import { encodeForWrite, parseJournal, runOf } from './records.js';
import type { JournalEntry, JournalReading, JournalRecord } from './records.js';
import type { WorkflowRecord } from './workflow-record.js';
import { RunSummary, summarizeJournal } from './run-summary.js';
import { createSecretScrubber } from '../util/sanitize.js';
import { ConfigError, JournalCorruptError, WorkflowNotFoundError, WorkflowRunningError } from '../protocols/errors/errors.js';
import { expiredRuns } from './retention.js';
import type { JournalRetention } from './retention.js';
import { readSummary, writeSummary } from './summaries.js';

// The records' types and reader, where the rest of the system imports them from.
export { parseJournal } from './records.js';
export type {
  JournaledTaskSpec,
  JournalEntry,
  JournalReading,
  JournalRecord,
  ReplayModifications,
} from './records.js';

export type { JournaledRunStatus, JournaledTaskStatus, WorkflowRecord } from './workflow-record.js';

/** Appends one run's events. Sequence numbers continue across resumes. */
export class RunJournal {
  readonly workflowId: string;
  readonly #storage: JournalStorage;
  readonly #now: () => number;
  readonly #scrub: (line: string) => string;
  #seq: number;
  #closed = false;
  /** The last write in flight; appends chain onto it so they reach the storage in order. */
  #tail: Promise<void> = Promise.resolve();
  /** The batch waiting for the write in flight: lines appended meanwhile join it. */
  #waiting: { readonly lines: string[]; readonly written: Promise<void> } | undefined;
  /** The first write that failed, if any (the run is then cancelled by its runner). */
  failure: unknown;
  /** Told about the first failed write (the runner cancels the run: it can no longer be resumed faithfully). */
  onFailure: ((error: unknown) => void) | undefined;
  /** The run's record, folded from the log as it was when opened and every append since; unset when the log's start is unknown. */
  readonly #summary: RunSummary | undefined;

  constructor(
    storage: JournalStorage,
    workflowId: string,
    options: { now: () => number; lastSeq?: number; scrub?: (line: string) => string; summary?: RunSummary },
  ) {
    this.#storage = storage;
    this.workflowId = workflowId;
    this.#now = options.now;
    this.#scrub = options.scrub ?? ((line) => line);
    this.#seq = options.lastSeq ?? 0;
    this.#summary = options.summary;
  }

  /**
   * The run's record as its log now reads, without reading the log: undefined
   * when the journal was opened without the log's earlier records or a write failed.
   */
  summary(): WorkflowRecord | undefined {
    return this.failure === undefined ? this.#summary?.record(!this.#closed) : undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Writes one event; the promise resolves once the storage holds it durably.
   * Sequence numbers are taken at the call, and writes reach the storage one
   * after another in call order, so concurrent appends never reorder. After a
   * failed write every later append is refused (a log with a hole could not
   * be resumed faithfully).
   * @throws JournalCorruptError for a malformed record, or whatever the storage throws (remembered in `failure`).
   */
  append(entry: DistributiveOmit<JournalEntry, 'at'> & { readonly at?: number }): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const record = { at: this.#now(), ...entry, seq: this.#seq + 1 };
    let line: string;
    try {
      if (this.failure !== undefined) throw this.failure;
      const encoded = encodeForWrite(record);
      // What resume would refuse is never written: the write fails, and the run is cancelled as for a failed write.
      if ('problem' in encoded) {
        const { problem } = encoded;
        throw new JournalCorruptError(this.workflowId, `refusing to write a malformed ${entry.type} record: field ${problem.field}: ${problem.reason}`);
      }
      line = this.#scrub(encoded.line);
    } catch (error) {
      this.#fail(error);
      return Promise.reject(error);
    }
    this.#seq++;
    this.#summary?.add(record);
    return this.#enqueue(line);
  }

  /**
   * Group commit: a line joins the batch that waits for the write in flight,
   * and the batch goes to the storage as one write once that write is done.
   * Every append of a batch resolves when the batch is durable, so a line is
   * still on disk before its append resolves; there are just fewer writes.
   */
  #enqueue(line: string): Promise<void> {
    if (this.#waiting) {
      this.#waiting.lines.push(line);
      return this.#waiting.written;
    }
    const lines = [line];
    const written = this.#tail.then(() => {
      // From here on, new lines start the next batch.
      if (this.#waiting?.lines === lines) this.#waiting = undefined;
      if (this.failure !== undefined) throw this.failure;
      return this.#write(lines);
    });
    this.#waiting = { lines, written };
    // The chain itself never rejects: each append's own promise carries its failure.
    this.#tail = written.then(undefined, (error: unknown) => this.#fail(error));
    return written;
  }

  async #write(lines: readonly string[]): Promise<void> {
    const storage = this.#storage;
    if (lines.length === 1 || !storage.appendMany) {
      for (const line of lines) await storage.append(this.workflowId, line);
      return;
    }
    await storage.appendMany(this.workflowId, lines);
  }

  /** Resolves once every append made so far has been written (or has failed). */
  settled(): Promise<void> {
    return this.#tail;
  }

  #fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.onFailure?.(error);
  }

  /** Stops taking appends, waits for the writes in flight, and releases the log. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
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
 * await run.append({ type: 'task.started', agentId: 'a', attempt: 1 });
 * (await journals.read('wf_1'))?.records.length; // 1
 * ```
 */
export class WorkflowJournals {
  readonly storage: JournalStorage;
  readonly #now: () => number;
  readonly #scrub: (line: string) => string;
  readonly #open = new Map<string, RunJournal>();
  readonly #retention: JournalRetention | undefined;
  /** The startup retention pass, while it runs. */
  #startup: Promise<void> | undefined;

  /**
   * `secrets`: key values cut out of every line (journals hold prompts, never keys).
   * `retention`: finished runs to delete after each run (see {@link applyRetention}).
   * @throws ConfigError when `retention` is set and the storage cannot delete logs.
   */
  constructor(options: {
    storage: JournalStorage;
    now: () => number;
    secrets?: readonly (string | undefined)[];
    retention?: JournalRetention;
  }) {
    this.storage = options.storage;
    this.#now = options.now;
    this.#scrub = createSecretScrubber(options.secrets ?? []);
    this.#retention = options.retention;
    if (options.retention && !options.storage.remove) {
      throw new ConfigError('journalRetention', 'the journal storage cannot delete logs (it has no remove method)');
    }
  }

  /**
   * Opens (or continues, after a resume) the journal of a run. `earlier`: the
   * records the log already holds (a resumed run's), so that closing the run
   * stores its summary without reading the log back; an empty log (`lastSeq` 0) needs none.
   */
  open(workflowId: string, lastSeq = 0, earlier?: readonly JournalRecord[]): RunJournal {
    const existing = this.#open.get(workflowId);
    if (existing && !existing.closed) return existing;
    let summary: RunSummary | undefined;
    if (lastSeq === 0 || earlier) {
      summary = new RunSummary(workflowId);
      for (const record of earlier ?? []) summary.add(record);
    }
    const journal = new RunJournal(this.storage, workflowId, { now: this.#now, lastSeq, scrub: this.#scrub, ...(summary ? { summary } : {}) });
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
    const runId = runOf(workflowId, (id) => this.running(id) !== undefined);
    return runId === undefined ? undefined : this.running(runId);
  }

  /** Closes a run's journal (it finished or was abandoned), stores its summary and applies retention. */
  async close(workflowId: string): Promise<void> {
    const journal = this.#open.get(workflowId);
    this.#open.delete(workflowId);
    try {
      await journal?.close();
      const summary = journal?.summary();
      if (summary) await this.#storeSummary(summary);
      else await this.get(workflowId);
      await this.applyRetention();
    } catch {
      // A summary or a deletion that fails costs listing speed or disk space, never the run.
    }
  }

  /**
   * Deletes the journal of a run that is not running in this process.
   * @throws WorkflowRunningError when it runs here; WorkflowNotFoundError when no journal holds it;
   *   ConfigError when the storage cannot delete logs.
   */
  async delete(workflowId: string): Promise<void> {
    if (this.runningFor(workflowId) !== undefined) throw new WorkflowRunningError(workflowId, 'delete it');
    const remove = this.storage.remove;
    if (!remove) throw new ConfigError('journal.storage', 'the journal storage cannot delete logs (it has no remove method)');
    if ((await this.storage.read(workflowId)) === undefined) throw new WorkflowNotFoundError(workflowId);
    await remove.call(this.storage, workflowId);
  }

  /**
   * Deletes the finished runs the retention setting no longer keeps (running
   * and interrupted runs are kept). Runs at construction (startup) and after each run.
   * @returns the ids deleted.
   */
  /**
   * Starts the startup retention pass without waiting for it: reads (`list`,
   * `get`, `read`) wait for it, so they never show a run it deletes.
   */
  applyRetentionAtStartup(): void {
    if (!this.#retention) return;
    this.#startup = this.applyRetention().then(
      () => undefined,
      () => undefined, // A deletion that fails costs disk space, never a run.
    );
  }

  async applyRetention(): Promise<string[]> {
    if (!this.#retention) return [];
    const doomed = expiredRuns(await this.#listAll(), this.#retention, this.#now()).filter((id) => this.runningFor(id) === undefined);
    for (const workflowId of doomed) await this.storage.remove?.(workflowId);
    return doomed;
  }

  async read(workflowId: string): Promise<JournalReading | undefined> {
    if (this.#startup) await this.#startup;
    const text = await this.storage.read(workflowId);
    return text === undefined ? undefined : parseJournal(workflowId, text);
  }

  /** Every journaled run, most recently started first. */
  async list(): Promise<WorkflowRecord[]> {
    if (this.#startup) await this.#startup;
    return this.#listAll();
  }

  async #listAll(): Promise<WorkflowRecord[]> {
    const records: WorkflowRecord[] = [];
    for (const workflowId of await this.storage.list()) {
      const record = await this.get(workflowId);
      if (record) records.push(record);
    }
    return records.sort((a, b) => b.startedAt - a.startedAt);
  }

  /** A run's record: a finished run's stored summary when it is current, else the journal read in full (and summarised). */
  async get(workflowId: string): Promise<WorkflowRecord | undefined> {
    const runningHere = this.running(workflowId) !== undefined;
    if (!runningHere) {
      const summary = await readSummary(this.storage, workflowId);
      if (summary) return summary;
    }
    const text = await this.storage.read(workflowId);
    if (text === undefined) return undefined;
    const record = summarizeJournal(parseJournal(workflowId, text), runningHere);
    if (record && !runningHere) await writeSummary(this.storage, record, Buffer.byteLength(text));
    return record;
  }

  /** Stores a finished run's summary made while it ran, for the log's length as it is now. */
  async #storeSummary(record: WorkflowRecord): Promise<void> {
    if (!this.storage.writeSummary || !this.storage.size) return;
    const journalBytes = await this.storage.size(record.workflowId);
    // Folded from the records before their lines were scrubbed: the summary is scrubbed as they were.
    if (journalBytes !== undefined) await writeSummary(this.storage, record, journalBytes, this.#scrub);
  }

  /** Closes every open journal (shutdown), once their writes in flight are done. */
  async closeAll(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(open.map((journal) => journal.close()));
  }
}

/** The `journal` setting of the orchestrator's config. */
export type JournalSetting =
  | boolean
  | { readonly storage?: 'fs' | 'memory' | JournalStorage; readonly fsync?: boolean };

/**
 * The journals an orchestrator keeps, from its config: fs storage under
 * `<workspacePath>/journals` by default (the directory appears when the first
 * workflow runs), none when `journal: false`. `secrets` (the configured API
 * keys) and `ANTHROPIC_API_KEY` / `OPENAI_API_KEY` are cut out of every line.
 *
 * @example
 * ```ts
 * const journals = journalsFromSetting({ storage: 'memory' }, '.troupe', Date.now, [config.anthropic?.apiKey]);
 * ```
 */
export function journalsFromSetting(
  setting: JournalSetting,
  workspacePath: string,
  now: () => number,
  secrets: readonly (string | undefined)[] = [],
  retention?: JournalRetention,
): WorkflowJournals | undefined {
  if (setting === false) return undefined;
  const options = setting === true ? {} : setting;
  const storage =
    options.storage === 'memory'
      ? new MemoryJournalStorage()
      : options.storage === undefined || options.storage === 'fs'
        ? new FsJournalStorage({ directory: join(workspacePath, 'journals'), fsync: options.fsync ?? false })
        : options.storage;
  const journals = new WorkflowJournals({
    storage,
    now,
    secrets: [...secrets, process.env.ANTHROPIC_API_KEY, process.env.OPENAI_API_KEY],
    ...(retention ? { retention } : {}),
  });
  journals.applyRetentionAtStartup();
  return journals;
}
