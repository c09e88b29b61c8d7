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

/** value / baseline.value, when the figure has a non-zero baseline. */
export function ratioOf(figure: BenchFigure): number | undefined {
  if (!figure.baseline || figure.baseline.value === 0) return undefined;
  return figure.value / figure.baseline.value;
}

/** What the runner records for one case: its figures, or why it failed. */
export interface BenchCaseResult {
  readonly name: string;
  readonly status: 'ok' | 'failed';
  readonly durationMs: number;
  readonly figures: readonly BenchFigure[];
  readonly error?: string;
}

/** Whether `value` is a well-formed figure (what the smoke test and the runner check). */
export function isBenchFigure(value: unknown): value is BenchFigure {
  if (typeof value !== 'object' || value === null) return false;
  const figure: Partial<Record<keyof BenchFigure, unknown>> = value;
  const finite = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n);
  const baseline: unknown = figure.baseline;
  return (
    typeof figure.case === 'string' &&
    figure.case.length > 0 &&
    typeof figure.metric === 'string' &&
    figure.metric.length > 0 &&
    finite(figure.value) &&
    typeof figure.unit === 'string' &&
    (baseline === undefined ||
      (typeof baseline === 'object' && baseline !== null && 'name' in baseline && typeof baseline.name === 'string' && 'value' in baseline && finite(baseline.value))) &&
    (figure.target === undefined || typeof figure.target === 'string') &&
    (figure.met === undefined || typeof figure.met === 'boolean') &&
    (figure.notes === undefined || typeof figure.notes === 'string')
  );
}
