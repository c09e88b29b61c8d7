/**
 * Distributed mode: scale-out and per-task overhead, against a redis-server
 * started for the run on a free loopback port.
 *
 * - Tasks/s with 1, 2 and 4 worker processes (each runs 2 tasks at once) on
 *   the simulated model with 50 ms latency: 48 independent tasks. Scale-out
 *   efficiency = tasks/s with n workers ÷ (n × tasks/s with 1).
 * - Per-task overhead of distributed against in-process on an instant model:
 *   a chain of 30 tasks (each waits for the previous), one worker; the ratio
 *   of wall times and the added ms per task, best of 3.
 *
 * Run: `npx tsx bench/distributed.ts` (needs redis-server; prints one JSON line per figure)
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Orchestrator } from '../src/index.js';
import type { SubAgentTaskSpec } from '../src/index.js';
import { DISTRIBUTED_CONFIG } from '../test/support/distributed/distributed-config.js';
import { redisServerBinary, startRedisServer } from '../test/support/distributed/redis-server.js';

const WORKER = fileURLToPath(new URL('../test/support/distributed/distributed-worker.ts', import.meta.url));

function startWorker(url: string, queue: string, latencyMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, queue], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TROUPE_TEST_LATENCY_MS: String(latencyMs) },
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${String(code)}`)));
  });
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

const wide = (n: number): SubAgentTaskSpec[] => Array.from({ length: n }, (_, i) => ({ agentId: `w${i}`, taskDescription: `Independent step ${i}` }));
const chain = (n: number): SubAgentTaskSpec[] =>
  Array.from({ length: n }, (_, i) => ({ agentId: `c${i}`, taskDescription: `Step ${i}`, ...(i > 0 ? { dependencies: [`c${i - 1}`] } : {}) }));

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

function emit(metric: string, value: number, unit: string, notes: string): void {
  process.stdout.write(`${JSON.stringify({ case: 'distributed', metric, value: Math.round(value * 100) / 100, unit, notes })}\n`);
}

if (!redisServerBinary()) {
  process.stderr.write('bench/distributed: redis-server is not installed (apt-get install -y redis-server): skipped\n');
  process.exit(0);
}
const server = await startRedisServer();
let run = 0;
try {
  // Scale-out on a 50 ms model.
  const tasks = wide(48);
  const rates = new Map<number, number>();
  for (const count of [1, 2, 4]) {
    const queue = `scale${count}`;
    const workers = await Promise.all(Array.from({ length: count }, () => startWorker(server.url, queue, 50)));
    const coordinator = new Orchestrator({ ...DISTRIBUTED_CONFIG, journal: false, distributed: { redis: server.url, queue } });
    let best = Number.POSITIVE_INFINITY;
    for (let trial = 0; trial < 2; trial++) {
      best = Math.min(best, await timed(() => coordinator.executeWorkflow({ workflowId: `wf_scale_${++run}`, tasks, maxParallelAgents: 48 })));
    }
    await coordinator.shutdown();
    await stopAll(workers);
    const rate = tasks.length / (best / 1000);
    rates.set(count, rate);
    emit(`tasks/s, ${count} worker${count > 1 ? 's' : ''}`, rate, 'tasks/s', `48 independent tasks, simulated 50 ms latency, 2 tasks at once per worker; best of 2`);
  }
  const one = rates.get(1) ?? 1;
  for (const count of [2, 4]) emit(`scale-out efficiency, ${count} workers`, (rates.get(count) ?? 0) / (count * one), 'ratio', 'tasks/s(n) ÷ (n × tasks/s(1)); 1.0 is linear');

  // Per-task overhead on an instant model.
  const steps = chain(30);
  const local = new Orchestrator({ ...DISTRIBUTED_CONFIG, journal: false });
  const worker = await startWorker(server.url, 'overhead', 0);
  const coordinator = new Orchestrator({ ...DISTRIBUTED_CONFIG, journal: false, distributed: { redis: server.url, queue: 'overhead' } });
  let localBest = Number.POSITIVE_INFINITY;
  let distBest = Number.POSITIVE_INFINITY;
  for (let trial = 0; trial < 3; trial++) {
    localBest = Math.min(localBest, await timed(() => local.executeWorkflow({ workflowId: `wf_local_${++run}`, tasks: steps })));
    distBest = Math.min(distBest, await timed(() => coordinator.executeWorkflow({ workflowId: `wf_dist_${++run}`, tasks: steps })));
  }
  await Promise.all([local.shutdown(), coordinator.shutdown()]);
  await stopAll([worker]);
  emit('per-task time, distributed ÷ in-process', distBest / localBest, 'ratio', `chain of 30 tasks on an instant model, 1 worker; in-process ${localBest.toFixed(0)} ms, distributed ${distBest.toFixed(0)} ms; best of 3`);
  emit('added time per task, distributed', (distBest - localBest) / steps.length, 'ms/task', 'job dispatch, Redis round trips, worker pickup, call memo; same chain');
} finally {
  await server.close();
}
