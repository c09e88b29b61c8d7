/**
 * A coordinator and two workers on one machine, given a running Redis:
 *
 *   redis-server --port 6379 &            # or any Redis 7
 *   npx tsx examples/distributed.ts [redis://127.0.0.1:6379]
 *
 * The workers run in this process here for brevity; in production each is
 * its own process (`npx troupe worker --redis URL --config ./troupe.config.ts`)
 * on any machine that reaches Redis. See docs/distributed.md.
 */
import { Orchestrator, createWorker } from '../src/index.js';
import type { OrchestratorConfig } from '../src/index.js';

const redis = process.argv[2] ?? 'redis://127.0.0.1:6379';
const config: OrchestratorConfig = { seed: 7, journal: false, simulated: { latencyMs: 50 }, enableThinkingAgents: false };
const queue = `example-${process.pid}`;

const workers = await Promise.all([1, 2].map(() => createWorker({ redis, queue, config, concurrency: 2 })));
const coordinator = new Orchestrator({ ...config, distributed: { redis, queue } });
coordinator.events.on('worker.task', ({ workerId, agentId, status }) => {
  if (status === 'finished') console.log(`${agentId} ran on ${workerId}`);
});
coordinator.registerTemplate('analyst', { role: 'market analyst', temperature: 0.2 });

const result = await coordinator.executeWorkflow({
  tasks: [
    { agentId: 'analyst', taskDescription: 'Size the market for home batteries' },
    { agentId: 'competition', taskDescription: 'List the main competitors' },
    { agentId: 'pricing', taskDescription: 'Propose a price', dependencies: ['analyst', 'competition'] },
    { agentId: 'summary', taskDescription: 'Write a one-paragraph summary', dependencies: ['pricing'] },
  ],
});
console.log(`${result.status}: ${Object.keys(result.results).length} tasks, ${result.totalCostCents.toFixed(4)}¢`);

await coordinator.shutdown();
await Promise.all(workers.map((worker) => worker.close()));
