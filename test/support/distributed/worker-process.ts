/**
 * Child processes for the distributed tests: a script run with tsx, resolved
 * once its output matches a pattern (`startScript`); a worker on
 * test/support/distributed/distributed-worker.ts, resolved once it listens to the queue
 * (its `ready <id>` line); stopped with a signal.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./distributed-worker.ts', import.meta.url));

/** A child process started by `startScript`, once its output matched. */
export interface ScriptProcess {
  readonly child: ChildProcess;
  /** The match of the `ready` pattern in its output. */
  readonly ready: RegExpExecArray;
  /** Everything the process printed so far. */
  output(): string;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly id: string;
  /** Everything the worker printed so far. */
  output(): string;
}

/**
 * Runs `script` with tsx in a child process (its stdout piped, its stderr the
 * test's) and resolves once what it printed matches `ready`; rejects if it
 * exits before. `env` is added to the environment.
 *
 * @example
 * ```ts
 * const coordinator = await startScript(COORDINATOR, [url, queue], /finished/);
 * await stopWorkerProcess(coordinator.child, 'SIGKILL');
 * ```
 */
export function startScript(script: string, args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<ScriptProcess> {
  // Without `g` or `y` the pattern keeps no lastIndex: every test of the output starts at its beginning.
  const pattern = new RegExp(ready.source, ready.flags.replace(/[gy]/g, ''));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let matched = false;
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = matched ? null : pattern.exec(out);
      if (!match) return;
      matched = true;
      resolve({ child, ready: match, output: () => out });
    });
    child.once('exit', (code, signal) => reject(new Error(`${script} exited (${String(code ?? signal)}) before its output matched ${String(pattern)}`)));
  });
}

/** Starts a worker on `url` and `queue`; `env` is added to the environment, `extra` to its arguments. */
export async function startWorkerProcess(url: string, queue: string, env: Record<string, string> = {}, extra: string[] = []): Promise<WorkerProcess> {
  const { child, ready, output } = await startScript(WORKER, [url, queue, ...extra], /ready (\S+)/, env);
  return { child, id: ready[1] ?? '', output };
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
