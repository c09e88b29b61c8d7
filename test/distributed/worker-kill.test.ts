import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { repeatedCallsKey, redisKeys } from '../../src/distributed/index.js';
import { Orchestrator } from '../../src/index.js';
import type { WorkflowResult } from '../../src/index.js';
import { DISTRIBUTED_CONFIG, dagOf50 } from '../support/distributed/distributed-config.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';
import { stopWorkerProcess, waitFor } from '../support/distributed/worker-process.js';

const hasRedis = redisAvailable('worker-kill.test');
const TASKS = dagOf50().slice(0, 12);

describe.skipIf(!hasRedis)('a worker SIGKILLed mid-task', () => {
  const suite = useRedisSuite();
  let single: WorkflowResult;
  beforeAll(async () => {
    const local = new Orchestrator(DISTRIBUTED_CONFIG);
    single = await local.executeWorkflow({ workflowId: 'wf_kill', tasks: TASKS, maxParallelAgents: 4 });
    await local.shutdown();
  });

  // Trials kill the worker after a different number of its tasks have started.
  it.each([1, 3])('trial: killed at its start #%i: the run completes and no journaled call is made again', async (killAt) => {
    const queue = `kill${killAt}`;
    const { server } = suite;
    const latency = { TROUPE_TEST_LATENCY_MS: '60' };
    const [victim, survivor] = await Promise.all([suite.worker(queue, latency), suite.worker(queue, latency)]);
    if (!victim || !survivor) throw new Error('workers did not start');
    const coordinator = new Orchestrator({ ...DISTRIBUTED_CONFIG, distributed: { redis: server.url, queue } });
    let started = 0;
    let killed: Promise<void> | undefined;
    const finishedBy = new Map<string, string>();
    const startedBy: Array<{ agentId: string; workerId: string }> = [];
    coordinator.events.on('worker.task', (event) => {
      if (event.status === 'finished') finishedBy.set(event.agentId, event.workerId);
      else startedBy.push({ agentId: event.agentId, workerId: event.workerId });
      if (event.status === 'started' && event.workerId === victim.id && ++started === killAt) killed = stopWorkerProcess(victim.child, 'SIGKILL');
    });
    const redis = new Redis(server.url, { maxRetriesPerRequest: 2 });
    try {
      const result = await coordinator.executeWorkflow({ workflowId: 'wf_kill', tasks: TASKS, maxParallelAgents: 4 });
      await killed;
      expect(killed).toBeDefined();
      expect(result.status).toBe('succeeded');
      expect(Object.fromEntries(Object.entries(result.results).map(([id, r]) => [id, r.output]))).toEqual(
        Object.fromEntries(Object.entries(single.results).map(([id, r]) => [id, r.output])),
      );
      // A task the victim started and never finished was run again by the survivor.
      const orphaned = startedBy.filter((s) => s.workerId === victim.id && finishedBy.get(s.agentId) !== victim.id);
      expect(orphaned.length).toBeGreaterThan(0);
      // The survivor's reports travel by pub/sub, beside the job answers: wait for the last one.
      await waitFor(() => orphaned.every(({ agentId }) => finishedBy.has(agentId)));
      for (const { agentId } of orphaned) expect(finishedBy.get(agentId)).toBe(survivor.id);
      expect(Number((await redis.get(repeatedCallsKey(redisKeys(queue)))) ?? 0)).toBe(0);
    } finally {
      redis.disconnect();
      await coordinator.shutdown();
      await stopWorkerProcess(survivor.child, 'SIGTERM');
    }
  });
});
