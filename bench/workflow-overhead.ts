/**
 * Workflow overhead: what troupe adds per task on top of the model calls.
 *
 * A seeded random DAG of 10,000 tasks (each depends on 0-3 of the previous
 * 100) runs on the zero-latency simulated model with maxParallelAgents 100.
 * A wrapper records every request troupe's agents make; the baseline replays
 * exactly those requests through a fresh simulated provider's `complete`
 * with one `Promise.all`. Overhead = (troupe time − baseline time) / tasks,
 * each the fastest of a few runs (a noisy machine only ever adds time).
 *
 * Configs: `lean` (the target figure) keeps each task at one model call:
 * `enableThinkingAgents: false` and a template with `enableSelfReflection:
 * false`, journal off. `lean + journal` adds the default fs journal, and
 * `default` is the orchestrator's defaults (thinking → acting → reflecting,
 * three calls a task, journal on).
 *
 * Run: `npx tsx bench/workflow-overhead.ts` (`--quick` for tiny sizes)
 */
import { createSimulatedProvider } from '../src/providers/simulated/simulated.js';
import type { AgentTemplate } from '../src/protocols/agent.js';
import type { OrchestratorConfig } from '../src/orchestrator/config.js';
import { Orchestrator } from '../src/orchestrator/orchestrator.js';
import type { BenchCase, BenchFigure } from './harness.js';
import { dagTasks, randomDag } from './support/dag.js';
import { fastest, inTempDir, measure, round, settle } from './support/measure.js';
import type { Timing } from './support/measure.js';
import { recordRequests, replayAll } from './support/providers.js';
import { runActorFloor } from './support/actor-floor.js';

/** Targets (issue 15): lean overhead, the default config's overhead, and what the journal adds to lean. */
const TARGET_US = 30;
const TARGET_DEFAULT_US = 100;
const TARGET_JOURNAL_US = 20;
const MAX_PARALLEL = 100;
const SEED = 42;

interface Variant {
  readonly name: string;
  readonly config: OrchestratorConfig;
  readonly template: AgentTemplate;
  readonly describe: string;
}

const LEAN: Variant = {
  name: 'lean',
  config: { enableThinkingAgents: false, journal: false },
  template: { enableSelfReflection: false },
  describe: 'enableThinkingAgents false, enableSelfReflection false, journal off',
};
const LEAN_JOURNAL: Variant = {
  name: 'lean + journal',
  config: { enableThinkingAgents: false },
  template: { enableSelfReflection: false },
  describe: 'as lean, with the default fs journal',
};
const DEFAULTS: Variant = {
  name: 'default config',
  config: {},
  template: {},
  describe: 'orchestrator defaults: thinking, acting, reflecting; fs journal',
};

interface Measured {
  readonly troupe: Timing;
  readonly baseline: Timing;
  /** The same calls on raw XState actors (lean only: one call a task). */
  readonly floor?: Timing;
  readonly calls: number;
}

/** One troupe run and one replay of its calls. */
async function runOnce(variant: Variant, taskCount: number, round: number): Promise<Measured> {
  const dependencies = randomDag({ tasks: taskCount, maxDependencies: 3, window: 100, seed: SEED });
  const tasks = dagTasks(dependencies, {
    prefix: `r${round}_t`,
    template: 'worker',
    describe: (i) => `Summarise finding ${i} of the quarterly operations review for the leadership team.`,
  });
  return inTempDir('troupe-bench-overhead-', async (workspacePath) => {
    const provider = recordRequests(createSimulatedProvider({ seed: SEED }));
    const orchestrator = new Orchestrator({ ...variant.config, provider, maxParallelAgents: MAX_PARALLEL, workspacePath });
    orchestrator.registerTemplate('worker', variant.template);
    await settle();
    const troupe = await measure(() => orchestrator.executeWorkflow({ tasks, continueOnFailure: true }));
    await orchestrator.shutdown();
    if (troupe.value.status !== 'succeeded') throw new Error(`the ${variant.name} workflow ended ${troupe.value.status}`);
    const requests = provider.requests;
    await settle();
    const baseline = await measure(() => replayAll(createSimulatedProvider({ seed: SEED }), requests));
    if (variant !== LEAN) return { troupe: troupe.timing, baseline: baseline.timing, calls: requests.length };
    await settle();
    const floor = await measure(() => runActorFloor(createSimulatedProvider({ seed: SEED }), requests, dependencies, MAX_PARALLEL));
    return { troupe: troupe.timing, baseline: baseline.timing, floor: floor.timing, calls: requests.length };
  });
}

/** The overhead figure of `variant`, and for lean the actor floor's beside it. */
async function overhead(variant: Variant, taskCount: number, runs: number): Promise<[BenchFigure, ...BenchFigure[]]> {
  await runOnce(variant, Math.min(taskCount, 1000), -1); // warm up the JIT on both sides
  const measured: Measured[] = [];
  for (let i = 0; i < runs; i++) measured.push(await runOnce(variant, taskCount, i));
  const troupe = fastest(measured.map((m) => m.troupe));
  const baseline = fastest(measured.map((m) => m.baseline));
  const calls = measured[0]?.calls ?? 0;
  const perTaskUs = ((troupe.wallMs - baseline.wallMs) * 1000) / taskCount;
  const cpuPerTaskUs = ((troupe.cpuMs - baseline.cpuMs) * 1000) / taskCount;
  const limit = variant === LEAN ? TARGET_US : variant === DEFAULTS ? TARGET_DEFAULT_US : undefined;
  const figure: BenchFigure = {
    case: 'workflow-overhead',
    metric: `overhead per task, ${variant.name}`,
    value: round(perTaskUs),
    unit: 'µs/task',
    baseline: { name: `Promise.all over the same ${calls} calls, µs/task`, value: round((baseline.wallMs * 1000) / taskCount) },
    ...(limit === undefined ? {} : { target: `<= ${limit} µs/task`, met: perTaskUs <= limit }),
    notes:
      `${taskCount} tasks (random DAG, maxParallelAgents ${MAX_PARALLEL}), ${round(calls / taskCount, 2)} calls/task; ` +
      `${variant.describe}; troupe ${round(troupe.wallMs, 0)} ms vs baseline ${round(baseline.wallMs, 0)} ms wall ` +
      `(fastest of ${runs}); CPU overhead ${round(cpuPerTaskUs)} µs/task`,
  };
  const floors = measured.flatMap((m) => (m.floor ? [m.floor] : []));
  if (floors.length === 0) return [figure];
  const floor = fastest(floors);
  const floorUs = ((floor.wallMs - baseline.wallMs) * 1000) / taskCount;
  const floorFigure: BenchFigure = {
    case: 'workflow-overhead',
    metric: 'actor floor per task (raw XState: one workflow actor, reused agent actors, a promise child a call)',
    value: round(floorUs),
    unit: 'µs/task',
    baseline: { name: `Promise.all over the same ${calls} calls, µs/task`, value: round((baseline.wallMs * 1000) / taskCount) },
    notes:
      `the lean run's DAG and calls on the least XState a task of this design needs (bench/support/actor-floor.ts); ` +
      `${round(floor.wallMs, 0)} ms wall (fastest of ${runs}); CPU overhead ${round(((floor.cpuMs - baseline.cpuMs) * 1000) / taskCount)} µs/task; ` +
      `troupe lean is ${round(perTaskUs / Math.max(floorUs, 0.1), 1)}× this floor`,
  };
  return [figure, floorFigure];
}

const workflowOverhead: BenchCase = async ({ quick }) => {
  const taskCount = quick ? 200 : 10_000;
  const [lean, ...floor] = await overhead(LEAN, taskCount, quick ? 1 : 3);
  const [journaled] = await overhead(LEAN_JOURNAL, taskCount, quick ? 1 : 2);
  const [defaults] = await overhead(DEFAULTS, taskCount, quick ? 1 : 2);
  const journalUs = journaled.value - lean.value;
  const journalCost: BenchFigure = {
    case: 'workflow-overhead',
    metric: 'journal cost per task (lean + journal − lean)',
    value: round(journalUs),
    unit: 'µs/task',
    target: `<= ${TARGET_JOURNAL_US} µs/task`,
    met: journalUs <= TARGET_JOURNAL_US,
    notes: 'difference of the two overhead figures above (each the fastest of its runs)',
  };
  return [lean, ...floor, journaled, journalCost, defaults];
};

export default workflowOverhead;

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  for (const figure of await workflowOverhead({ quick })) console.log(JSON.stringify(figure));
}
