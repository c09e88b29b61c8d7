/**
 * Worker child processes for the distributed tests: started with
 * test/support/distributed-worker.ts, resolved once they listen to the queue
 * (their `ready <id>` line), stopped with a signal.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./distributed-worker.ts', import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly id: string;
  /** Everything the worker printed so far. */
  output(): string;
}

/** Starts a worker on `url` and `queue`; `env` is added to the environment, `extra` to its arguments. */
export function startWorkerProcess(url: string, queue: string, env: Record<string, string> = {}, extra: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, queue, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /ready (\S+)/.exec(out);
      if (match?.[1]) resolve({ child, id: match[1], output: () => out });
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${String(code)} before it was ready`)));
  });
}

/** Stops a worker (SIGTERM: it finishes or hands back its jobs) and resolves once it exited. */
export function stopWorkerProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Polls `condition` every 10 ms, up to `attempts` times; resolves whether it held. */
export async function waitFor(condition: () => boolean | Promise<boolean>, attempts = 1_000): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}
