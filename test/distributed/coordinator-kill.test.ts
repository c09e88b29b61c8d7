import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { DISTRIBUTED_CONFIG, dagOf50 } from '../support/distributed-config.js';
import { redisAvailable, startRedisServer } from '../support/redis-server.js';
import type { TestRedisServer } from '../support/redis-server.js';

const hasRedis = redisAvailable('coordinator-kill.test');
const WORKER = fileURLToPath(new URL('../support/distributed-worker.ts', import.meta.url));
const COORDINATOR = fileURLToPath(new URL('../support/distributed-coordinator.ts', import.meta.url));

function spawnScript(script: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (ready.test(out)) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`${script} exited (${String(code ?? signal)}) before "${ready.source}"`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

describe.skipIf(!hasRedis)('the coordinator SIGKILLed mid-run', () => {
  let server: TestRedisServer;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(children.map((child) => stop(child, 'SIGKILL')));
    await server?.close();
  });

  it('a new process resumes the run from the Redis journal and finishes it', async () => {
    const queue = 'coord';
    const latency = { TROUPE_TEST_LATENCY_MS: '40' };
    const workers = await Promise.all([1, 2].map(() => spawnScript(WORKER, [server.url, queue], /ready/, latency)));
    children.push(...workers);
    // The first coordinator dies once 4 tasks have finished.
    const first = await spawnScript(COORDINATOR, [server.url, queue, 'wf_coord'], /(finished \S+\n[\s\S]*){4}/, latency);
    children.push(first);
    await stop(first, 'SIGKILL');

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
      await Promise.all(workers.map((child) => stop(child, 'SIGTERM')));
    }
  });
});
