import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBudgetStore, decodeTaskAnswer, memoKey, parseClaimLog, redisKeys, repeatedCallsKey, taskJobId } from '../../src/distributed/index.js';
import { Orchestrator } from '../../src/index.js';
import type { SubAgentTaskSpec, TroupeEvent, WorkflowResult } from '../../src/index.js';
import { pricedConfig } from '../support/distributed/distributed-config.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';
import { startTcpProxy } from '../support/distributed/tcp-proxy.js';
import type { TcpProxy } from '../support/distributed/tcp-proxy.js';
import { stopWorkerProcess, waitFor } from '../support/distributed/worker-process.js';

const hasRedis = redisAvailable('partition.test');
const LIMIT = 100_000;
const TASKS: SubAgentTaskSpec[] = [
  { agentId: 'first', taskDescription: 'Outline the plan' },
  { agentId: 'second', taskDescription: 'Refine the plan', dependencies: ['first'] },
];

function outputs(result: WorkflowResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result.results).map(([id, r]) => [id, { status: r.status, output: r.output }]));
}

/** A memo entry's claim token and holder. */
function recordedBy(text: string | null): { token: unknown; holder: unknown } {
  const value: unknown = text === null ? null : JSON.parse(text);
  const json = typeof value === 'object' && value !== null ? Reflect.get(value, 'json') ?? value : undefined;
  return { token: json && Reflect.get(json, 'token'), holder: json && Reflect.get(json, 'holder') };
}

describe.skipIf(!hasRedis)('a partition between one worker and Redis', () => {
  let proxy: TcpProxy;
  let single: WorkflowResult;
  // Registered before the suite, so it runs after the suite's afterAll: the proxy closes once the workers are killed.
  afterAll(async () => {
    proxy?.resume();
    await proxy?.close();
  });
  const suite = useRedisSuite();
  beforeAll(async () => {
    proxy = await startTcpProxy(suite.server.port);
    const local = new Orchestrator(pricedConfig(LIMIT));
    single = await local.executeWorkflow({ workflowId: 'wf_partition', tasks: TASKS });
    await local.shutdown();
  });

  it("the job moves to another worker, the run completes, and the cut-off worker's late writes are refused", async () => {
    const { server } = suite;
    const queue = 'partition';
    const keys = redisKeys(queue);
    const env = { TROUPE_TEST_BUDGET_CENTS: String(LIMIT) };
    // The stale worker reaches Redis only through the proxy; its model answers after 1.5 s.
    const stale = await suite.worker(queue, { ...env, TROUPE_TEST_LATENCY_MS: '1500' }, { url: proxy.url });
    const coordinator = new Orchestrator({ ...pricedConfig(LIMIT), distributed: { redis: server.url, queue } });
    const failed: TroupeEvent<'model.call.failed'>[] = [];
    coordinator.events.on('model.call.failed', (event) => failed.push(event));
    const redis = new Redis(server.url, { maxRetriesPerRequest: 2 });
    const bullConnection = new Redis(server.url, { maxRetriesPerRequest: null });
    const bull = new Queue(queue, { connection: bullConnection });
    try {
      const run = coordinator.executeWorkflow({ workflowId: 'wf_partition', tasks: TASKS });
      // The stale worker reserved its first call: the call is in flight. Cut it off (nothing is closed).
      expect(await waitFor(async () => (await redis.hlen(keys.budgetReservations())) > 0)).toBe(true);
      proxy.pause();
      const [[callKey, reservation] = ['', '']] = Object.entries(await redis.hgetall(keys.budgetReservations()));
      const staleOwner = reservation.split('|')[0] ?? '';
      const staleToken = Number(await redis.get(keys.call(callKey)));
      expect(staleToken).toBeGreaterThan(0);

      // A second worker, not cut off: the stale worker's job lock expires and BullMQ moves the job to it.
      const successor = await suite.worker(queue, { ...env, TROUPE_TEST_LATENCY_MS: '20' });
      const result = await run;
      expect(result.status).toBe('succeeded');
      expect(outputs(result)).toEqual(outputs(single));
      expect(result.totalCostCents).toBeCloseTo(single.totalCostCents, 6);

      // Still cut off: once its liveness key lapsed, the stale worker's open reservation is charged in full.
      expect(await waitFor(async () => (await redis.exists(keys.budgetOwner(staleOwner))) === 0)).toBe(true);
      const probe = new RedisBudgetStore(redis, keys, { limits: {} });
      await (await probe.reserve({ agentId: 'probe', requestedCents: 0 })).release(); // a script run sweeps dead owners
      probe.stop();
      expect(await redis.hexists(keys.budgetReservations(), callKey)).toBe(0);
      const booksBefore = await redis.hgetall(keys.budget());
      expect(Number(booksBefore.dead)).toBe(1);
      const memoBefore = recordedBy(await redis.hget(memoKey(keys, 'wf_partition'), callKey));
      expect(memoBefore.holder).toBe(successor.id);
      expect(Number(memoBefore.token)).toBeGreaterThan(staleToken);

      // The partition heals: the stale worker's settle and memo write reach Redis now, with its old token.
      proxy.resume();
      expect(await waitFor(() => failed.some((event) => event.workerId === stale.id))).toBe(true);
      const refused = failed.filter((event) => event.workerId === stale.id);
      expect(refused.map((event) => event.error.code)).toEqual(['FENCED']);
      expect(refused[0]?.error.details).toMatchObject({ resource: `call ${callKey}`, token: staleToken });
      await stopWorkerProcess(stale.child); // SIGTERM: it finishes (or hands back) its job before exiting

      // Nothing the stale worker wrote late took effect.
      const booksAfter = await redis.hgetall(keys.budget());
      expect(booksAfter.spent).toBe(booksBefore.spent);
      expect(booksAfter.reserved).toBe('0');
      expect(recordedBy(await redis.hget(memoKey(keys, 'wf_partition'), callKey))).toEqual(memoBefore);
      expect(Number((await redis.get(repeatedCallsKey(keys))) ?? 0)).toBe(0);
      // The claim log: the stale worker's claim, then the successor's with a greater token; never two at once.
      const grants = parseClaimLog(await redis.lrange(keys.claimLog(), 0, -1)).filter((grant) => grant.callKey === callKey);
      expect(grants.map((grant) => grant.holder)).toEqual([stale.id, successor.id]);
      expect(grants[0]?.token).toBe(staleToken);
      expect(grants[1]?.token).toBe(memoBefore.token);
      // The job's recorded result is the successor's: the stale worker's completion was refused by BullMQ's lock.
      const job = await bull.getJob(taskJobId('wf_partition', 'first'));
      expect(decodeTaskAnswer(job?.returnvalue).workerId).toBe(successor.id);
    } finally {
      redis.disconnect();
      await bull.close();
      bullConnection.disconnect();
      await coordinator.shutdown();
    }
  });
});
