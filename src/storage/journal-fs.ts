/**
 * File JournalStorage: `<directory>/<workflowId>.jsonl`, one line per event.
 * Each append (or `appendMany` batch) is one `write` on a descriptor held
 * open for the run, so its lines are in the kernel before it returns and
 * survive the process being killed; with `fsync` each write is also
 * `fdatasync`ed (survives power loss, at a few hundred microseconds to
 * milliseconds per write).
 *
 * While a log is open for appending, this process holds `<id>.jsonl.lock`
 * beside it: another process that appends to the same run gets
 * WORKFLOW_RUNNING naming the holder (a dead holder's lock is recovered).
 *
 * A process killed mid-write can leave a torn last line. Reading tolerates it
 * (the reader drops it); reopening a log for append cuts it off first, so a
 * resumed run never glues its first line onto the fragment.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { WorkflowRunningError } from '../protocols/errors/errors.js';
import type { JournalStorage } from './journal-storage.js';
import { acquireLockFile } from './workspace-lock.js';
import type { WorkspaceLock } from './workspace-lock.js';

const SUFFIX = '.jsonl';

export interface FsJournalStorageOptions {
  /** Directory of the logs (created on the first append). */
  readonly directory: string;
  /** fdatasync every line (power-loss durable). Default false: durable against process death. */
  readonly fsync?: boolean;
}

/** File name of a workflow's log: URI-encoded, so no id can leave the directory. */
export function journalFileName(workflowId: string): string {
  if (workflowId === '' || workflowId === '.' || workflowId === '..') {
    throw new RangeError(`"${workflowId}" cannot name a journal`);
  }
  return `${encodeURIComponent(workflowId)}${SUFFIX}`;
}

/** File name of a workflow's summary, beside its log (`.summary.json` never ends in `.jsonl`). */
function summaryFileName(workflowId: string): string {
  return `${journalFileName(workflowId).slice(0, -SUFFIX.length)}.summary.json`;
}

/**
 * The workflow id a file name stands for, or undefined for a file this storage
 * could not have written (a stray `50%.jsonl` must not make every listing throw).
 */
function workflowIdOf(name: string): string | undefined {
  if (!name.endsWith(SUFFIX)) return undefined;
  try {
    const workflowId = decodeURIComponent(name.slice(0, -SUFFIX.length));
    return journalFileName(workflowId) === name ? workflowId : undefined;
  } catch {
    return undefined;
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/**
 * Creates the file storage.
 *
 * @example
 * ```ts
 * const storage = new FsJournalStorage({ directory: '.troupe/journals' });
 * storage.append('wf_1', '{"json":{"type":"workflow.started"}}');
 * ```
 */
export class FsJournalStorage implements JournalStorage {
  readonly #directory: string;
  readonly #fsync: boolean;
  readonly #open = new Map<string, number>();
  /** The lock each open log is held under: one process appends to a run's log at a time. */
  readonly #locks = new Map<string, WorkspaceLock>();
  #directoryReady = false;

  constructor(options: FsJournalStorageOptions) {
    this.#directory = options.directory;
    this.#fsync = options.fsync ?? false;
  }

  get directory(): string {
    return this.#directory;
  }

  async append(workflowId: string, line: string): Promise<void> {
    const fd = this.#open.get(workflowId) ?? this.#openForAppend(workflowId);
    writeSync(fd, `${line}\n`);
    if (this.#fsync) fdatasyncSync(fd);
  }

  async appendMany(workflowId: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const fd = this.#open.get(workflowId) ?? this.#openForAppend(workflowId);
    writeSync(fd, `${lines.join('\n')}\n`);
    if (this.#fsync) fdatasyncSync(fd);
  }

  async read(workflowId: string): Promise<string | undefined> {
    try {
      return readFileSync(join(this.#directory, journalFileName(workflowId)), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = readdirSync(this.#directory);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return names.flatMap((name) => {
      const workflowId = workflowIdOf(name);
      return workflowId === undefined ? [] : [workflowId];
    });
  }

  close(workflowId: string): void {
    const fd = this.#open.get(workflowId);
    if (fd === undefined) return;
    this.#open.delete(workflowId);
    try {
      closeSync(fd);
    } finally {
      this.#locks.get(workflowId)?.release();
      this.#locks.delete(workflowId);
    }
  }

  async remove(workflowId: string): Promise<void> {
    this.close(workflowId);
    // The summary first: a summary without its log is never read, a log without its summary is just slower to list.
    for (const name of [summaryFileName(workflowId), journalFileName(workflowId)]) {
      try {
        unlinkSync(join(this.#directory, name));
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
  }

  async size(workflowId: string): Promise<number | undefined> {
    try {
      return statSync(join(this.#directory, journalFileName(workflowId))).size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async readSummary(workflowId: string): Promise<string | undefined> {
    try {
      return readFileSync(join(this.#directory, summaryFileName(workflowId)), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Atomic (temp file, rename); not synced: a summary lost in a crash is rebuilt from the log. */
  async writeSummary(workflowId: string, text: string): Promise<void> {
    const name = summaryFileName(workflowId);
    const temp = join(this.#directory, `.${name}.${randomUUID()}.tmp`);
    writeFileSync(temp, text, 'utf8');
    try {
      renameSync(temp, join(this.#directory, name));
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  #openForAppend(workflowId: string): number {
    if (!this.#directoryReady) {
      mkdirSync(this.#directory, { recursive: true });
      this.#directoryReady = true;
    }
    const name = journalFileName(workflowId);
    const lock = acquireLockFile(this.#directory, `${name}.lock`, (holder) => new WorkflowRunningError(workflowId, 'append to its journal', holder));
    const path = join(this.#directory, name);
    let fd: number;
    try {
      // 'a+' creates the file, reads for the repair, and appends at the end whatever the offset.
      fd = openSync(path, 'a+');
    } catch (error) {
      lock.release();
      throw error;
    }
    try {
      const size = fstatSync(fd).size;
      if (size === 0) {
        if (this.#fsync) this.#syncDirectory();
      } else {
        cutTornTail(fd, size);
      }
    } catch (error) {
      closeSync(fd);
      lock.release();
      throw error;
    }
    this.#open.set(workflowId, fd);
    this.#locks.set(workflowId, lock);
    return fd;
  }

  #syncDirectory(): void {
    const fd = openSync(this.#directory, 'r');
    try {
      fsyncSync(fd);
    } catch {
      // Some platforms cannot fsync a directory; the file's own sync still holds.
    } finally {
      closeSync(fd);
    }
  }
}

/** Truncates a log that does not end in a newline back to its last complete line. */
function cutTornTail(fd: number, size: number): void {
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return;
  const chunk = 64 * 1024;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk);
    const buffer = Buffer.alloc(end - start);
    readSync(fd, buffer, 0, buffer.length, start);
    const newline = buffer.lastIndexOf(0x0a);
    if (newline >= 0) {
      ftruncateSync(fd, start + newline + 1);
      return;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
}
