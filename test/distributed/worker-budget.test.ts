import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/distributed/index.js';
import { Orchestrator } from '../../src/index.js';
import { dagOf50 } from '../support/distributed/distributed-config.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';

const hasRedis = redisAvailable('worker-budget.test');
const LIMIT = 20;

describe.skipIf(!hasRedis)('cost limits across workers', () => {
  const suite = useRedisSuite();

  it('three workers share one Redis budget: total spent stays within the limit, calls past it are refused', async () => {
    const queue = 'budget';
    const { server } = suite;
    await Promise.all([1, 2, 3].map(() => suite.worker(queue, { TROUPE_TEST_BUDGET_CENTS: String(LIMIT), TROUPE_TEST_LATENCY_MS: '20' })));
    const coordinator = new Orchestrator({
      seed: 11,
      journal: false,
      enableThinkingAgents: false,
      distributed: { redis: server.url, queue },
    });
    const redis = new Redis(server.url, { maxRetriesPerRequest: 2 });
    try {
      const tasks = dagOf50().slice(0, 12).map(({ dependencies: _d, ...task }) => task);
      const result = await coordinator.executeWorkflow({ tasks, continueOnFailure: true, maxParallelAgents: 6 });
      const statuses = Object.values(result.results);
      expect(statuses.some((r) => r.status === 'succeeded')).toBe(true);
      expect(statuses.some((r) => r.error?.code === 'BUDGET_EXCEEDED')).toBe(true);
      const [spent, reserved] = await redis.hmget(redisKeys(queue).budget(), 'spent', 'reserved');
      expect(Number(spent) / 1_000_000).toBeGreaterThan(0);
      expect(Number(spent) / 1_000_000).toBeLessThanOrEqual(LIMIT);
      expect(Number(reserved ?? 0)).toBe(0);
    } finally {
      redis.disconnect();
      await coordinator.shutdown();
    }
  });
});
