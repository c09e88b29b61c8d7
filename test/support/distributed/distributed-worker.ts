/**
 * Child process of the distributed tests: a worker on the given Redis and
 * queue until SIGTERM (or the test SIGKILLs it).
 *
 * Usage: node --import tsx test/support/distributed/distributed-worker.ts <redis-url> <queue> [lookup-tool]
 */
import { createWorker } from '../../../src/index.js';
import { DISTRIBUTED_CONFIG } from './distributed-config.js';

const [redis, queue, tool] = process.argv.slice(2);
if (!redis || !queue) throw new Error('usage: distributed-worker.ts <redis-url> <queue> [lookup-tool]');
const worker = await createWorker({ redis, queue, config: DISTRIBUTED_CONFIG, concurrency: 2, lockDurationMs: 2_000 });
if (tool === 'lookup-tool') {
  worker.registerTool({
    name: 'lookup',
    description: 'Looks a term up',
    inputSchema: { type: 'object', properties: { term: { type: 'string' } } },
    execute: async () => 'found',
  });
}
process.stdout.write(`ready ${worker.id}\n`);
process.once('SIGTERM', () => {
  void worker.close().finally(() => process.exit(0));
});
