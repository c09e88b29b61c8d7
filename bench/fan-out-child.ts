/**
 * One fan-out measurement in a fresh process, started by bench/fan-out.ts as
 * `node --expose-gc --import tsx bench/fan-out-child.ts <tasks> <runs> <warmupTasks>`.
 * Each run is a map-reduce: `tasks` independent tasks all ready at once, and
 * one reduce task that depends on all of them, on a constant instant model
 * (lean config: one call a task, journal off). The first run is cold (the
 * first workflow of the process) unless `warmupTasks` > 0 runs a smaller one
 * first. After each run, the same requests replay through `Promise.all`, and
 * then on the actor floor (the least XState this design needs a task).
 * Prints one JSON line: {@link FanOutSample}.
 */
import { Orchestrator } from '../src/orchestrator/orchestrator.js';
import type { ModelRequest } from '../src/protocols/model.js';
import type { SubAgentTaskSpec } from '../src/protocols/task.js';
import { measure } from './support/measure.js';
import type { Timing } from './support/measure.js';
import { constantModel, recordRequests, replayAll } from './support/providers.js';
import { runActorFloor } from './support/actor-floor.js';

export const FAN_OUT_MAX_PARALLEL = 100;

export interface FanOutRun {
  readonly troupe: Timing;
  readonly baseline: Timing;
  /** The same graph and calls on raw XState actors (bench/support/actor-floor.ts). */
  readonly floor: Timing;
  readonly calls: number;
}

export interface FanOutSample {
  readonly tasks: number;
  readonly runs: readonly FanOutRun[];
  /** Heap growth (after a full GC) over the last run, with its result and orchestrator alive, per task. */
  readonly heapBytesPerResult: number;
}

/** A map over `count` tasks and the reduce that waits for all of them. */
export function fanOutTasks(count: number, prefix: string): SubAgentTaskSpec[] {
  const map = Array.from({ length: count }, (_, i) => ({
    agentId: `${prefix}m${i}`,
    template: 'worker',
    taskDescription: `Classify ticket ${i}.`,
  }));
  const reduce = { agentId: `${prefix}reduce`, template: 'worker', taskDescription: 'Tally the classes.', dependencies: map.map((t) => t.agentId) };
  return [...map, reduce];
}

/** One map-reduce on troupe, then its calls through `Promise.all` and on the actor floor. */
async function oneRun(count: number, prefix: string, keep: unknown[]): Promise<FanOutRun> {
  const provider = recordRequests(constantModel());
  const orchestrator = new Orchestrator({ provider, enableThinkingAgents: false, journal: false, maxParallelAgents: FAN_OUT_MAX_PARALLEL });
  orchestrator.registerTemplate('worker', { enableSelfReflection: false });
  const tasks = fanOutTasks(count, prefix);
  const troupe = await measure(() => orchestrator.executeWorkflow({ tasks, continueOnFailure: true }));
  if (troupe.value.status !== 'succeeded') throw new Error(`the fan-out workflow ended ${troupe.value.status}`);
  keep.push(orchestrator, troupe.value);
  const requests = provider.requests.splice(0);
  const baseline = await measure(() => replayAll(constantModel(), requests));
  const floor = await floorRun(count, requests);
  return { troupe: troupe.timing, baseline: baseline.timing, floor, calls: requests.length };
}

/** The same map-reduce and calls on the actor floor. */
async function floorRun(count: number, requests: readonly ModelRequest[]): Promise<Timing> {
  const graph = Array.from({ length: count + 1 }, (_, i) => (i < count ? [] : Array.from({ length: count }, (_unused, m) => m)));
  return (await measure(() => runActorFloor(constantModel(), requests, graph, FAN_OUT_MAX_PARALLEL))).timing;
}

function heapUsed(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const [count = 1000, runCount = 1, warmup = 0] = process.argv.slice(2).map(Number);
  if (warmup > 0) await oneRun(warmup, 'w_', []);
  const runs: FanOutRun[] = [];
  let heapBytesPerResult = 0;
  for (let i = 0; i < runCount; i++) {
    const keep: unknown[] = [];
    const before = heapUsed();
    runs.push(await oneRun(count, `r${i}_`, keep));
    heapBytesPerResult = (heapUsed() - before) / (count + 1);
    for (const kept of keep) if (kept instanceof Orchestrator) await kept.shutdown();
  }
  const sample: FanOutSample = { tasks: count, runs, heapBytesPerResult };
  console.log(JSON.stringify(sample));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
