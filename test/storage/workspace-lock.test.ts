/**
 * One store at a time owns a workspace: a second opener, in this process or
 * another, gets WORKSPACE_LOCKED naming the holder instead of silently
 * losing acknowledged writes; a lock left by a killed process is recovered.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkspaceLockedError } from '../../src/index.js';
import { FsArtifactStorage } from '../../src/index.js';
import { acquireWorkspaceLock, WORKSPACE_LOCK_FILE } from '../../src/storage/index.js';
import { SharedContextStore } from '../../src/index.js';
import { Orchestrator } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';

const ALL = { '*': ['read', 'write', 'delete'] } as const;
const cleanups: Array<() => Promise<void> | void> = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-lock-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
function fsStore(workspacePath: string): SharedContextStore {
  const store = new SharedContextStore({ workspacePath, agentPermissions: ALL });
  cleanups.unshift(() => store.close());
  return store;
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Runs the lock-holder child until it prints "ready"; resolves with it and a promise of its exit. */
async function startHolder(workspacePath: string, mode: 'hold' | 'exit') {
  const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'support', 'processes', 'workspace-lock-holder.ts'), workspacePath, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  cleanups.unshift(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready (\d+)\n/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`holder exited before ready: ${stderr}`)));
  });
  return { child, pid, exited };
}

describe('the workspace lock', () => {
  it('refuses a second store in this process with WORKSPACE_LOCKED naming the holder, and frees the workspace on close', async () => {
    const ws = tempDir();
    const first = fsStore(ws);
    await first.storeArtifact({ artifactId: 'doc', content: 1, agentId: 'w' });
    let error: unknown;
    try {
      fsStore(ws);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WorkspaceLockedError);
    expect(error).toMatchObject({ code: 'WORKSPACE_LOCKED', holder: { pid: process.pid, host: hostname() } });
    expect(String(error)).toContain(`pid ${process.pid}`);
    const lock: unknown = JSON.parse(readFileSync(join(ws, WORKSPACE_LOCK_FILE), 'utf8'));
    expect(lock).toMatchObject({ pid: process.pid, host: hostname(), startedAt: expect.any(Number) });

    await first.close();
    expect(existsSync(join(ws, WORKSPACE_LOCK_FILE))).toBe(false);
    const second = fsStore(ws);
    await expect(second.getArtifact({ artifactId: 'doc', agentId: 'w' })).resolves.toMatchObject({ version: 1, content: 1 });
  });

  it('refuses a second orchestrator with shared context on the same workspace; distinct workspaces and memory storage need no lock', async () => {
    const ws = tempDir();
    const provider = createScriptedProvider({ fallback: () => ({ text: 'ok' }) });
    const first = new Orchestrator({ provider, workspacePath: ws, enableSharedContext: true });
    cleanups.unshift(() => first.shutdown());
    expect(() => new Orchestrator({ provider, workspacePath: ws, enableSharedContext: true })).toThrow(WorkspaceLockedError);

    const other = new Orchestrator({ provider, workspacePath: tempDir(), enableSharedContext: true });
    cleanups.unshift(() => other.shutdown());
    const memoryWs = tempDir();
    const memoryA = new Orchestrator({ provider, workspacePath: memoryWs, enableSharedContext: true, sharedContext: { storage: 'memory' } });
    const memoryB = new Orchestrator({ provider, workspacePath: memoryWs, enableSharedContext: true, sharedContext: { storage: 'memory' } });
    cleanups.unshift(() => memoryA.shutdown(), () => memoryB.shutdown());
    expect(existsSync(join(memoryWs, WORKSPACE_LOCK_FILE))).toBe(false);

    await first.shutdown();
    const again = new Orchestrator({ provider, workspacePath: ws, enableSharedContext: true });
    cleanups.unshift(() => again.shutdown());
  });

  it('refuses a workspace held by another process, and recovers it once that process is killed with SIGKILL', async () => {
    const ws = tempDir();
    const { child, pid, exited } = await startHolder(ws, 'hold');
    expect(() => fsStore(ws)).toThrow(WorkspaceLockedError);
    expect(() => new FsArtifactStorage({ workspacePath: ws })).toThrow(new RegExp(`locked by pid ${pid} on `));

    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    // The dead holder's lock is still on disk: it is stale and taken over.
    expect(JSON.parse(readFileSync(join(ws, WORKSPACE_LOCK_FILE), 'utf8'))).toMatchObject({ pid });
    const store = fsStore(ws);
    await expect(store.getArtifact({ artifactId: 'from_child', agentId: 'r' })).resolves.toMatchObject({ content: { pid } });
    expect(JSON.parse(readFileSync(join(ws, WORKSPACE_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
  }, 60_000);

  it('is released when the holding process exits without closing its store', async () => {
    const ws = tempDir();
    const { exited } = await startHolder(ws, 'exit');
    expect((await exited).code).toBe(0);
    expect(existsSync(join(ws, WORKSPACE_LOCK_FILE))).toBe(false);
  }, 60_000);

  it('recovers a lock naming a dead pid on this host, or an unreadable one; keeps one naming a live pid', () => {
    const ws = tempDir();
    const lockPath = join(ws, WORKSPACE_LOCK_FILE);
    // A pid far above any pid_max: no such process.
    writeFileSync(lockPath, JSON.stringify({ pid: 2 ** 30, host: hostname(), startedAt: 1, token: 'dead' }));
    const recovered = acquireWorkspaceLock(ws);
    expect(recovered.holder.pid).toBe(process.pid);
    recovered.release();

    writeFileSync(lockPath, '{"pid": 1');
    acquireWorkspaceLock(ws).release();

    // pid 1 (init) is alive: its lock stands, whoever wrote it.
    writeFileSync(lockPath, JSON.stringify({ pid: 1, host: hostname(), startedAt: 1, token: 'init' }));
    expect(() => acquireWorkspaceLock(ws)).toThrow(WorkspaceLockedError);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ token: 'init' });
  });

  it.runIf(existsSync('/proc/self/stat'))('recovers a lock whose pid now belongs to another process (its start time differs)', () => {
    const ws = tempDir();
    const lockPath = join(ws, WORKSPACE_LOCK_FILE);
    const taken = acquireWorkspaceLock(ws);
    const recorded: unknown = JSON.parse(readFileSync(lockPath, 'utf8'));
    taken.release();
    expect(recorded).toMatchObject({ pid: process.pid, processStart: expect.any(Number) });
    const processStart = typeof recorded === 'object' && recorded !== null ? Reflect.get(recorded, 'processStart') : undefined;
    // This process's pid, as if a dead holder's pid had been handed to it: another start time.
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 1, token: 'reused', processStart: Number(processStart) + 1 }));
    const recovered = acquireWorkspaceLock(ws);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ token: expect.not.stringMatching('reused') });
    recovered.release();
    // The same pid with its own start time is the live holder.
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 1, token: 'live', processStart }));
    expect(() => acquireWorkspaceLock(ws)).toThrow(WorkspaceLockedError);
  });
});
