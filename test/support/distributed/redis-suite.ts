/**
 * The setup the distributed tests share: one redis-server for a `describe`
 * block, started before its tests and closed after them, with the ioredis
 * clients and worker processes its tests open on it, disconnected and
 * SIGKILLed once the block is done.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedisServer } from './redis-server.js';
import type { RedisServerOptions, TestRedisServer } from './redis-server.js';
import { startWorkerProcess, stopWorkerProcess } from './worker-process.js';
import type { WorkerProcess } from './worker-process.js';

export interface RedisSuiteWorkerOptions {
  /** The Redis the worker connects to (a proxy's, say); default the suite's server. */
  readonly url?: string;
  /** Added to the worker's arguments (`lookup-tool`). */
  readonly extra?: string[];
}

/** What `useRedisSuite` gives the tests of its `describe` block. */
export interface RedisSuite {
  /** The running redis-server; throws if read before the suite's beforeAll started it. */
  readonly server: TestRedisServer;
  /** A new ioredis client on the server (`maxRetriesPerRequest: 2`), disconnected after the suite. */
  client(): Redis;
  /**
   * A worker process on `queue` (test/support/distributed/distributed-worker.ts), resolved
   * once it is ready; `env` is added to its environment. Still running after
   * the suite, it is SIGKILLed.
   */
  worker(queue: string, env?: Record<string, string>, options?: RedisSuiteWorkerOptions): Promise<WorkerProcess>;
}

/**
 * Registers, in the `describe` body it is called in, a beforeAll that starts a
 * redis-server (with `options`) and an afterAll that SIGKILLs the suite's
 * workers still running, disconnects its clients and closes the server.
 *
 * Vitest runs afterAll hooks last registered first: one the file registers
 * after this call runs before the suite's (while the server and the workers
 * still run); one registered before it runs after.
 *
 * @example
 * ```ts
 * describe.skipIf(!hasRedis)('a workflow on workers', () => {
 *   const suite = useRedisSuite();
 *
 *   it('runs', async () => {
 *     const worker = await suite.worker('queue', { TROUPE_TEST_LATENCY_MS: '20' });
 *     const coordinator = new Orchestrator({ distributed: { redis: suite.server.url, queue: 'queue' } });
 *     // ...
 *     await stopWorkerProcess(worker.child); // or leave it to the suite
 *   });
 * });
 * ```
 */
export function useRedisSuite(options: RedisServerOptions = {}): RedisSuite {
  let started: TestRedisServer | undefined;
  const clients: Redis[] = [];
  const workers: WorkerProcess[] = [];
  const server = (): TestRedisServer => {
    if (!started) throw new Error('useRedisSuite: the redis-server is not started yet; read `server` in a test or in a hook registered after useRedisSuite()');
    return started;
  };
  beforeAll(async () => {
    started = await startRedisServer(options);
  });
  afterAll(async () => {
    await Promise.all(workers.splice(0).map((worker) => stopWorkerProcess(worker.child, 'SIGKILL')));
    for (const redis of clients.splice(0)) redis.disconnect();
    await started?.close();
  });
  return {
    get server() {
      return server();
    },
    client() {
      const redis = new Redis(server().url, { maxRetriesPerRequest: 2 });
      clients.push(redis);
      return redis;
    },
    async worker(queue, env = {}, { url, extra = [] } = {}) {
      const worker = await startWorkerProcess(url ?? server().url, queue, env, extra);
      workers.push(worker);
      return worker;
    },
  };
}
