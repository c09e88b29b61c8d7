/**
 * Timing helpers shared by the benchmarks: wall and CPU time of one run,
 * the best of several runs (the least disturbed by a noisy machine), and a
 * throwaway workspace for orchestrators under test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Timing {
  readonly wallMs: number;
  /** User + system CPU time of this process (all its threads, GC included). */
  readonly cpuMs: number;
}

/** Wall and CPU time of `work`, and what it returned. */
export async function measure<T>(work: () => Promise<T>): Promise<{ readonly timing: Timing; readonly value: T }> {
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = await work();
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  return { timing: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }, value };
}

/** The run with the least wall time among `runs`. */
export function fastest(runs: readonly Timing[]): Timing {
  let best: Timing | undefined;
  for (const run of runs) if (!best || run.wallMs < best.wallMs) best = run;
  if (!best) throw new Error('no runs');
  return best;
}

/** Runs `work` in a fresh temporary directory, removed afterwards. */
export async function inTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Lets pending timers and I/O callbacks run, and collects garbage when `--expose-gc` is on. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc?.();
}
