import { describe, expect, it } from 'vitest';
import { CallClaims, RedisArtifactStorage, RedisJournalStorage, parseClaimLog, redisKeys } from '../../src/distributed/index.js';
import { FencedError, SharedContextStore, VersionConflictError } from '../../src/index.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';

const hasRedis = redisAvailable('redis-backends.test');

describe.skipIf(!hasRedis)('Redis backends', () => {
  const { client } = useRedisSuite();

  it('artifact compare-and-set: of N writers with the same expectedVersion exactly one succeeds', async () => {
    const keys = redisKeys('cas');
    const open = (): SharedContextStore =>
      new SharedContextStore({ storage: new RedisArtifactStorage(client(), keys), agentPermissions: { '*': ['read', 'write', 'delete'] } });
    const first = open();
    await first.storeArtifact({ artifactId: 'plan', content: 'v1', agentId: 'w0' });
    const writers = Array.from({ length: 8 }, open);
    const outcomes = await Promise.allSettled(
      writers.map((store, i) => store.storeArtifact({ artifactId: 'plan', content: `by w${i}`, agentId: `w${i}`, expectedVersion: 1 })),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const o of lost) expect(o.status === 'rejected' && o.reason).toBeInstanceOf(VersionConflictError);
    const read = await open().getArtifact({ artifactId: 'plan', agentId: 'r', includeLineage: true });
    expect(read.version).toBe(2);
    expect(read.lineage?.modifications.map((m) => m.version)).toEqual([1, 2]);
    expect(read.lineage?.createdBy).toBe('w0');
    await Promise.all([first, ...writers].map((store) => store.close()));
  });

  it('artifacts keep versions, prune past maxVersionsPerArtifact, and delete with their history', async () => {
    const keys = redisKeys('versions');
    const store = new SharedContextStore({
      storage: new RedisArtifactStorage(client(), keys),
      maxVersionsPerArtifact: 2,
      agentPermissions: { '*': ['read', 'write', 'delete'] },
    });
    for (const content of ['a', 'b', 'c']) await store.storeArtifact({ artifactId: 'doc', content, agentId: 'w', metadata: { tags: ['t'] } });
    const versions = await store.listVersions({ artifactId: 'doc', agentId: 'w' });
    expect(versions.map((v) => v.version)).toEqual([2, 3]);
    await expect(store.getArtifact({ artifactId: 'doc', agentId: 'w', version: 1 })).rejects.toThrow();
    expect((await store.getArtifact({ artifactId: 'doc', agentId: 'w', version: 2 })).content).toBe('b');
    expect((await store.listArtifacts({ agentId: 'w', tags: ['t'] })).map((a) => a.artifactId)).toEqual(['doc']);
    await store.deleteArtifact({ artifactId: 'doc', agentId: 'w' });
    expect(await store.listArtifacts({ agentId: 'w' })).toEqual([]);
    const leftovers = await client().keys(`${keys.prefix}*`);
    expect(leftovers.filter((key) => key.includes('artifact:doc'))).toEqual([]);
    await store.close();
  });

  it('journal: lines in order, listed, and a stale lease holder\'s appends refused once a successor took the lease', async () => {
    const keys = redisKeys('journal');
    const old = new RedisJournalStorage(client(), keys, { owner: 'coordinator-1', leaseTtlMs: 200 });
    await old.append('wf_1', 'one');
    await old.append('wf_1', 'two');
    expect(await old.read('wf_1')).toBe('one\ntwo\n');
    expect(await old.list()).toEqual(['wf_1']);
    const successor = new RedisJournalStorage(client(), keys, { owner: 'coordinator-2', leaseTtlMs: 200 });
    // The first coordinator still holds the lease: the successor cannot take it at once.
    await expect(successor.leaseRun('wf_1')).rejects.toBeInstanceOf(FencedError);
    old.leaseOf('wf_1')?.pause(); // it stops renewing, as a paused or partitioned process does
    const lease = await successor.leaseRun('wf_1', 5_000);
    expect(lease.token).toBeGreaterThan(old.leaseOf('wf_1')?.token ?? Number.POSITIVE_INFINITY);
    await successor.append('wf_1', 'three');
    await expect(old.append('wf_1', 'late')).rejects.toBeInstanceOf(FencedError);
    await expect(old.appendMany('wf_1', ['late', 'later'])).rejects.toBeInstanceOf(FencedError);
    // A group commit's batch: its lines pushed in order in one step, counted in the log's size.
    await successor.appendMany('wf_1', ['four', 'fünf']);
    expect(await successor.read('wf_1')).toBe('one\ntwo\nthree\nfour\nfünf\n');
    expect(await successor.size('wf_1')).toBe(Buffer.byteLength('one\ntwo\nthree\nfour\nfünf\n'));
    await successor.closeAll();
  });

  it('call claims: one holder at a time; a stale claim\'s journal writes are refused', async () => {
    const keys = redisKeys('claims');
    const claims = [new CallClaims(client(), keys, 200), new CallClaims(client(), keys, 200)];
    const tokens = await Promise.all([...claims, ...claims].map((c) => c.claim('wf_1/a/acting/1')));
    expect(tokens.filter((t) => t > 0)).toHaveLength(1);
    const token = tokens.find((t) => t > 0) ?? 0;
    const journal = new RedisJournalStorage(client(), keys, { owner: 'w1', leaseRuns: false });
    await journal.appendFenced('wf_1', 'call by holder', { key: keys.call('wf_1/a/acting/1'), token });
    // The claim expires (its holder stopped renewing); another worker claims the call.
    let next = 0;
    while (next === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      next = await claims[1]!.claim('wf_1/a/acting/1');
    }
    expect(next).toBeGreaterThan(token);
    await expect(journal.appendFenced('wf_1', 'late call', { key: keys.call('wf_1/a/acting/1'), token })).rejects.toBeInstanceOf(FencedError);
    await journal.appendFenced('wf_1', 'call by successor', { key: keys.call('wf_1/a/acting/1'), token: next });
    expect(await journal.read('wf_1')).toBe('call by holder\ncall by successor\n');
    expect(await claims[0]!.holds('wf_1/a/acting/1', token)).toBe(false);
    await claims[1]!.release('wf_1/a/acting/1', next);
    const last = await claims[0]!.claim('wf_1/a/acting/1');
    expect(last).toBeGreaterThan(next);
    // The claim log: every grant in order, with its token and holder (unnamed holders are `anonymous`).
    const named = new CallClaims(client(), keys, 200, 'worker 7');
    const named1 = await named.claim('wf 2/a/acting/1');
    const log = parseClaimLog(await client().lrange(keys.claimLog(), 0, -1));
    expect(log).toEqual([
      { callKey: 'wf_1/a/acting/1', token, holder: 'anonymous' },
      { callKey: 'wf_1/a/acting/1', token: next, holder: 'anonymous' },
      { callKey: 'wf_1/a/acting/1', token: last, holder: 'anonymous' },
      { callKey: 'wf 2/a/acting/1', token: named1, holder: 'worker_7' },
    ]);
  });
});
