import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repeatedCallsKey, redisKeys } from '../../src/distributed/index.js';
import { Orchestrator } from '../../src/index.js';
import type { WorkflowResult } from '../../src/index.js';
import { DISTRIBUTED_CONFIG, dagOf50 } from '../support/distributed-config.js';
import { redisAvailable, startRedisServer } from '../support/redis-server.js';
import type { TestRedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/worker-process.js';

const hasRedis = redisAvailable('worker-kill.test');
const WORKER = fileURLToPath(new URL('../support/distributed-worker.ts', import.meta.url));
const TASKS = dagOf50().slice(0, 12);

function startWorker(url: string, queue: string): Promise<{ child: ChildProcess; id: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, queue], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TROUPE_TEST_LATENCY_MS: '60' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /ready (\S+)/.exec(out);
      if (match?.[1]) resolve({ child, id: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${String(code)} before it was ready`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

describe.skipIf(!hasRedis)('a worker SIGKILLed mid-task', () => {
  let server: TestRedisServer;
  let single: WorkflowResult;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    const local = new Orchestrator(DISTRIBUTED_CONFIG);
    single = await local.executeWorkflow({ workflowId: 'wf_kill', tasks: TASKS, maxParallelAgents: 4 });
    await local.shutdown();
  });
  afterAll(async () => {
    await Promise.all(children.map((child) => stop(child, 'SIGKILL')));
    await server?.close();
  });

  // Trials kill the worker after a different number of its tasks have started.
  it.each([1, 3])('trial: killed at its start #%i: the run completes and no journaled call is made again', async (killAt) => {
    const queue = `kill${killAt}`;
    const [victim, survivor] = await Promise.all([startWorker(server.url, queue), startWorker(server.url, queue)]);
    if (!victim || !survivor) throw new Error('workers did not start');
    children.push(victim.child, survivor.child);
    const coordinator = new Orchestrator({ ...DISTRIBUTED_CONFIG, distributed: { redis: server.url, queue } });
    let started = 0;
    let killed: Promise<void> | undefined;
    const finishedBy = new Map<string, string>();
    const startedBy: Array<{ agentId: string; workerId: string }> = [];
    coordinator.events.on('worker.task', (event) => {
      if (event.status === 'finished') finishedBy.set(event.agentId, event.workerId);
      else startedBy.push({ agentId: event.agentId, workerId: event.workerId });
      if (event.status === 'started' && event.workerId === victim.id && ++started === killAt) killed = stop(victim.child, 'SIGKILL');
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
      await stop(survivor.child, 'SIGTERM');
    }
  });
});
