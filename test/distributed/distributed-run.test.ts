import { beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import type { WorkflowResult } from '../../src/index.js';
import { DISTRIBUTED_CONFIG, dagOf50 } from '../support/distributed/distributed-config.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';
import { stopWorkerProcess } from '../support/distributed/worker-process.js';

const hasRedis = redisAvailable('distributed-run.test');

function outputs(result: WorkflowResult): Record<string, { status: string; output: unknown }> {
  return Object.fromEntries(Object.entries(result.results).map(([id, r]) => [id, { status: r.status, output: r.output }]));
}

describe.skipIf(!hasRedis)('a workflow on worker processes', () => {
  const suite = useRedisSuite();
  let single: WorkflowResult;
  beforeAll(async () => {
    const local = new Orchestrator(DISTRIBUTED_CONFIG);
    single = await local.executeWorkflow({ workflowId: 'wf_dag', tasks: dagOf50(), maxParallelAgents: 8 });
    await local.shutdown();
  });

  it.each([2, 3])('%i workers run a 50-task DAG with the results of the single-process run', async (count) => {
    const queue = `dag${count}`;
    const workers = await Promise.all(Array.from({ length: count }, () => suite.worker(queue)));
    const coordinator = new Orchestrator({ ...DISTRIBUTED_CONFIG, distributed: { redis: suite.server.url, queue } });
    const ranBy = new Map<string, string>();
    coordinator.events.on('worker.task', (event) => {
      if (event.status === 'finished') ranBy.set(event.agentId, event.workerId);
    });
    try {
      const result = await coordinator.executeWorkflow({ workflowId: 'wf_dag', tasks: dagOf50(), maxParallelAgents: 8 });
      expect(single.status).toBe('succeeded');
      expect(result.status).toBe(single.status);
      expect(outputs(result)).toEqual(outputs(single));
      expect(result.totalCostCents).toBeCloseTo(single.totalCostCents, 6);
      // Every task was run, and reported, by one of this test's workers.
      const ids = new Set(workers.map((w) => w.id));
      await waitFor(() => ranBy.size === 50);
      expect([...ranBy.values()].every((id) => ids.has(id))).toBe(true);
    } finally {
      await coordinator.shutdown();
      await Promise.all(workers.map((w) => stopWorkerProcess(w.child)));
    }
  });

  it('fails a task that needs a tool its worker lacks with TOOL_NOT_ON_WORKER; a worker with the tool runs it', async () => {
    const lookup = {
      name: 'lookup',
      description: 'Looks a term up',
      inputSchema: { type: 'object' as const, properties: { term: { type: 'string' as const } } },
      execute: async () => 'found',
    };
    const run = async (queue: string, extra: string[]) => {
      const worker = await suite.worker(queue, {}, { extra });
      const coordinator = new Orchestrator({ ...DISTRIBUTED_CONFIG, distributed: { redis: suite.server.url, queue } });
      coordinator.registerTool(lookup);
      coordinator.registerTemplate('researcher', { role: 'researcher', tools: ['lookup'] });
      try {
        return await coordinator.executeWorkflow({ tasks: [{ agentId: 'researcher', taskDescription: 'find it' }], continueOnFailure: true });
      } finally {
        await coordinator.shutdown();
        await stopWorkerProcess(worker.child);
      }
    };
    const without = await run('notool', []);
    expect(without.results.researcher?.status).toBe('failed');
    expect(without.results.researcher?.error?.code).toBe('TOOL_NOT_ON_WORKER');
    const withTool = await run('withtool', ['lookup-tool']);
    expect(withTool.results.researcher?.status).toBe('succeeded');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
