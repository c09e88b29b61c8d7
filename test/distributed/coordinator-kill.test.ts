import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { DISTRIBUTED_CONFIG, dagOf50 } from '../support/distributed/distributed-config.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';
import { startScript, stopWorkerProcess } from '../support/distributed/worker-process.js';

const hasRedis = redisAvailable('coordinator-kill.test');
const COORDINATOR = fileURLToPath(new URL('../support/distributed/distributed-coordinator.ts', import.meta.url));

describe.skipIf(!hasRedis)('the coordinator SIGKILLed mid-run', () => {
  const suite = useRedisSuite();

  it('a new process resumes the run from the Redis journal and finishes it', async () => {
    const queue = 'coord';
    const latency = { TROUPE_TEST_LATENCY_MS: '40' };
    const { server } = suite;
    const workers = await Promise.all([1, 2].map(() => suite.worker(queue, latency)));
    // The first coordinator dies once 4 tasks have finished (SIGKILLed the moment it says so: the suite tracks only workers).
    const first = await startScript(COORDINATOR, [server.url, queue, 'wf_coord'], /(finished \S+\n[\s\S]*){4}/, latency);
    await stopWorkerProcess(first.child, 'SIGKILL');

    const successor = new Orchestrator({ ...DISTRIBUTED_CONFIG, journal: true, distributed: { redis: server.url, queue, leaseTtlMs: 1_000 } });
    try {
      const before = await successor.getWorkflow('wf_coord');
      expect(before?.status).toBe('interrupted');
      const finishedBefore = Object.values(before?.tasks ?? {}).filter((status) => status === 'succeeded').length;
      // Task results are journaled just after their event: at least some of the 4 are in.
      expect(finishedBefore).toBeGreaterThan(0);
      const result = await successor.resumeWorkflow({ workflowId: 'wf_coord' });
      expect(result.status).toBe('succeeded');
      expect(Object.keys(result.results).sort()).toEqual(dagOf50().slice(0, 16).map((t) => t.agentId).sort());
      const after = await successor.getWorkflow('wf_coord');
      expect(after?.status).toBe('succeeded');
      expect(after?.resumedAt).toHaveLength(1);
    } finally {
      await successor.shutdown();
      await Promise.all(workers.map((worker) => stopWorkerProcess(worker.child, 'SIGTERM')));
    }
  });
});
