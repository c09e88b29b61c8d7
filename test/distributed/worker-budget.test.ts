import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/distributed/index.js';
import { Orchestrator } from '../../src/index.js';
import { dagOf50 } from '../support/distributed-config.js';
import { redisAvailable, startRedisServer } from '../support/redis-server.js';
import type { TestRedisServer } from '../support/redis-server.js';

const hasRedis = redisAvailable('worker-budget.test');
const WORKER = fileURLToPath(new URL('../support/distributed-worker.ts', import.meta.url));
const LIMIT = 20;

function startWorker(url: string, queue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, queue], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TROUPE_TEST_BUDGET_CENTS: String(LIMIT), TROUPE_TEST_LATENCY_MS: '20' },
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${String(code)}`)));
  });
}

describe.skipIf(!hasRedis)('cost limits across workers', () => {
  let server: TestRedisServer;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await server?.close();
  });

  it('three workers share one Redis budget: total spent stays within the limit, calls past it are refused', async () => {
    const queue = 'budget';
    children.push(...(await Promise.all([1, 2, 3].map(() => startWorker(server.url, queue)))));
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
