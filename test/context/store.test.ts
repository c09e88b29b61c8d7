import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { StoreClosedError } from '../../src/index.js';
import { ArtifactNotFoundError, ArtifactTooLargeError, ConfigError, InvalidArtifactIdError, VersionConflictError } from '../../src/index.js';
import { MemoryArtifactStorage } from '../../src/index.js';
import { SharedContextStore } from '../../src/index.js';
import type { SharedContextStoreOptions } from '../../src/index.js';

const ALL = { '*': ['read', 'write', 'delete'] } as const;
const open: SharedContextStore[] = [];
const dirs: string[] = [];

function memoryStore(options: SharedContextStoreOptions = {}): SharedContextStore {
  const store = new SharedContextStore({ storage: 'memory', agentPermissions: ALL, ...options });
  open.push(store);
  return store;
}

async function fsStore(options: SharedContextStoreOptions = {}): Promise<SharedContextStore> {
  const workspacePath = await mkdtemp(join(tmpdir(), 'troupe-ctx-'));
  dirs.push(workspacePath);
  const store = new SharedContextStore({ workspacePath, agentPermissions: ALL, ...options });
  open.push(store);
  return store;
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map((store) => store.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('SharedContextStore: storing and reading', () => {
  it.each(['memory', 'fs'] as const)('round-trips any superjson value with its metadata (%s)', async (kind) => {
    const store = kind === 'memory' ? memoryStore() : await fsStore();
    const content = {
      when: new Date('2024-01-15T10:00:00Z'),
      counts: new Map([['a', 1n]]),
      seen: new Set(['x', 'y']),
      nested: [{ deep: undefined, re: /ab+c/i }],
    };
    const receipt = await store.storeArtifact({
      artifactId: 'market_analysis',
      content,
      metadata: { confidence: 0.85, tags: ['finance', 'quarterly'] },
      agentId: 'analyst',
    });
    expect(receipt).toMatchObject({ artifactId: 'market_analysis', version: 1, prunedVersions: [] });
    expect(receipt.sizeBytes).toBeGreaterThan(0);

    const artifact = await store.getArtifact({ artifactId: 'market_analysis', agentId: 'reviewer' });
    expect(artifact.content).toEqual(content);
    expect(artifact.metadata).toEqual({ confidence: 0.85, tags: ['finance', 'quarterly'] });
    expect(artifact.version).toBe(1);
    expect(artifact.createdAt).toEqual(receipt.createdAt);
    expect(artifact.lineage).toBeUndefined();
  });

  it('returns copies: callers cannot change what is stored', async () => {
    const store = memoryStore();
    const content = { list: [1, 2, 3] };
    const metadata = { tags: ['a'] };
    await store.storeArtifact({ artifactId: 'doc', content, metadata, agentId: 'w' });
    content.list.push(4);
    metadata.tags.push('b');

    const first = await store.getArtifact({ artifactId: 'doc', agentId: 'w', includeLineage: true });
    expect(first.content).toEqual({ list: [1, 2, 3] });
    expect(first.metadata).toEqual({ tags: ['a'] });
    if (typeof first.content === 'object' && first.content !== null && 'list' in first.content && Array.isArray(first.content.list)) {
      first.content.list.push(99);
    }
    const lineageTags = first.lineage?.modifications[0]?.metadata['tags'];
    if (Array.isArray(lineageTags)) lineageTags.push('mutated');
    const again = await store.getArtifact({ artifactId: 'doc', agentId: 'w', includeLineage: true });
    expect(again.content).toEqual({ list: [1, 2, 3] });
    expect(again.lineage?.modifications[0]?.metadata).toEqual({ tags: ['a'] });
  });

  it('reports a missing artifact as ArtifactNotFoundError', async () => {
    const store = memoryStore();
    await expect(store.getArtifact({ artifactId: 'nothing', agentId: 'r' })).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.listVersions({ artifactId: 'nothing', agentId: 'r' })).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.deleteArtifact({ artifactId: 'nothing', agentId: 'r' })).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });

  it('lists the latest version of each artifact by id, filtered by every requested tag', async () => {
    const store = memoryStore();
    await store.storeArtifact({ artifactId: 'b', content: 1, metadata: { tags: ['finance'] }, agentId: 'w' });
    await store.storeArtifact({ artifactId: 'a', content: 1, metadata: { tags: ['finance', 'quarterly'] }, agentId: 'w' });
    await store.storeArtifact({ artifactId: 'c', content: 1, agentId: 'w' });
    await store.storeArtifact({ artifactId: 'b', content: 2, metadata: { tags: ['legal'] }, agentId: 'x' });

    const all = await store.listArtifacts({ agentId: 'r' });
    expect(all.map((summary) => [summary.artifactId, summary.version])).toEqual([['a', 1], ['b', 2], ['c', 1]]);
    expect(all[1]).toMatchObject({ createdBy: 'w', tags: ['legal'], metadata: { tags: ['legal'] } });
    expect((await store.listArtifacts({ agentId: 'r', tags: ['finance'] })).map((s) => s.artifactId)).toEqual(['a']);
    expect((await store.listArtifacts({ agentId: 'r', tags: ['finance', 'quarterly'] })).map((s) => s.artifactId)).toEqual(['a']);
    expect(await store.listArtifacts({ agentId: 'r', tags: ['nope'] })).toEqual([]);
  });

  it('deletes an artifact with its history; a new one with that id starts again at version 1', async () => {
    const store = memoryStore();
    await store.storeArtifact({ artifactId: 'tmp', content: 'a', agentId: 'w' });
    await store.storeArtifact({ artifactId: 'tmp', content: 'b', agentId: 'w' });
    expect(await store.deleteArtifact({ artifactId: 'tmp', agentId: 'admin' })).toEqual({ artifactId: 'tmp', version: 2 });
    await expect(store.getArtifact({ artifactId: 'tmp', agentId: 'r' })).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(await store.listArtifacts({ agentId: 'r' })).toEqual([]);

    const again = await store.storeArtifact({ artifactId: 'tmp', content: 'c', agentId: 'v', expectedVersion: 0 });
    expect(again.version).toBe(1);
    const lineage = (await store.getArtifact({ artifactId: 'tmp', agentId: 'r', includeLineage: true })).lineage;
    expect(lineage?.createdBy).toBe('v');
    expect(lineage?.modifications).toHaveLength(1);
  });

  it('refuses content whose serialised form passes maxArtifactBytes, and stores nothing', async () => {
    const store = memoryStore({ maxArtifactBytes: 1000 });
    const error = await store
      .storeArtifact({ artifactId: 'big', content: 'x'.repeat(2000), agentId: 'w' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactTooLargeError);
    expect(error).toMatchObject({ code: 'ARTIFACT_TOO_LARGE', details: { artifactId: 'big', limitBytes: 1000 } });
    await expect(store.getArtifact({ artifactId: 'big', agentId: 'r' })).rejects.toBeInstanceOf(ArtifactNotFoundError);
    // Just under the limit is fine.
    await expect(store.storeArtifact({ artifactId: 'big', content: 'x'.repeat(900), agentId: 'w' })).resolves.toMatchObject({ version: 1 });
  });

  it('has a 10 MiB default size limit', async () => {
    const store = memoryStore();
    await expect(
      store.storeArtifact({ artifactId: 'huge', content: 'x'.repeat(10 * 1024 * 1024), agentId: 'w' }),
    ).rejects.toBeInstanceOf(ArtifactTooLargeError);
  });

  it('rejects invalid options with a ConfigError naming the field', () => {
    expect(() => new SharedContextStore({ storage: 'memory', maxVersionsPerArtifact: 0 })).toThrow(ConfigError);
    expect(() => new SharedContextStore({ storage: 'memory', ttlHours: -1 })).toThrow(/ttlHours/);
    expect(() => new SharedContextStore({ storage: 'memory', maxArtifactBytes: 1.5 })).toThrow(/maxArtifactBytes/);
  });
});

describe('SharedContextStore: artifact ids', () => {
  const badIds = ['../x', '/etc/passwd', 'a/b', 'a\\b', 'a\0b', 'x'.repeat(10_000), '.', '..', '', '.hidden', 'a..b', 'C:\\x', 'a b'];

  it.each(badIds.map((id) => [JSON.stringify(id.slice(0, 20)), id]))('refuses %s in every operation', async (_label, id) => {
    const store = memoryStore();
    await expect(store.storeArtifact({ artifactId: id, content: 1, agentId: 'w' })).rejects.toBeInstanceOf(InvalidArtifactIdError);
    await expect(store.getArtifact({ artifactId: id, agentId: 'w' })).rejects.toBeInstanceOf(InvalidArtifactIdError);
    await expect(store.listVersions({ artifactId: id, agentId: 'w' })).rejects.toBeInstanceOf(InvalidArtifactIdError);
    await expect(store.deleteArtifact({ artifactId: id, agentId: 'w' })).rejects.toBeInstanceOf(InvalidArtifactIdError);
    expect(await store.listArtifacts({ agentId: 'w' })).toEqual([]);
  });

  it('accepts 1..200 characters of letters, digits, ".", "_" and "-"', async () => {
    const store = memoryStore();
    for (const id of ['a', 'report.v2', 'market_analysis-2024', 'x'.repeat(200), 'a.b.c']) {
      await expect(store.storeArtifact({ artifactId: id, content: 1, agentId: 'w' })).resolves.toMatchObject({ version: 1 });
    }
    await expect(store.storeArtifact({ artifactId: 'x'.repeat(201), content: 1, agentId: 'w' })).rejects.toBeInstanceOf(
      InvalidArtifactIdError,
    );
  });
});

describe('SharedContextStore: versions', () => {
  it('numbers each write n+1 and keeps at most maxVersionsPerArtifact, pruning the oldest', async () => {
    const store = memoryStore({ maxVersionsPerArtifact: 3 });
    const receipts = [];
    for (let i = 1; i <= 5; i++) receipts.push(await store.storeArtifact({ artifactId: 'doc', content: `v${i}`, agentId: 'w' }));
    expect(receipts.map((receipt) => receipt.version)).toEqual([1, 2, 3, 4, 5]);
    expect(receipts.map((receipt) => receipt.prunedVersions)).toEqual([[], [], [], [1], [2]]);

    const versions = await store.listVersions({ artifactId: 'doc', agentId: 'r' });
    expect(versions.map((info) => info.version)).toEqual([3, 4, 5]);
    expect((await store.getArtifact({ artifactId: 'doc', agentId: 'r', version: 3 })).content).toBe('v3');
    expect((await store.getArtifact({ artifactId: 'doc', agentId: 'r' })).content).toBe('v5');
    const pruned = await store.getArtifact({ artifactId: 'doc', agentId: 'r', version: 2 }).catch((e: unknown) => e);
    expect(pruned).toBeInstanceOf(ArtifactNotFoundError);
    expect(pruned).toMatchObject({ details: { artifactId: 'doc', version: 2 } });
    await expect(store.getArtifact({ artifactId: 'doc', agentId: 'r', version: 6 })).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });

  it('with versioning off, a write replaces, yet the version still counts up', async () => {
    const store = memoryStore({ enableVersioning: false, maxVersionsPerArtifact: 5 });
    await store.storeArtifact({ artifactId: 'doc', content: 'one', agentId: 'w' });
    const second = await store.storeArtifact({ artifactId: 'doc', content: 'two', agentId: 'w', expectedVersion: 1 });
    expect(second).toMatchObject({ version: 2, prunedVersions: [1] });
    expect((await store.listVersions({ artifactId: 'doc', agentId: 'r' })).map((info) => info.version)).toEqual([2]);
    await expect(store.storeArtifact({ artifactId: 'doc', content: 'x', agentId: 'w', expectedVersion: 1 })).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    await expect(store.getArtifact({ artifactId: 'doc', agentId: 'r', version: 1 })).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });

  it('refuses a write whose expectedVersion is stale, and changes nothing', async () => {
    const store = memoryStore();
    await store.storeArtifact({ artifactId: 'doc', content: 'one', agentId: 'w' });
    await store.storeArtifact({ artifactId: 'doc', content: 'two', agentId: 'w', expectedVersion: 1 });
    const conflict = await store
      .storeArtifact({ artifactId: 'doc', content: 'stale', agentId: 'w', expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect(conflict).toMatchObject({ details: { artifactId: 'doc', expectedVersion: 1, actualVersion: 2 } });
    expect(await store.getArtifact({ artifactId: 'doc', agentId: 'r' })).toMatchObject({ version: 2, content: 'two' });
  });

  it('treats expectedVersion 0 as "must not exist yet"', async () => {
    const store = memoryStore();
    await expect(store.storeArtifact({ artifactId: 'new', content: 1, agentId: 'w', expectedVersion: 0 })).resolves.toMatchObject({
      version: 1,
    });
    await expect(store.storeArtifact({ artifactId: 'new', content: 2, agentId: 'w', expectedVersion: 0 })).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    await expect(store.storeArtifact({ artifactId: 'other', content: 1, agentId: 'w', expectedVersion: 3 })).rejects.toMatchObject({
      details: { expectedVersion: 3, actualVersion: 0 },
    });
  });
});

describe('SharedContextStore: lineage', () => {
  it('records the creator and every write, with metadata, even for pruned versions', async () => {
    let now = Date.parse('2024-01-15T10:00:00Z');
    const store = memoryStore({ maxVersionsPerArtifact: 2, clock: () => now });
    await store.storeArtifact({ artifactId: 'plan', content: 1, metadata: { step: 'draft' }, agentId: 'researcher' });
    now += 1000;
    await store.storeArtifact({ artifactId: 'plan', content: 2, metadata: { step: 'review' }, agentId: 'reviewer' });
    now += 1000;
    await store.storeArtifact({ artifactId: 'plan', content: 3, metadata: { step: 'final' }, agentId: 'supervisor' });

    const artifact = await store.getArtifact({ artifactId: 'plan', agentId: 'r', includeLineage: true });
    expect(artifact.createdAt).toEqual(new Date('2024-01-15T10:00:00Z'));
    expect(artifact.updatedAt).toEqual(new Date('2024-01-15T10:00:02Z'));
    expect(artifact.lineage?.createdBy).toBe('researcher');
    expect(artifact.lineage?.createdAt).toEqual(new Date('2024-01-15T10:00:00Z'));
    expect(artifact.lineage?.modifications.map(({ agentId, version, timestamp, metadata }) => ({ agentId, version, timestamp, metadata }))).toEqual([
      { agentId: 'researcher', version: 1, timestamp: new Date('2024-01-15T10:00:00Z'), metadata: { step: 'draft' } },
      { agentId: 'reviewer', version: 2, timestamp: new Date('2024-01-15T10:00:01Z'), metadata: { step: 'review' } },
      { agentId: 'supervisor', version: 3, timestamp: new Date('2024-01-15T10:00:02Z'), metadata: { step: 'final' } },
    ]);
    // An older version reports when it was written.
    expect((await store.getArtifact({ artifactId: 'plan', agentId: 'r', version: 2 })).updatedAt).toEqual(
      new Date('2024-01-15T10:00:01Z'),
    );
  });
});

describe('SharedContextStore: concurrent writers', () => {
  it.each(['memory', 'fs'] as const)(
    'lets exactly one of 50 writers with the same expectedVersion land, and loses no update on retry (%s)',
    async (kind) => {
      const store = kind === 'memory' ? memoryStore() : await fsStore();
      const writers = Array.from({ length: 50 }, (_, i) => `writer_${i}`);
      await store.storeArtifact({ artifactId: 'race', content: [], agentId: 'seed' });

      const firstRound = await Promise.allSettled(
        writers.map((agentId) => store.storeArtifact({ artifactId: 'race', content: [agentId], agentId, expectedVersion: 1 })),
      );
      const landed = firstRound.filter((result) => result.status === 'fulfilled');
      expect(landed).toHaveLength(1);
      expect(landed[0]?.status === 'fulfilled' && landed[0].value.version).toBe(2);
      for (const result of firstRound) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(VersionConflictError);
          expect(result.reason).toMatchObject({ details: { expectedVersion: 1, actualVersion: 2 } });
        }
      }

      // Read-modify-write with retries: every writer appends its id exactly once.
      await store.storeArtifact({ artifactId: 'ledger', content: [], agentId: 'seed' });
      await Promise.all(
        writers.map(async (agentId) => {
          for (;;) {
            const current = await store.getArtifact({ artifactId: 'ledger', agentId });
            const entries = Array.isArray(current.content) ? current.content : [];
            try {
              await store.storeArtifact({ artifactId: 'ledger', content: [...entries, agentId], agentId, expectedVersion: current.version });
              return;
            } catch (error) {
              if (!(error instanceof VersionConflictError)) throw error;
            }
          }
        }),
      );
      const ledger = await store.getArtifact({ artifactId: 'ledger', agentId: 'r', includeLineage: true });
      expect(ledger.version).toBe(51);
      expect(Array.isArray(ledger.content) && [...ledger.content].sort()).toEqual([...writers].sort());
      const modifications = ledger.lineage?.modifications ?? [];
      expect(modifications.map((m) => m.version)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
      expect(modifications.slice(1).map((m) => m.agentId).sort()).toEqual([...writers].sort());
    },
  );
});

describe('SharedContextStore: ordering', () => {
  it('handles requests one at a time in the order they were sent, however many are queued', async () => {
    const store = memoryStore();
    const receipts = await Promise.all(
      Array.from({ length: 700 }, (_, i) => store.storeArtifact({ artifactId: 'log', content: i, agentId: `w${i}` })),
    );
    expect(receipts.map((receipt) => receipt.version)).toEqual(Array.from({ length: 700 }, (_, i) => i + 1));
    const versions = await store.listVersions({ artifactId: 'log', agentId: 'r' });
    expect(versions.map((info) => [info.version, info.agentId])).toEqual(
      Array.from({ length: 10 }, (_, i) => [691 + i, `w${690 + i}`]),
    );
    expect(store.actorRef.getSnapshot().context.answered).toBe(701);
  });
});

describe('SharedContextStore: TTL cleanup', () => {
  const HOUR = 3_600_000;

  it('removes artifacts neither written nor read for ttlHours, on sweep', async () => {
    let now = 0;
    const store = memoryStore({ autoCleanup: true, ttlHours: 2, clock: () => now });
    await store.storeArtifact({ artifactId: 'stale', content: 1, agentId: 'w' });
    await store.storeArtifact({ artifactId: 'read', content: 1, agentId: 'w' });
    await store.storeArtifact({ artifactId: 'written', content: 1, agentId: 'w' });
    now = 1.5 * HOUR;
    await store.getArtifact({ artifactId: 'read', agentId: 'r' });
    await store.storeArtifact({ artifactId: 'written', content: 2, agentId: 'w' });
    now = 2 * HOUR - 1;
    expect(await store.sweepExpired()).toEqual([]);
    now = 2 * HOUR;
    expect(await store.sweepExpired()).toEqual(['stale']);
    now = 3.5 * HOUR;
    expect(await store.sweepExpired()).toEqual(['read', 'written']);
    expect(await store.listArtifacts({ agentId: 'r' })).toEqual([]);
  });

  it('checks expiry on access, without waiting for a sweep', async () => {
    let now = 0;
    const store = memoryStore({ autoCleanup: true, ttlHours: 1, clock: () => now });
    await store.storeArtifact({ artifactId: 'doc', content: 1, agentId: 'w' });
    now = HOUR;
    await expect(store.getArtifact({ artifactId: 'doc', agentId: 'r' })).rejects.toBeInstanceOf(ArtifactNotFoundError);
    // Expired means gone: writing it again starts a new artifact.
    await expect(store.storeArtifact({ artifactId: 'doc', content: 2, agentId: 'w', expectedVersion: 0 })).resolves.toMatchObject({
      version: 1,
    });
  });

  it('never expires anything without autoCleanup', async () => {
    let now = 0;
    const store = memoryStore({ autoCleanup: false, ttlHours: 1, clock: () => now });
    await store.storeArtifact({ artifactId: 'doc', content: 1, agentId: 'w' });
    now = 1000 * HOUR;
    expect(await store.sweepExpired()).toEqual([]);
    await expect(store.getArtifact({ artifactId: 'doc', agentId: 'r' })).resolves.toMatchObject({ version: 1 });
  });

  it('sweeps on a timer every cleanupIntervalSeconds', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = 0;
    const storage = new MemoryArtifactStorage();
    const store = memoryStore({ storage, autoCleanup: true, ttlHours: 1, cleanupIntervalSeconds: 30, clock: () => now });
    await store.storeArtifact({ artifactId: 'old', content: 1, agentId: 'w' });
    now = 2 * HOUR;
    await store.storeArtifact({ artifactId: 'fresh', content: 1, agentId: 'w' });
    expect(await storage.get('old')).toBeDefined();
    vi.advanceTimersByTime(30_000);
    // Requests are handled in order, so this read runs after the timer's sweep.
    await store.getArtifact({ artifactId: 'fresh', agentId: 'r' });
    expect(await storage.get('old')).toBeUndefined();
    expect(await storage.get('fresh')).toBeDefined();
  });

  it('does not keep the process alive with its cleanup timer', async () => {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'support', 'processes', 'context-idle-store.ts')], {
        stdio: ['ignore', 'ignore', 'pipe'],
        // A timer that holds the process open would hang it: kill it well before the test's own timeout.
        timeout: 20_000,
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (exitCode) => (exitCode === 0 ? resolve(exitCode) : reject(new Error(`exit ${exitCode}: ${stderr}`))));
    });
    expect(code).toBe(0);
  });
});

describe('SharedContextStore: inspect', () => {
  it('reports the context actor and the requests it handles to the `inspect` observer', async () => {
    const events: InspectionEvent[] = [];
    const store = memoryStore({ inspect: (event) => events.push(event) });
    await store.storeArtifact({ artifactId: 'doc', content: 1, agentId: 'w' });
    const received = events.flatMap((event) => (event.type === '@xstate.event' && event.actorRef === store.actorRef ? [event.event.type] : []));
    expect(received).toContain('context.store');
  });
});

describe('SharedContextStore: closing', () => {
  it('finishes queued work, then refuses further calls with StoreClosedError', async () => {
    const store = memoryStore();
    const write = store.storeArtifact({ artifactId: 'doc', content: 1, agentId: 'w' });
    const closing = store.close();
    await expect(write).resolves.toMatchObject({ version: 1 });
    await closing;
    await expect(store.getArtifact({ artifactId: 'doc', agentId: 'r' })).rejects.toBeInstanceOf(StoreClosedError);
    expect(store.actorRef.getSnapshot().status).toBe('stopped');
    await expect(store.close()).resolves.toBeUndefined();
  });
});
