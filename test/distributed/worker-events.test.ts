import { describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import type { TroupeEvent } from '../../src/index.js';
import { dagOf50, pricedConfig } from '../support/distributed/distributed-config.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';
import { waitFor } from '../support/distributed/worker-process.js';

const hasRedis = redisAvailable('worker-events.test');
const LIMIT = 100_000;
const TASKS = dagOf50().slice(0, 10);

describe.skipIf(!hasRedis)("workers' events on the coordinator", () => {
  const suite = useRedisSuite();

  it("a 2-worker run: the coordinator's metrics count the workers' model calls and cost, tagged with their worker ids", async () => {
    const local = new Orchestrator(pricedConfig(LIMIT));
    await local.enableMonitoring();
    const single = await local.executeWorkflow({ workflowId: 'wf_events', tasks: TASKS, maxParallelAgents: 4 });
    const singleMetrics = local.getMetrics();
    await local.shutdown();

    const queue = 'events';
    const workers = await Promise.all([1, 2].map(() => suite.worker(queue, { TROUPE_TEST_BUDGET_CENTS: String(LIMIT) })));
    const coordinator = new Orchestrator({ ...pricedConfig(LIMIT), distributed: { redis: suite.server.url, queue } });
    await coordinator.enableMonitoring();
    const calls: TroupeEvent<'model.call.finished'>[] = [];
    coordinator.events.on('model.call.finished', (event) => calls.push(event));
    try {
      const result = await coordinator.executeWorkflow({ workflowId: 'wf_events', tasks: TASKS, maxParallelAgents: 4 });
      expect(result.status).toBe('succeeded');
      const taskCost = Object.values(result.results).reduce((sum, r) => sum + r.costCents, 0);
      expect(taskCost).toBeGreaterThan(0);
      const expectedCalls = singleMetrics.modelCalls?.total ?? 0;
      expect(expectedCalls).toBeGreaterThan(0);
      // Pub/sub and the job answers travel on different connections: wait for the last forwarded event.
      await waitFor(() => (coordinator.getMetrics().modelCalls?.total ?? 0) >= expectedCalls);
      const metrics = coordinator.getMetrics();
      expect(metrics.modelCalls?.total).toBe(expectedCalls);
      expect(metrics.totalCostCents).toBeCloseTo(taskCost, 6);
      expect(metrics.totalCostCents).toBeCloseTo(singleMetrics.totalCostCents ?? -1, 6);
      expect(metrics.tokenUsage).toEqual(singleMetrics.tokenUsage);
      expect(Object.keys(metrics.perAgent).sort()).toEqual(TASKS.map((t) => t.agentId).sort());
      // Every call is tagged with the worker that made it, one of this test's two.
      const ids = new Set(workers.map((w) => w.id));
      expect(calls.length).toBe(expectedCalls);
      expect(calls.every((call) => call.workerId !== undefined && ids.has(call.workerId))).toBe(true);
      expect(calls.every((call) => call.workflowId === 'wf_events')).toBe(true);
      expect(single.totalCostCents).toBeCloseTo(taskCost, 6);
    } finally {
      await coordinator.shutdown();
    }
  });
});
