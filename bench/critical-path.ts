/**
 * Critical path: a seeded random DAG run with unlimited parallelism
 * (maxParallelAgents = task count), each task's model call waiting a planned
 * latency (20-80 ms, seeded per task). No scheduler can beat the critical
 * path: the sum of latencies along the longest dependency chain. Efficiency =
 * critical path / makespan.
 *
 * Lean config, one model call a task (`enableThinkingAgents: false`, a
 * template with `enableSelfReflection: false`), journal off. The latency
 * sits in a provider wrapper in front of the zero-latency simulated model,
 * keyed by a marker at the head of each task description.
 *
 * Run: `npx tsx bench/critical-path.ts` (`--quick` for tiny sizes)
 */
import { createSimulatedProvider } from '../src/providers/simulated/simulated.js';
import { Orchestrator } from '../src/orchestrator/orchestrator.js';
import type { BenchCase, BenchFigure } from './harness.js';
import { criticalPath, dagTasks, depthOf, randomDag } from './support/dag.js';
import { createRandom } from '../src/providers/simulated/random.js';
import { measure, round, settle } from './support/measure.js';
import { recordRequests, taskMarker, withPlannedLatency } from './support/providers.js';

const MIN_LATENCY_MS = 20;
const MAX_LATENCY_MS = 80;
const PREFIX = 'c';

async function run(taskCount: number, seed: number): Promise<BenchFigure> {
  const dependencies = randomDag({ tasks: taskCount, maxDependencies: 3, window: 40, seed });
  const random = createRandom(seed + 1).next;
  const latencies = dependencies.map(() => Math.round(MIN_LATENCY_MS + random() * (MAX_LATENCY_MS - MIN_LATENCY_MS)));
  const latencyOf = (taskId: string): number => latencies[Number(taskId.slice(PREFIX.length))] ?? 0;
  const provider = recordRequests(withPlannedLatency(createSimulatedProvider({ seed }), latencyOf));
  const orchestrator = new Orchestrator({ provider, enableThinkingAgents: false, maxParallelAgents: taskCount, journal: false });
  orchestrator.registerTemplate('worker', { enableSelfReflection: false });
  const tasks = dagTasks(dependencies, {
    prefix: PREFIX,
    template: 'worker',
    describe: (i) => `${taskMarker(`${PREFIX}${i}`)} Reconcile ledger section ${i} with the bank statement.`,
  });
  try {
    await settle();
    const { timing, value } = await measure(() => orchestrator.executeWorkflow({ tasks, continueOnFailure: true }));
    if (value.status !== 'succeeded') throw new Error(`the critical-path workflow ended ${value.status}`);
    const callsPerTask = provider.requests.length / taskCount;
    const pathMs = criticalPath(dependencies, (i) => (latencies[i] ?? 0) * callsPerTask);
    return {
      case: 'critical-path',
      metric: 'makespan, unlimited parallelism',
      value: round(timing.wallMs, 0),
      unit: 'ms',
      baseline: { name: 'critical path (sum of latencies on the longest chain)', value: pathMs },
      notes:
        `${taskCount} tasks, depth ${depthOf(dependencies)}, maxParallelAgents ${taskCount}, ` +
        `latency ${MIN_LATENCY_MS}-${MAX_LATENCY_MS} ms per task, ${round(callsPerTask, 2)} calls/task; ` +
        `efficiency (critical path / makespan) ${round((pathMs / timing.wallMs) * 100)}%`,
    };
  } finally {
    await orchestrator.shutdown();
  }
}

const criticalPathCase: BenchCase = async ({ quick }) => {
  const taskCount = quick ? 100 : 2000;
  await run(Math.min(taskCount, 200), 1); // warm-up, not reported
  const figure = await run(taskCount, 11);
  const efficiency = figure.baseline ? figure.baseline.value / figure.value : 0;
  return [
    figure,
    { case: 'critical-path', metric: 'efficiency (critical path / makespan)', value: round(efficiency * 100), unit: '%' },
  ];
};

export default criticalPathCase;

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  for (const figure of await criticalPathCase({ quick })) console.log(JSON.stringify(figure));
}
