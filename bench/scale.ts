/**
 * Scale: spawning 10,000 idle agents with `orchestrator.spawnAgent`, against
 * raw XState spawning the same agent machine as 10,000 children of one parent
 * (the O(N²) baseline DESIGN.md measured) and against a flat baseline
 * (`createActor` of the agent machine 10,000 times, no parent). Each mode runs
 * in its own `node --expose-gc --import tsx bench/scale-child.ts` process, so
 * its heap is measured after a full GC with nothing else alive.
 *
 * Figures: spawn rate (agents/s) and heap bytes per idle agent.
 *
 * Run: `npx tsx bench/scale.ts` (`--quick` for tiny sizes)
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchCase, BenchFigure } from './harness.js';
import { BENCH_DIR } from './support/cases.js';
import { round } from './support/measure.js';
import type { ScaleMode, ScaleSample } from './scale-child.js';

const run = promisify(execFile);
const TARGET_HEAP_BYTES = 20 * 1024;

function isScaleSample(value: unknown): value is ScaleSample {
  if (typeof value !== 'object' || value === null) return false;
  const fields: Partial<Record<keyof ScaleSample, unknown>> = value;
  return (
    typeof fields.mode === 'string' &&
    typeof fields.count === 'number' &&
    typeof fields.spawnMs === 'number' &&
    typeof fields.heapBytes === 'number' &&
    typeof fields.heapBytesPerAgent === 'number'
  );
}

/** Runs one mode in a child process and parses the JSON line it prints. */
export async function sampleInChild(mode: ScaleMode, count: number): Promise<ScaleSample> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(BENCH_DIR, 'scale-child.ts'), mode, String(count)],
    { cwd: join(BENCH_DIR, '..'), maxBuffer: 1024 * 1024, timeout: 240_000 },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const parsed: unknown = JSON.parse(line);
  if (!isScaleSample(parsed)) throw new Error(`scale-child ${mode} printed no sample: ${line}`);
  return parsed;
}

const rate = (sample: ScaleSample): number => Math.round(sample.count / (sample.spawnMs / 1000));

const scale: BenchCase = async ({ quick }) => {
  const count = quick ? 500 : 10_000;
  const troupe = await sampleInChild('troupe', count);
  const parent = await sampleInChild('xstate-parent', count);
  const flat = await sampleInChild('flat', count);
  const figures: BenchFigure[] = [
    {
      case: 'scale',
      metric: `spawn rate, ${count} agents`,
      value: rate(troupe),
      unit: 'agents/s',
      baseline: { name: 'raw XState, one parent', value: rate(parent) },
      notes: `troupe ${round(troupe.spawnMs, 0)} ms vs one parent ${round(parent.spawnMs, 0)} ms for ${count} spawns`,
    },
    {
      case: 'scale',
      metric: `spawn rate vs flat, ${count} agents`,
      value: rate(troupe),
      unit: 'agents/s',
      baseline: { name: 'flat createActor, no parent', value: rate(flat) },
    },
    {
      case: 'scale',
      metric: 'heap per idle agent',
      value: Math.round(troupe.heapBytesPerAgent),
      unit: 'bytes',
      baseline: { name: 'raw XState, one parent', value: Math.round(parent.heapBytesPerAgent) },
      target: `<= ${TARGET_HEAP_BYTES / 1024} KB`,
      met: troupe.heapBytesPerAgent <= TARGET_HEAP_BYTES,
      notes: `after a full GC, ${count} idle agents alive (record, actor, registry entries, shard)`,
    },
    {
      case: 'scale',
      metric: 'heap per idle agent vs flat',
      value: Math.round(troupe.heapBytesPerAgent),
      unit: 'bytes',
      baseline: { name: 'flat createActor, no parent', value: Math.round(flat.heapBytesPerAgent) },
    },
  ];
  return figures;
};

export default scale;

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  for (const figure of await scale({ quick })) console.log(JSON.stringify(figure));
}
