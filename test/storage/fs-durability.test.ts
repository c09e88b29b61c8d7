import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactNotFoundError, InvalidArtifactIdError } from '../../src/index.js';
import { FsArtifactStorage } from '../../src/index.js';
import { writeFileAtomic } from '../../src/storage/index.js';
import { SharedContextStore } from '../../src/index.js';
import type { SharedContextStoreOptions } from '../../src/index.js';
import { CRASH_ARTIFACTS, crashContent } from '../support/context-crash-content.js';

const HOUR = 3_600_000;
const dirs: string[] = [];
const stores: SharedContextStore[] = [];

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'troupe-durable-'));
  dirs.push(dir);
  return dir;
}

function openStore(workspacePath: string, options: SharedContextStoreOptions = {}): SharedContextStore {
  const store = new SharedContextStore({ workspacePath, agentPermissions: { '*': ['read', 'write', 'delete'] }, ...options });
  stores.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('fs storage: reopening a workspace', () => {
  it('reloads every kept version and the whole lineage; pruned and deleted stay gone', async () => {
    const ws = await workspace();
    let now = Date.parse('2024-01-15T10:00:00Z');
    const first = openStore(ws, { maxVersionsPerArtifact: 3, clock: () => now });
    for (let version = 1; version <= 5; version++) {
      await first.storeArtifact({
        artifactId: 'report',
        content: { version, seen: new Set([version]) },
        metadata: { step: version, tags: ['q1'] },
        agentId: `agent_${version}`,
      });
      now += 1000;
    }
    await first.storeArtifact({ artifactId: 'scratch', content: 'bye', agentId: 'a' });
    await first.deleteArtifact({ artifactId: 'scratch', agentId: 'a' });
    await first.close();

    const second = openStore(ws, { maxVersionsPerArtifact: 3, clock: () => now });
    expect((await second.listVersions({ artifactId: 'report', agentId: 'r' })).map((info) => info.version)).toEqual([3, 4, 5]);
    for (const version of [3, 4, 5]) {
      const artifact = await second.getArtifact({ artifactId: 'report', agentId: 'r', version });
      expect(artifact.content).toEqual({ version, seen: new Set([version]) });
      expect(artifact.metadata).toEqual({ step: version, tags: ['q1'] });
    }
    await expect(second.getArtifact({ artifactId: 'report', agentId: 'r', version: 2 })).rejects.toBeInstanceOf(ArtifactNotFoundError);
    const lineage = (await second.getArtifact({ artifactId: 'report', agentId: 'r', includeLineage: true })).lineage;
    expect(lineage?.createdBy).toBe('agent_1');
    expect(lineage?.createdAt).toEqual(new Date('2024-01-15T10:00:00Z'));
    expect(lineage?.modifications.map((m) => [m.version, m.agentId, m.timestamp.getTime(), m.metadata['step']])).toEqual(
      [1, 2, 3, 4, 5].map((v) => [v, `agent_${v}`, Date.parse('2024-01-15T10:00:00Z') + (v - 1) * 1000, v]),
    );
    expect((await second.listArtifacts({ agentId: 'r' })).map((s) => s.artifactId)).toEqual(['report']);
    // Writing continues from the reloaded version.
    await expect(second.storeArtifact({ artifactId: 'report', content: 6, agentId: 'x', expectedVersion: 5 })).resolves.toMatchObject({
      version: 6,
      prunedVersions: [3],
    });
  });

  it('lays files out as artifacts/<id>/lineage.log and v<N>.json, and nothing else', async () => {
    const ws = await workspace();
    const store = openStore(ws, { maxVersionsPerArtifact: 2 });
    for (let i = 0; i < 3; i++) await store.storeArtifact({ artifactId: 'doc', content: i, agentId: 'w' });
    expect(await readdir(ws)).toEqual(['artifacts', 'workspace.lock']); // the lock, while the store is open
    expect(await readdir(join(ws, 'artifacts'))).toEqual(['doc']);
    expect((await readdir(join(ws, 'artifacts', 'doc'))).sort()).toEqual(['lineage.log', 'v2.json', 'v3.json']);
    const lines = (await readFile(join(ws, 'artifacts', 'doc', 'lineage.log'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
  });

  it('remembers reads across a reopen, so TTL counts from the last read', async () => {
    const ws = await workspace();
    let now = 0;
    const first = openStore(ws, { autoCleanup: true, ttlHours: 1, clock: () => now });
    await first.storeArtifact({ artifactId: 'read-late', content: 1, agentId: 'w' });
    await first.storeArtifact({ artifactId: 'unread', content: 1, agentId: 'w' });
    now = 0.9 * HOUR;
    await first.getArtifact({ artifactId: 'read-late', agentId: 'r' });
    await first.close();

    now = 1.5 * HOUR;
    const second = openStore(ws, { autoCleanup: true, ttlHours: 1, clock: () => now });
    expect(await second.sweepExpired()).toEqual(['unread']);
    now = 1.9 * HOUR;
    expect(await second.sweepExpired()).toEqual(['read-late']);
    expect(await readdir(join(ws, 'artifacts'))).toEqual([]);
  });
});

describe('fs storage: artifact ids cannot escape the workspace', () => {
  const attempts = ['../x', '../../escape', '/etc/passwd', 'a/b', 'a\0b', 'x'.repeat(10_000), '.', '..', '..\\x'];

  it('refuses every traversal attempt and writes nothing anywhere', async () => {
    const parent = await workspace();
    const ws = join(parent, 'ws');
    const store = openStore(ws);
    await store.storeArtifact({ artifactId: 'ok', content: 1, agentId: 'w' });
    for (const artifactId of attempts) {
      await expect(store.storeArtifact({ artifactId, content: 'evil', agentId: 'w' })).rejects.toBeInstanceOf(InvalidArtifactIdError);
      await expect(store.getArtifact({ artifactId, agentId: 'w' })).rejects.toBeInstanceOf(InvalidArtifactIdError);
      await expect(store.deleteArtifact({ artifactId, agentId: 'w' })).rejects.toBeInstanceOf(InvalidArtifactIdError);
    }
    expect(await readdir(parent)).toEqual(['ws']);
    expect(await readdir(ws)).toEqual(['artifacts', 'workspace.lock']); // the lock, while the store is open
    expect(await readdir(join(ws, 'artifacts'))).toEqual(['ok']);
  });

  it('refuses a bad id even when the storage is called directly', async () => {
    const ws = await workspace();
    const storage = new FsArtifactStorage({ workspacePath: ws });
    await storage.open();
    const modification = { agentId: 'w', version: 1, timestamp: new Date(), metadata: {}, sizeBytes: 1 };
    await expect(storage.commit({ artifactId: '../x', modification, body: '{}', pruneVersions: [] })).rejects.toBeInstanceOf(
      InvalidArtifactIdError,
    );
    expect(await readdir(ws)).toEqual(['artifacts', 'workspace.lock']); // the lock, while the store is open
  });
});

describe('fs storage: ids that differ only in letter case', () => {
  it('refuses a new id that differs from an existing one only in case, which would share its directory on macOS and Windows', async () => {
    const ws = await workspace();
    const store = openStore(ws);
    await store.storeArtifact({ artifactId: 'Report', content: 'kept', agentId: 'w' });
    await expect(store.storeArtifact({ artifactId: 'report', content: 'other', agentId: 'w' })).rejects.toBeInstanceOf(
      InvalidArtifactIdError,
    );
    await expect(store.getArtifact({ artifactId: 'Report', agentId: 'w' })).resolves.toMatchObject({ content: 'kept', version: 1 });
    expect(await readdir(join(ws, 'artifacts'))).toEqual(['Report']);
    // Once the first is deleted, the name is free in any case.
    await store.deleteArtifact({ artifactId: 'Report', agentId: 'w' });
    await expect(store.storeArtifact({ artifactId: 'report', content: 'new', agentId: 'w' })).resolves.toMatchObject({ version: 1 });
  });

  it('knows the ids it loaded on open', async () => {
    const ws = await workspace();
    const first = openStore(ws);
    await first.storeArtifact({ artifactId: 'Report', content: 'kept', agentId: 'w' });
    await first.close();
    const second = openStore(ws);
    await expect(second.storeArtifact({ artifactId: 'REPORT', content: 'other', agentId: 'w' })).rejects.toBeInstanceOf(
      InvalidArtifactIdError,
    );
    await expect(second.getArtifact({ artifactId: 'Report', agentId: 'w' })).resolves.toMatchObject({ content: 'kept' });
  });
});

describe('fs storage: crash safety', () => {
  it('replaces a file atomically, leaving no temp file behind', async () => {
    const ws = await workspace();
    await writeFileAtomic(ws, 'f.json', 'one');
    await writeFileAtomic(ws, 'f.json', 'two');
    expect(await readFile(join(ws, 'f.json'), 'utf8')).toBe('two');
    expect(await readdir(ws)).toEqual(['f.json']);
  });

  it('cleans up what a crash leaves behind when a store opens the workspace', async () => {
    const ws = await workspace();
    const first = openStore(ws);
    await first.storeArtifact({ artifactId: 'doc', content: 'one', agentId: 'w' });
    await first.storeArtifact({ artifactId: 'doc', content: 'two', agentId: 'w' });
    await first.close();
    const artifacts = join(ws, 'artifacts');
    const doc = join(artifacts, 'doc');
    // A temp file, a body whose lineage line never landed, and a torn lineage line.
    await writeFile(join(doc, '.v3.json.1234.tmp'), '{"json":{"content":"th');
    await writeFile(join(doc, 'v3.json'), '{"json":{"content":"three","metadata":{}}}');
    await appendFile(join(doc, 'lineage.log'), '{"json":{"agentId":"w","vers');
    // A half-deleted artifact, a temp file at the top, and an artifact whose first write never committed.
    await mkdir(join(artifacts, '.trash-abc'));
    await writeFile(join(artifacts, '.trash-abc', 'v1.json'), 'x');
    await writeFile(join(artifacts, '.stray.tmp'), 'x');
    await mkdir(join(artifacts, 'orphan'));
    await writeFile(join(artifacts, 'orphan', 'v1.json'), '{"json":{"content":1,"metadata":{}}}');

    const second = openStore(ws);
    expect(await second.getArtifact({ artifactId: 'doc', agentId: 'r' })).toMatchObject({ version: 2, content: 'two' });
    await expect(second.getArtifact({ artifactId: 'orphan', agentId: 'r' })).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(await readdir(artifacts)).toEqual(['doc']);
    expect((await readdir(doc)).sort()).toEqual(['lineage.log', 'v1.json', 'v2.json']);
    // The torn line was cut off, so the next write's line is readable after another reopen.
    await second.storeArtifact({ artifactId: 'doc', content: 'three', agentId: 'w', expectedVersion: 2 });
    await second.close();
    const third = openStore(ws);
    const reread = await third.getArtifact({ artifactId: 'doc', agentId: 'r', includeLineage: true });
    expect(reread).toMatchObject({ version: 3, content: 'three' });
    expect(reread.lineage?.modifications).toHaveLength(3);
  });

  it('answers every request with the error when the workspace cannot be opened', async () => {
    const parent = await workspace();
    const file = join(parent, 'not-a-directory');
    await writeFile(file, 'x');
    const store = openStore(file);
    await expect(store.storeArtifact({ artifactId: 'doc', content: 1, agentId: 'w' })).rejects.toThrow(/ENOTDIR|EEXIST/);
    await expect(store.close()).resolves.toBeUndefined();
  });

  /**
   * Runs the crash writer until it has acknowledged `writes` writes, then
   * SIGKILLs it `delayMs` later, so kills land at different points of a write.
   */
  async function killWriterAfter(workspacePath: string, writes: number, delayMs: number): Promise<Map<string, number>> {
    const acknowledged = new Map<string, number>();
    const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'support', 'processes', 'context-crash-writer.ts'), workspacePath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let buffered = '';
    let count = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [artifactId, version] = line.split(' ');
        if (artifactId === undefined || version === undefined) continue;
        acknowledged.set(artifactId, Number(version));
        if (++count === writes) setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    const signal = await exited;
    if (signal !== 'SIGKILL') throw new Error(`crash writer ended without being killed: ${stderr}`);
    return acknowledged;
  }

  it('reopens after a writer is SIGKILLed mid-stream with every artifact a complete version', async () => {
    const ws = await workspace();
    const lastSeen = new Map<string, number>();
    const rounds = [[4, 0], [5, 1], [6, 2], [4, 3], [7, 0], [5, 2], [6, 4], [4, 1], [5, 3], [6, 0]] as const;
    for (const [writes, delayMs] of rounds) {
      const acknowledged = await killWriterAfter(ws, writes, delayMs);
      expect(acknowledged.size).toBe(CRASH_ARTIFACTS.length);

      const store = openStore(ws, { maxVersionsPerArtifact: 3 });
      for (const artifactId of CRASH_ARTIFACTS) {
        const acked = acknowledged.get(artifactId) ?? 0;
        const latest = await store.getArtifact({ artifactId, agentId: 'reader', includeLineage: true });
        // Nothing acknowledged is lost; at most the one write in flight at the kill landed too.
        expect(latest.version).toBeGreaterThanOrEqual(acked);
        expect(latest.version).toBeLessThanOrEqual(acked + 1);
        expect(latest.version).toBeGreaterThan(lastSeen.get(artifactId) ?? 0);
        lastSeen.set(artifactId, latest.version);
        expect(latest.lineage?.modifications.map((m) => m.version)).toEqual(
          Array.from({ length: latest.version }, (_, i) => i + 1),
        );
        for (const { version } of await store.listVersions({ artifactId, agentId: 'reader' })) {
          const kept = await store.getArtifact({ artifactId, agentId: 'reader', version });
          expect(kept.content).toEqual(crashContent(artifactId, version));
        }
        const files = await readdir(join(ws, 'artifacts', artifactId));
        expect(files.filter((name) => name.startsWith('.'))).toEqual([]);
      }
      await store.close();
      stores.splice(stores.indexOf(store), 1);
    }
    // Ten child processes start and are killed; on a loaded 2-core machine each start takes seconds.
  }, 120_000);
});
