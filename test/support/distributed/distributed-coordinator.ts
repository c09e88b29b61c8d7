/**
 * Child process of the coordinator-kill test: a coordinator (journal in
 * Redis) running a workflow until the test SIGKILLs it. Prints
 * `finished <agentId>` as tasks finish.
 *
 * Usage: node --import tsx test/support/distributed/distributed-coordinator.ts <redis-url> <queue> <workflowId>
 */
import { Orchestrator } from '../../../src/index.js';
import { DISTRIBUTED_CONFIG, dagOf50 } from './distributed-config.js';

const [redis, queue, workflowId] = process.argv.slice(2);
if (!redis || !queue || !workflowId) throw new Error('usage: distributed-coordinator.ts <redis-url> <queue> <workflowId>');
const coordinator = new Orchestrator({ ...DISTRIBUTED_CONFIG, journal: true, distributed: { redis, queue, leaseTtlMs: 1_000 } });
coordinator.events.on('task.finished', ({ agentId }) => process.stdout.write(`finished ${agentId}\n`));
await coordinator.executeWorkflow({ workflowId, tasks: dagOf50().slice(0, 16), maxParallelAgents: 2 });
process.stdout.write('done\n');
await coordinator.shutdown();
process.exit(3);
