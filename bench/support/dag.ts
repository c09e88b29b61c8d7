/**
 * Seeded random task DAGs and their critical paths, so every run of a bench
 * measures the same graph.
 */
import type { SubAgentTaskSpec } from '../../src/protocols/task.js';
import { createRandom } from '../../src/providers/simulated/random.js';

export interface DagShape {
  readonly tasks: number;
  /** Each task depends on up to this many earlier tasks (0 to max, uniformly). */
  readonly maxDependencies: number;
  /** Dependencies are drawn from the previous `window` tasks (locality keeps the graph deep and wide). */
  readonly window: number;
  readonly seed: number;
}

/** Dependencies of each task, by index; every dependency is an earlier task. */
export function randomDag(shape: DagShape): number[][] {
  const random = createRandom(shape.seed).next;
  const dependencies: number[][] = [];
  for (let i = 0; i < shape.tasks; i++) {
    const wanted = Math.floor(random() * (shape.maxDependencies + 1));
    const chosen = new Set<number>();
    const lowest = Math.max(0, i - shape.window);
    for (let k = 0; k < wanted && i > 0; k++) chosen.add(lowest + Math.floor(random() * (i - lowest)));
    dependencies.push([...chosen].sort((a, b) => a - b));
  }
  return dependencies;
}

/** The longest dependency chain's total weight: the makespan floor with unlimited parallelism. */
export function criticalPath(dependencies: readonly (readonly number[])[], weight: (index: number) => number): number {
  const finish: number[] = [];
  let longest = 0;
  dependencies.forEach((deps, index) => {
    let start = 0;
    for (const dep of deps) start = Math.max(start, finish[dep] ?? 0);
    const end = start + weight(index);
    finish.push(end);
    longest = Math.max(longest, end);
  });
  return longest;
}

/** Length (in tasks) of the deepest chain. */
export function depthOf(dependencies: readonly (readonly number[])[]): number {
  return criticalPath(dependencies, () => 1);
}

/** Workflow tasks for a DAG: task `i` is agent `${prefix}${i}` spawned from `template`. */
export function dagTasks(
  dependencies: readonly (readonly number[])[],
  options: { readonly prefix: string; readonly template: string; readonly describe: (index: number) => string },
): SubAgentTaskSpec[] {
  return dependencies.map((deps, index) => ({
    agentId: `${options.prefix}${index}`,
    template: options.template,
    taskDescription: options.describe(index),
    dependencies: deps.map((dep) => `${options.prefix}${dep}`),
  }));
}
