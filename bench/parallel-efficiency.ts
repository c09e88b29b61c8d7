/**
 * Parallel efficiency: 1,000 independent tasks on the simulated model with
 * 50 ms latency (jitter 0) under maxParallelAgents 100. The ideal makespan is
 * ⌈1,000 / 100⌉ waves × calls per task × 50 ms; efficiency = ideal / makespan.
 *
 * The lean config keeps each task at one model call (`enableThinkingAgents:
 * false`, a template with `enableSelfReflection: false`); the default config
 * (three calls a task) is reported too. Journal off in both: this measures
 * scheduling, not disk. Each figure is the fastest of 3 runs, as in
 * workflow-overhead (a noisy machine only ever adds time). Beside each, the
 * run's calls go through a plain pool of 100 promises on the same provider:
 * what the model's own CPU leaves of the ideal without orchestration.
 *
 * Run: `npx tsx bench/parallel-efficiency.ts` (`--quick` for tiny sizes)
 */
import { createSimulatedProvider } from '../src/providers/simulated/simulated.js';
import type { AgentTemplate } from '../src/protocols/agent.js';
import type { ModelRequest } from '../src/protocols/model.js';
import { Orchestrator } from '../src/orchestrator/orchestrator.js';
import type { BenchCase, BenchFigure } from './harness.js';
import { fastest, measure, round, settle } from './support/measure.js';
import type { Timing } from './support/measure.js';
import { recordRequests } from './support/providers.js';

const LATENCY_MS = 50;
const MAX_PARALLEL = 100;
const TARGET = 0.98;

/** One run on a fresh orchestrator: its makespan and how many model calls a task made. */
/** The calls made directly, `MAX_PARALLEL` at a time: what the model's latency and its own CPU allow without orchestration. */
async function promisePool(requests: readonly ModelRequest[]): Promise<Timing> {
  const provider = createSimulatedProvider({ seed: 7, latencyMs: LATENCY_MS, jitterMs: 0 });
  let next = 0;
  const slot = async (): Promise<void> => {
    for (let request = requests[next++]; request !== undefined; request = requests[next++]) await provider.complete(request);
  };
  await settle();
  return (await measure(() => Promise.all(Array.from({ length: MAX_PARALLEL }, slot)))).timing;
}

interface Makespan {
  readonly timing: Timing;
  readonly callsPerTask: number;
  /** The same calls through {@link promisePool}. */
  readonly pool: Timing;
}

async function makespan(name: string, taskCount: number, thinking: boolean, template: AgentTemplate): Promise<Makespan> {
  const provider = recordRequests(createSimulatedProvider({ seed: 7, latencyMs: LATENCY_MS, jitterMs: 0 }));
  const orchestrator = new Orchestrator({
    provider,
    enableThinkingAgents: thinking,
    maxParallelAgents: MAX_PARALLEL,
    journal: false,
  });
  orchestrator.registerTemplate('worker', template);
  const tasks = Array.from({ length: taskCount }, (_, i) => ({
    agentId: `p${i}`,
    template: 'worker',
    taskDescription: `Check invoice batch ${i} against the purchase orders and list mismatches.`,
  }));
  try {
    await settle();
    const { timing, value } = await measure(() => orchestrator.executeWorkflow({ tasks, continueOnFailure: true }));
    if (value.status !== 'succeeded') throw new Error(`the ${name} workflow ended ${value.status}`);
    return { timing, callsPerTask: provider.requests.length / taskCount, pool: await promisePool(provider.requests) };
  } finally {
    await orchestrator.shutdown();
  }
}

/** The fastest of `runs` makespans (a noisy machine only ever adds time), against the ideal. */
async function efficiency(
  name: string,
  taskCount: number,
  thinking: boolean,
  template: AgentTemplate,
  runs: number,
): Promise<[BenchFigure, BenchFigure]> {
  const measured: Makespan[] = [];
  for (let i = 0; i < runs; i++) measured.push(await makespan(name, taskCount, thinking, template));
  const timing = fastest(measured.map((run) => run.timing));
  const callsPerTask = measured[0]?.callsPerTask ?? 0;
  const waves = Math.ceil(taskCount / MAX_PARALLEL);
  const idealMs = waves * callsPerTask * LATENCY_MS;
  const ratio = idealMs / timing.wallMs;
  const pool = fastest(measured.map((run) => run.pool));
  const figure: BenchFigure = {
    case: 'parallel-efficiency',
    metric: `makespan, ${name}`,
    value: round(timing.wallMs, 0),
    unit: 'ms',
    baseline: { name: `ideal ${waves} waves × ${round(callsPerTask, 2)} calls × ${LATENCY_MS} ms`, value: idealMs },
    target: `efficiency (ideal / makespan) >= ${TARGET * 100}%`,
    met: ratio >= TARGET,
    notes: `${taskCount} tasks, maxParallelAgents ${MAX_PARALLEL}, latency ${LATENCY_MS} ms, jitter 0; efficiency ${round(ratio * 100)}% (fastest of ${runs})`,
  };
  const poolFigure: BenchFigure = {
    case: 'parallel-efficiency',
    metric: `makespan, a pool of ${MAX_PARALLEL} promises over the ${name} run's calls`,
    value: round(pool.wallMs, 0),
    unit: 'ms',
    baseline: { name: figure.baseline?.name ?? 'ideal', value: idealMs },
    notes:
      `the same ${round(callsPerTask * taskCount, 0)} calls on the same provider, ${MAX_PARALLEL} at a time, no orchestration: ` +
      `efficiency ${round((idealMs / pool.wallMs) * 100)}% (fastest of ${runs}); what the model's own CPU leaves of the ideal`,
  };
  return [figure, poolFigure];
}

/** Runs a small zero-latency workflow first, so the measured runs are not JIT warm-up. */
async function warmUp(taskCount: number): Promise<void> {
  const orchestrator = new Orchestrator({ provider: createSimulatedProvider(), maxParallelAgents: MAX_PARALLEL, journal: false });
  const tasks = Array.from({ length: taskCount }, (_, i) => ({ agentId: `w${i}`, taskDescription: `Warm up ${i}` }));
  try {
    await orchestrator.executeWorkflow({ tasks, continueOnFailure: true });
  } finally {
    await orchestrator.shutdown();
  }
}

const parallelEfficiency: BenchCase = async ({ quick }) => {
  const taskCount = quick ? 200 : 1000;
  await warmUp(quick ? 50 : 500);
  const runs = quick ? 1 : 3;
  const [lean, leanPool] = await efficiency('lean', taskCount, false, { enableSelfReflection: false }, runs);
  const [defaults, defaultsPool] = await efficiency('default config', taskCount, true, {}, runs);
  const ratioFigure = (figure: BenchFigure): BenchFigure => {
    const ratio = figure.baseline ? figure.baseline.value / figure.value : 0;
    return {
      case: 'parallel-efficiency',
      metric: `efficiency, ${figure.metric.replace('makespan, ', '')}`,
      value: round(ratio * 100),
      unit: '%',
      ...(figure.target ? { target: `>= ${TARGET * 100}%`, met: ratio >= TARGET } : {}),
    };
  };
  return [lean, ratioFigure(lean), leanPool, defaults, ratioFigure(defaults), defaultsPool];
};

export default parallelEfficiency;

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  for (const figure of await parallelEfficiency({ quick })) console.log(JSON.stringify(figure));
}
