import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisJournalStorage, redisKeys } from '../../src/distributed/index.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';

const hasRedis = redisAvailable('redis-restart.test');

describe.skipIf(!hasRedis)('Redis killed and restarted mid-run (appendonly yes, appendfsync always)', () => {
  const suite = useRedisSuite({ appendonly: true, appendfsync: 'always' });

  it('loses no acknowledged journal line, and appends continue in order after the restart', async () => {
    const keys = redisKeys('restart');
    const { server } = suite;
    // No offline queue: a line is either acknowledged by Redis or its append fails; nothing is written later behind our back.
    const redis = new Redis(server.url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    const storage = new RedisJournalStorage(redis, keys, { owner: 'coordinator', leaseTtlMs: 60_000 });
    const acknowledged: string[] = [];
    let failed = 0;
    let killedAt = -1;
    for (let i = 0; i < 400; i++) {
      if (i === 150) {
        killedAt = acknowledged.length;
        void server.kill().then(() => server.restart());
      }
      try {
        await storage.append('wf_r', `line ${i}`);
        acknowledged.push(`line ${i}`);
      } catch {
        failed++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    expect(killedAt).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    const lines = ((await storage.read('wf_r')) ?? '').split('\n').filter(Boolean);
    // Every acknowledged line is there, in order. (A line Redis wrote but whose reply the kill cut off may be there too.)
    expect(new Set(lines).size).toBe(lines.length);
    const positions = acknowledged.map((line) => lines.indexOf(line));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(lines.length - acknowledged.length).toBeLessThanOrEqual(failed);
    await storage.closeAll();
    redis.disconnect();
  });
});
