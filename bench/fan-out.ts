/**
 * Fan-out: a map-reduce where every task is ready at once. `n` independent
 * tasks (1,000 and 10,000) plus one reduce task that depends on all of them,
 * on a constant instant model (lean config: one call a task, journal off,
 * maxParallelAgents 100). Each size runs in a fresh child process
 * (bench/fan-out-child.ts): the first workflow there is **cold** (the first
 * a user's process runs), the fastest of the next ones **warm**. Overhead =
 * (troupe time − `Promise.all` over the same calls, measured right after in
 * the same process) / tasks.
 *
 * Flat scaling: a 100,000-task fan-out (after a 1,000-task warm-up in its
 * process) against the warm 1,000-task figure; and the heap the finished
 * run keeps per task result (after a full GC, orchestrator and result alive).
 *
 * Run: `npx tsx bench/fan-out.ts` (`--quick` for tiny sizes)
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchCase, BenchFigure } from './harness.js';
import { BENCH_DIR } from './support/cases.js';
import { fastest, round } from './support/measure.js';
import type { FanOutRun, FanOutSample } from './fan-out-child.js';

const run = promisify(execFile);
const TARGET_WARM_US = 30;
const COLD_FACTOR = 3;
const SCALING_FACTOR = 1.25;
const TARGET_HEAP_BYTES = 2 * 1024;

function isSample(value: unknown): value is FanOutSample {
  if (typeof value !== 'object' || value === null) return false;
  const fields: Partial<Record<keyof FanOutSample, unknown>> = value;
  return typeof fields.tasks === 'number' && Array.isArray(fields.runs) && typeof fields.heapBytesPerResult === 'number';
}

/** Runs `runs` fan-outs of `tasks` in a fresh process (after a `warmup`-task one when > 0). */
async function sample(tasks: number, runs: number, warmup: number): Promise<FanOutSample> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(BENCH_DIR, 'fan-out-child.ts'), String(tasks), String(runs), String(warmup)],
    { cwd: join(BENCH_DIR, '..'), maxBuffer: 1024 * 1024, timeout: 900_000 },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const parsed: unknown = JSON.parse(line);
  if (!isSample(parsed)) throw new Error(`fan-out-child printed no sample: ${line}`);
  return parsed;
}

/** Overhead per task (wall and CPU, µs) of one run over its own baseline. */
function perTask(one: FanOutRun, tasks: number): { wall: number; cpu: number; baseline: number } {
  const n = tasks + 1;
  return {
    wall: ((one.troupe.wallMs - one.baseline.wallMs) * 1000) / n,
    cpu: ((one.troupe.cpuMs - one.baseline.cpuMs) * 1000) / n,
    baseline: (one.baseline.wallMs * 1000) / n,
  };
}

/** The fastest warm run (all but the first). */
function warmest(runs: readonly FanOutRun[]): FanOutRun {
  const warm = runs.slice(1);
  const best = fastest(warm.map((r) => r.troupe));
  const found = warm.find((r) => r.troupe === best);
  if (!found) throw new Error('no warm run');
  return found;
}

function figures(s: FanOutSample): { cold: BenchFigure; warm: BenchFigure; floor: BenchFigure; warmUs: number } {
  const first = s.runs[0];
  if (!first) throw new Error('no run');
  const cold = perTask(first, s.tasks);
  const warmRun = warmest(s.runs);
  const warm = perTask(warmRun, s.tasks);
  const label = `${s.tasks} + 1 reduce`;
  const warmFloor = fastest(s.runs.slice(1).map((r) => r.floor));
  const floorUs = ((warmFloor.wallMs - warmRun.baseline.wallMs) * 1000) / (s.tasks + 1);
  const floorCpuUs = ((warmFloor.cpuMs - warmRun.baseline.cpuMs) * 1000) / (s.tasks + 1);
  return {
    warmUs: warm.wall,
    floor: {
      case: 'fan-out',
      metric: `actor floor per task, warm, ${label} (raw XState: one workflow actor, reused agent actors, a promise child a call)`,
      value: round(floorUs),
      unit: 'µs/task',
      baseline: { name: `Promise.all over the same ${warmRun.calls} calls, µs/task`, value: round(warm.baseline, 2) },
      notes:
        `the same graph and calls on the least XState a task of this design needs (bench/support/actor-floor.ts), fastest of ` +
        `${s.runs.length - 1} warm runs; CPU overhead ${round(floorCpuUs)} µs/task; troupe warm is ${round(warm.wall / Math.max(floorUs, 0.1), 1)}× this floor`,
    },
    warm: {
      case: 'fan-out',
      metric: `overhead per task, warm, ${label}`,
      value: round(warm.wall),
      unit: 'µs/task',
      baseline: { name: `Promise.all over the same ${warmRun.calls} calls, µs/task`, value: round(warm.baseline, 2) },
      target: `<= ${TARGET_WARM_US} µs/task`,
      met: warm.wall <= TARGET_WARM_US,
      notes: `fastest of ${s.runs.length - 1} warm runs in one process; troupe ${round(warmRun.troupe.wallMs, 0)} ms wall, CPU overhead ${round(warm.cpu)} µs/task`,
    },
    cold: {
      case: 'fan-out',
      metric: `overhead per task, cold, ${label}`,
      value: round(cold.wall),
      unit: 'µs/task',
      baseline: { name: `Promise.all over the same ${first.calls} calls, µs/task`, value: round(cold.baseline, 2) },
      target: `<= ${COLD_FACTOR}× warm (${round(COLD_FACTOR * warm.wall)} µs/task)`,
      met: cold.wall <= COLD_FACTOR * warm.wall,
      notes: `first workflow of a fresh process; troupe ${round(first.troupe.wallMs, 0)} ms wall, CPU overhead ${round(cold.cpu)} µs/task`,
    },
  };
}

const fanOut: BenchCase = async ({ quick }) => {
  const sizes = quick ? [100, 300] : [1000, 10_000];
  const bigSize = quick ? 2000 : 100_000;
  const out: BenchFigure[] = [];
  let smallWarmUs = 0;
  for (const size of sizes) {
    const s = await sample(size, quick ? 2 : 4, 0);
    const f = figures(s);
    if (size === sizes[0]) smallWarmUs = f.warmUs;
    out.push(f.cold, f.warm, f.floor);
  }
  const big = await sample(bigSize, 1, sizes[0] ?? 1000);
  const bigRun = big.runs[0];
  if (!bigRun) throw new Error('no run');
  const bigUs = perTask(bigRun, bigSize);
  out.push(
    {
      case: 'fan-out',
      metric: `overhead per task, ${bigSize} + 1 reduce`,
      value: round(bigUs.wall),
      unit: 'µs/task',
      baseline: { name: `warm ${sizes[0]}-task figure, µs/task`, value: round(smallWarmUs) },
      target: `<= ${SCALING_FACTOR}× the ${sizes[0]}-task figure`,
      met: bigUs.wall <= SCALING_FACTOR * smallWarmUs,
      notes: `one run after a ${sizes[0]}-task warm-up in a fresh process; troupe ${round(bigRun.troupe.wallMs, 0)} ms wall, CPU overhead ${round(bigUs.cpu)} µs/task`,
    },
    {
      case: 'fan-out',
      metric: `heap per finished task result, ${bigSize} tasks`,
      value: Math.round(big.heapBytesPerResult),
      unit: 'bytes',
      target: `<= ${TARGET_HEAP_BYTES / 1024} KB`,
      met: big.heapBytesPerResult <= TARGET_HEAP_BYTES,
      notes: 'heap growth over the run after a full GC, with its WorkflowResult and orchestrator alive (agent records included)',
    },
  );
  return out;
};

export default fanOut;

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  for (const figure of await fanOut({ quick })) console.log(JSON.stringify(figure));
}
