/**
 * Exclusive lock files: a small JSON file naming the holder (pid, host, when
 * it took the lock, a random token). The workspace lock,
 * `<workspacePath>/workspace.lock`: two stores caching one workspace would
 * hand the same version number to two writers and lose acknowledged writes,
 * so the fs artifact storage holds it for as long as it is open. A run's
 * journal lock, `<id>.jsonl.lock`: two processes appending to one run's log
 * would interleave two runs' sequence numbers.
 *
 * The file is written in full to a temp file created with O_EXCL and then
 * hard-linked into place: the link either creates `workspace.lock` whole or
 * fails with EEXIST, so no one ever reads a half-written lock. A lock whose
 * holder is a dead process on this host (killed with SIGKILL, say) is stale
 * and recovered, also when its pid now belongs to another process (the lock
 * records the holder's start time where procfs tells it); the lock is
 * released on close and when the process exits.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { WorkspaceLockedError } from '../protocols/errors/errors.js';
import type { WorkspaceLockHolder } from '../protocols/errors/errors.js';

/** The lock file's name inside a workspace. */
export const WORKSPACE_LOCK_FILE = 'workspace.lock';

interface LockContent extends WorkspaceLockHolder {
  readonly token: string;
  /**
   * When the holder process started, as the kernel counts it (Linux
   * `/proc/<pid>/stat` starttime); absent without procfs. A live process
   * with the holder's pid but another start time took over a dead holder's pid.
   */
  readonly processStart?: number;
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function readLock(path: string): LockContent | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { pid: -1, host: '?', startedAt: 0, token: '' };
  }
  if (typeof value !== 'object' || value === null) return { pid: -1, host: '?', startedAt: 0, token: '' };
  const field = (key: string): unknown => Reflect.get(value, key);
  const [pid, host, startedAt, token, processStart] = ['pid', 'host', 'startedAt', 'token', 'processStart'].map(field);
  return {
    pid: typeof pid === 'number' ? pid : -1,
    host: typeof host === 'string' ? host : '?',
    startedAt: typeof startedAt === 'number' && Math.abs(startedAt) < 8.64e15 ? startedAt : 0,
    token: typeof token === 'string' ? token : '',
    ...(typeof processStart === 'number' ? { processStart } : {}),
  };
}

/** A process's state letter and start time from `/proc/<pid>/stat`, or undefined without procfs (macOS, Windows) or such a process. */
function procStat(pid: number | 'self'): { readonly state: string; readonly start: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name, in parentheses, may hold spaces: fields are counted from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[19]);
  return { state: fields[0] ?? '', start: Number.isFinite(start) ? start : -1 };
}

/**
 * Whether the lock's holder process on this host is running: its pid exists,
 * is not a zombie (killed but not yet reaped), and, where the lock recorded
 * it, started when the holder did (a reused pid is another process).
 */
function holderAlive(holder: LockContent): boolean {
  const { pid } = holder;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if (errorCode(error) !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (!stat) return true; // no procfs: signal 0 said it exists
  if (stat.state === 'Z') return false;
  return holder.processStart === undefined || holder.processStart === stat.start;
}

/** Whether a lock's holder can no longer hold it: a dead process on this host, or an unreadable file. */
function isStale(holder: LockContent): boolean {
  if (holder.token === '') return true;
  return holder.host === hostname() && !holderAlive(holder);
}

/** Writes `content` to a fresh temp file (O_EXCL) and links it to `path`; false when `path` exists. */
function tryCreate(directory: string, path: string, content: LockContent): boolean {
  const temp = join(directory, `.${basename(path)}.${content.token}.tmp`);
  const fd = openSync(temp, 'wx');
  try {
    writeSync(fd, JSON.stringify(content));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/**
 * Moves a stale lock out of the way. The lock is renamed first and checked
 * after: if another process replaced it with a live lock in between, that
 * one is put back (link, so a third holder is never overwritten).
 */
function removeStale(directory: string, path: string, stale: LockContent): void {
  const aside = join(directory, `.${basename(path)}.${randomUUID()}.stale`);
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return; // someone else removed it
    throw error;
  }
  const moved = readLock(aside);
  if (moved && moved.token !== stale.token) {
    try {
      linkSync(aside, path);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
  unlinkSync(aside);
}

/** A held lock file. `release` is idempotent. */
export interface WorkspaceLock {
  readonly path: string;
  readonly holder: WorkspaceLockHolder;
  release(): void;
}

/**
 * Takes the exclusive lock file `<directory>/<fileName>` (the directory is
 * created if missing). A lock left by a dead process on this host is recovered.
 * @throws what `refuse` makes of the holder when a live process (this one included) holds it.
 *
 * @example
 * ```ts
 * const lock = acquireLockFile('.troupe/journals', 'wf_1.jsonl.lock', (holder) => new Error(`held by ${holder.pid}`));
 * try { work(); } finally { lock.release(); }
 * ```
 */
export function acquireLockFile(
  directory: string,
  fileName: string,
  refuse: (holder: WorkspaceLockHolder, lockPath: string) => Error,
): WorkspaceLock {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, fileName);
  const processStart = procStat('self')?.start;
  const content: LockContent = {
    pid: process.pid,
    host: hostname(),
    startedAt: Date.now(),
    token: randomUUID(),
    ...(processStart === undefined ? {} : { processStart }),
  };
  // Each round takes the lock, throws, or clears one stale lock; a few rounds settle any race.
  for (let round = 0; !tryCreate(directory, path, content); round++) {
    const holder = readLock(path);
    if (holder === undefined) continue; // released in between
    if (!isStale(holder) || round >= MAX_ROUNDS) {
      const { pid, host, startedAt } = holder;
      throw refuse({ pid, host, startedAt }, path);
    }
    removeStale(directory, path, holder);
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    held.delete(release);
    // Only our own lock is removed (never one that replaced it after we were presumed dead).
    try {
      if (readLock(path)?.token === content.token) unlinkSync(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  };
  held.add(release);
  if (held.size === 1 && !exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', releaseAllOnExit);
  }
  return { path, holder: { pid: content.pid, host: content.host, startedAt: content.startedAt }, release };
}

/**
 * Takes the exclusive lock on `workspacePath` (created if missing).
 * @throws WorkspaceLockedError naming the holder when a live process (this one included) holds it.
 *
 * @example
 * ```ts
 * const lock = acquireWorkspaceLock('.troupe');
 * try { work(); } finally { lock.release(); }
 * ```
 */
export function acquireWorkspaceLock(workspacePath: string): WorkspaceLock {
  return acquireLockFile(workspacePath, WORKSPACE_LOCK_FILE, (holder, lockPath) => new WorkspaceLockedError(workspacePath, lockPath, holder));
}

const MAX_ROUNDS = 8;

/** Releases of the locks this process holds, run on exit (a SIGKILLed holder leaves a stale lock instead). */
const held = new Set<() => void>();
let exitHookInstalled = false;

function releaseAllOnExit(): void {
  for (const release of [...held]) {
    try {
      release();
    } catch {
      // Exiting: a lock that cannot be removed is stale once this process is gone.
    }
  }
}
