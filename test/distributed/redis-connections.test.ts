import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { RedisJournalStorage, loadDistributed, redisKeys } from '../../src/distributed/index.js';
import { ConfigError, Orchestrator, createWorker } from '../../src/index.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';
import { waitFor } from '../support/distributed/worker-process.js';

const hasRedis = redisAvailable('redis-connections.test');

describe.skipIf(!hasRedis)('Redis connections and the journal size', () => {
  const suite = useRedisSuite();
  let admin: Redis;
  /** Clients connected to the test's Redis, this test's own admin connection included. */
  const clients = async (): Promise<number> => {
    const list = String(await admin.call('CLIENT', 'LIST'));
    return list.split('\n').filter((line) => line.trim() !== '').length;
  };
  beforeAll(async () => {
    admin = suite.client();
    await admin.ping();
  });

  it('a coordinator whose distributed config is refused opens no Redis connection', async () => {
    expect(await clients()).toBe(1);
    expect(() => new Orchestrator({ journal: true, distributed: { redis: suite.server.url, queue: 'bad:queue' } })).toThrow(ConfigError);
    expect(() => new Orchestrator({ distributed: { redis: suite.server.url, leaseTtlMs: 1 } })).toThrow(ConfigError);
    // The Redis journal's client would be opened once bullmq and ioredis are loaded: load them, let it happen, look.
    await loadDistributed();
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await clients()).toBe(1);
    }
  });

  it('a coordinator that shuts down leaves no connection open; one that never dispatched never opened any', async () => {
    const idle = new Orchestrator({ distributed: { redis: suite.server.url, queue: 'idle' } });
    await idle.shutdown();
    expect(await clients()).toBe(1);
    const used = new Orchestrator({ distributed: { redis: suite.server.url, queue: 'used' } });
    await used.monitoring.budget(); // reads the shared books: the coordinator connects
    expect(await clients()).toBeGreaterThan(1);
    await used.shutdown();
    expect(await waitFor(async () => (await clients()) === 1)).toBe(true);
  });

  it('createWorker with a config it refuses rejects with ConfigError and leaves no connection open', async () => {
    await expect(createWorker({ redis: suite.server.url, queue: 'refused', config: { maxParallelAgents: 0 } })).rejects.toBeInstanceOf(ConfigError);
    await expect(createWorker({ redis: suite.server.url, queue: 'refused', config: { totalCostLimitCents: -1 } })).rejects.toBeInstanceOf(ConfigError);
    expect(await waitFor(async () => (await clients()) === 1)).toBe(true);
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await clients()).toBe(1);
    }
  });

  it("the journal's size comes from a byte counter, without reading the log", async () => {
    const keys = redisKeys('size');
    const storage = new RedisJournalStorage(new Redis(suite.server.url, { maxRetriesPerRequest: 2 }), keys, { owner: 'c1', leaseTtlMs: 60_000 });
    try {
      expect(await storage.size('wf_none')).toBeUndefined();
      for (const line of ['{"a":1}', '{"b":"ünïcödé ✓"}', '{"c":[1,2,3]}']) await storage.append('wf_1', line);
      const text = (await storage.read('wf_1')) ?? '';
      await admin.call('CONFIG', 'RESETSTAT');
      expect(await storage.size('wf_1')).toBe(Buffer.byteLength(text));
      const stats = String(await admin.call('INFO', 'commandstats'));
      expect(stats).not.toMatch(/cmdstat_lrange:/);
      // A log written before the counter existed is counted once, and the counter kept from then on.
      await admin.del(keys.journalBytes('wf_1'));
      expect(await storage.size('wf_1')).toBe(Buffer.byteLength(text));
      expect(await admin.get(keys.journalBytes('wf_1'))).toBe(String(Buffer.byteLength(text)));
      await storage.append('wf_1', '{"d":4}');
      expect(await storage.size('wf_1')).toBe(Buffer.byteLength((await storage.read('wf_1')) ?? ''));
      await storage.remove('wf_1');
      expect(await storage.size('wf_1')).toBeUndefined();
      expect(await admin.exists(keys.journalBytes('wf_1'))).toBe(0);
    } finally {
      await storage.closeAll();
      (await storage.opened())?.disconnect();
    }
  });
});
