/**
 * The benchmark harness's one shape: every bench module returns figures, each
 * measured next to a baseline in the same run, so ratios survive noisy machines.
 */

/** One measured figure. `ratio` is value / baseline.value when a baseline is given. */
export interface BenchFigure {
  /** Case name, e.g. `artifact-store/fs`. */
  readonly case: string;
  /** What was measured, e.g. `store ops/s`. */
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  /** A human statement of the target, e.g. `>= 0.5 of baseline`. */
  readonly target?: string;
  /** Whether the target was met, when there is one. */
  readonly met?: boolean;
  readonly notes?: string;
}

export interface BenchOptions {
  /** Tiny sizes, for the smoke test in `npm test`. */
  readonly quick: boolean;
}

/** A bench module's default export. */
export type BenchCase = (options: BenchOptions) => Promise<readonly BenchFigure[]>;

/** Operations per second of `op` run `count` times, awaited one after another. */
export async function opsPerSecond(count: number, op: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await op(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

/** Wall time of `work` in milliseconds. */
export async function timeMs(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
