import { describe, expect, it } from 'vitest';
import type { SubAgentTaskSpec, TaskStatus } from '../../src/index.js';
import { normalizeTasks, type NormalizedTask } from '../../src/actors/workflow/index.js';
import { TaskGraph, compareReadyTasks } from '../../src/actors/workflow/index.js';
import { createRandom } from '../../src/testing.js';

const graphOf = (specs: readonly SubAgentTaskSpec[]) => new TaskGraph(normalizeTasks(specs, { knownTemplates: new Set() }));
const task = (agentId: string, fields: Partial<SubAgentTaskSpec> = {}): SubAgentTaskSpec => ({
  agentId,
  taskDescription: `do ${agentId}`,
  ...fields,
});
const ids = (tasks: readonly NormalizedTask[]) => tasks.map((t) => t.agentId);

/** Decides tasks as the workflow would: enqueue the ready, skip the blocked (and what that unblocks). */
function decide(graph: TaskGraph, decidable: NormalizedTask[]): Record<string, string> {
  const skipped: Record<string, string> = {};
  const pending = [...decidable];
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    const readiness = graph.readiness(next.agentId);
    if (readiness === 'ready') graph.enqueue(next.agentId);
    else {
      skipped[next.agentId] = readiness.blocked;
      pending.push(...graph.settle(next.agentId, 'skipped'));
    }
  }
  return skipped;
}

const idle = { running: 0, runningSequential: false, maxParallel: 100 };


describe('TaskGraph: which tasks become decidable', () => {
  it('starts with the tasks that have no dependencies, in declaration order', () => {
    const graph = graphOf([task('c', { dependencies: ['a'] }), task('a'), task('b')]);
    expect(ids(graph.roots())).toEqual(['a', 'b']);
    expect(graph.state('a')).toBe('decidable');
    expect(graph.state('c')).toBe('waiting');
  });

  it('makes a task decidable only once every dependency has settled, whatever the outcome', () => {
    const graph = graphOf([task('a'), task('b'), task('c', { dependencies: ['a', 'b'] }), task('d', { dependencies: ['a'] })]);
    expect(ids(graph.settle('a', 'failed'))).toEqual(['d']);
    expect(graph.state('c')).toBe('waiting');
    expect(ids(graph.settle('b', 'succeeded'))).toEqual(['c']);
    expect(graph.state('c')).toBe('decidable');
  });

  it('returns newly decidable tasks in declaration order', () => {
    const graph = graphOf([task('root'), task('z', { dependencies: ['root'] }), task('y', { dependencies: ['root'] })]);
    expect(ids(graph.settle('root', 'succeeded'))).toEqual(['z', 'y']);
  });

  it('counts as complete once every task has settled', () => {
    const graph = graphOf([task('a'), task('b', { dependencies: ['a'] })]);
    graph.settle('a', 'succeeded');
    expect(graph.isComplete).toBe(false);
    graph.settle('b', 'budget_exceeded');
    expect(graph.isComplete).toBe(true);
  });
});

describe('TaskGraph: readiness and requireAllDependencies', () => {
  const diamond = (requireAllDependencies: boolean) =>
    graphOf([task('a'), task('b'), task('c'), task('join', { dependencies: ['a', 'b', 'c'], requireAllDependencies })]);

  it('requireAllDependencies true: ready when every dependency succeeded', () => {
    const graph = diamond(true);
    graph.settle('a', 'succeeded');
    graph.settle('b', 'succeeded');
    graph.settle('c', 'succeeded');
    expect(graph.readiness('join')).toBe('ready');
  });

  it('requireAllDependencies true: blocked when any dependency did not succeed, naming those', () => {
    const graph = diamond(true);
    graph.settle('a', 'succeeded');
    graph.settle('b', 'failed');
    graph.settle('c', 'cancelled');
    expect(graph.readiness('join')).toEqual({ blocked: 'not every dependency succeeded: "b" failed, "c" cancelled' });
  });

  it('requireAllDependencies false: ready when at least one dependency succeeded', () => {
    const graph = diamond(false);
    graph.settle('a', 'failed');
    graph.settle('b', 'skipped');
    graph.settle('c', 'succeeded');
    expect(graph.readiness('join')).toBe('ready');
  });

  it('requireAllDependencies false: blocked when none succeeded', () => {
    const graph = diamond(false);
    graph.settle('a', 'failed');
    graph.settle('b', 'skipped');
    graph.settle('c', 'budget_exceeded');
    expect(graph.readiness('join')).toEqual({
      blocked: 'none of its dependencies succeeded: "a" failed, "b" skipped, "c" budget_exceeded',
    });
  });

  it('skipping a blocked task cascades to the tasks that needed it', () => {
    const graph = graphOf([task('a'), task('b', { dependencies: ['a'] }), task('c', { dependencies: ['b'] })]);
    decide(graph, graph.roots());
    graph.nextStartable(idle);
    const skipped = decide(graph, graph.settle('a', 'failed'));
    expect(skipped).toEqual({
      b: 'not every dependency succeeded: "a" failed',
      c: 'not every dependency succeeded: "b" skipped',
    });
    expect(graph.isComplete).toBe(true);
  });

  it('refuses to judge or enqueue a task that is not decidable, or to settle one twice', () => {
    const graph = graphOf([task('a'), task('b', { dependencies: ['a'] })]);
    expect(() => graph.readiness('b')).toThrow('TaskGraph.readiness: task "b" is waiting, not decidable');
    graph.settle('a', 'failed');
    expect(() => graph.enqueue('b')).toThrow(/blocked by its dependencies/);
    expect(() => graph.settle('a', 'succeeded')).toThrow('TaskGraph.settle: task "a" already settled as failed');
    expect(() => graph.state('nope')).toThrow('TaskGraph: no task "nope" in this workflow');
  });
});

describe('TaskGraph: start order', () => {
  it('orders by priority, then longest estimate (missing counts as 0), then declaration order', () => {
    const graph = graphOf([
      task('low-long', { priority: 'low', estimatedDurationSeconds: 999 }),
      task('med-none'),
      task('med-zero', { estimatedDurationSeconds: 0 }),
      task('med-10', { estimatedDurationSeconds: 10 }),
      task('high-5', { priority: 'high', estimatedDurationSeconds: 5 }),
      task('high-60', { priority: 'high', estimatedDurationSeconds: 60 }),
      task('med-60', { estimatedDurationSeconds: 60 }),
    ]);
    decide(graph, graph.roots());
    expect(ids(graph.nextStartable(idle))).toEqual(['high-60', 'high-5', 'med-60', 'med-10', 'med-none', 'med-zero', 'low-long']);
  });

  it('compareReadyTasks agrees with the queue for any pair', () => {
    const [a, b] = normalizeTasks([task('a', { priority: 'low' }), task('b', { priority: 'high' })], { knownTemplates: new Set() });
    if (!a || !b) throw new Error('expected two tasks');
    expect(compareReadyTasks(a, b)).toBeGreaterThan(0);
    expect(compareReadyTasks(b, a)).toBeLessThan(0);
    expect(compareReadyTasks(a, a)).toBe(0);
  });

  it('starts at most maxParallel tasks, counting the ones already running', () => {
    const graph = graphOf(Array.from({ length: 10 }, (_, i) => task(`t${i}`)));
    decide(graph, graph.roots());
    expect(ids(graph.nextStartable({ running: 0, runningSequential: false, maxParallel: 3 }))).toEqual(['t0', 't1', 't2']);
    expect(graph.nextStartable({ running: 3, runningSequential: false, maxParallel: 3 })).toEqual([]);
    expect(ids(graph.nextStartable({ running: 2, runningSequential: false, maxParallel: 3 }))).toEqual(['t3']);
    expect(graph.state('t3')).toBe('running');
    expect(graph.state('t4')).toBe('queued');
  });

  it('drops a queued task that is settled from outside', () => {
    const graph = graphOf([task('a', { priority: 'high' }), task('b')]);
    decide(graph, graph.roots());
    graph.settle('a', 'cancelled');
    expect(ids(graph.nextStartable(idle))).toEqual(['b']);
  });

  it('rejects a maxParallel below 1', () => {
    const graph = graphOf([task('a')]);
    expect(() => graph.nextStartable({ running: 0, runningSequential: false, maxParallel: 0 })).toThrow(RangeError);
  });
});

describe('TaskGraph: Sequential tasks run alone', () => {
  it('starts a Sequential task only when nothing runs, and alone', () => {
    const graph = graphOf([task('seq', { executionMode: 'sequential', priority: 'high' }), task('p1'), task('p2')]);
    decide(graph, graph.roots());
    expect(ids(graph.nextStartable(idle))).toEqual(['seq']);
    expect(graph.nextStartable({ running: 1, runningSequential: true, maxParallel: 100 })).toEqual([]);
    graph.settle('seq', 'succeeded');
    expect(ids(graph.nextStartable(idle))).toEqual(['p1', 'p2']);
  });

  it('a Sequential task at the head waits for running tasks to drain, and blocks lower-ranked parallel tasks meanwhile', () => {
    const graph = graphOf([task('p-high', { priority: 'high' }), task('seq', { executionMode: 'sequential' }), task('p-low', { priority: 'low' })]);
    decide(graph, graph.roots());
    // p-high starts; seq is next in rank, so it stops p-low from starting alongside.
    expect(ids(graph.nextStartable(idle))).toEqual(['p-high']);
    expect(graph.nextStartable({ running: 1, runningSequential: false, maxParallel: 100 })).toEqual([]);
    graph.settle('p-high', 'succeeded');
    expect(ids(graph.nextStartable(idle))).toEqual(['seq']);
    graph.settle('seq', 'succeeded');
    expect(ids(graph.nextStartable(idle))).toEqual(['p-low']);
  });

  it('a held Sequential task is not overtaken by higher-ranked tasks that become ready later', () => {
    const graph = graphOf([
      task('runner'),
      task('seq', { executionMode: 'sequential', priority: 'low' }),
      task('gate'),
      task('urgent', { priority: 'high', dependencies: ['gate'] }),
    ]);
    decide(graph, graph.roots());
    expect(ids(graph.nextStartable({ running: 0, runningSequential: false, maxParallel: 2 }))).toEqual(['runner', 'gate']);
    // gate finishes while runner still runs: seq reaches the head and is held.
    decide(graph, graph.settle('gate', 'succeeded'));
    expect(graph.nextStartable({ running: 1, runningSequential: false, maxParallel: 2 })).toEqual([]);
    graph.settle('runner', 'succeeded');
    expect(ids(graph.nextStartable({ running: 0, runningSequential: false, maxParallel: 2 }))).toEqual(['seq']);
  });

  it('a Sequential task lower in rank does not block higher-ranked parallel tasks', () => {
    const graph = graphOf([task('seq', { executionMode: 'sequential', priority: 'low' }), task('p1'), task('p2')]);
    decide(graph, graph.roots());
    expect(ids(graph.nextStartable(idle))).toEqual(['p1', 'p2']);
    expect(graph.state('seq')).toBe('queued');
  });
});

describe('TaskGraph: cancelRemaining', () => {
  it('cancels every task that has neither settled nor started, and leaves running tasks alone', () => {
    const graph = graphOf([
      task('done'),
      task('running', { priority: 'high' }),
      task('queued', { priority: 'low' }),
      task('waiting', { dependencies: ['running'] }),
      task('held', { executionMode: 'sequential' }),
    ]);
    decide(graph, graph.roots());
    graph.nextStartable({ running: 0, runningSequential: false, maxParallel: 2 }); // running, done; held is next
    graph.settle('done', 'succeeded');
    expect(ids(graph.cancelRemaining())).toEqual(['queued', 'waiting', 'held']);
    expect(graph.state('held')).toBe('cancelled');
    expect(graph.state('running')).toBe('running');
    expect(graph.nextStartable(idle)).toEqual([]);
    expect(graph.settle('running', 'failed')).toEqual([]);
    expect(graph.isComplete).toBe(true);
  });
});

describe('TaskGraph: a simulated 1,000-task run', () => {
  it('starts every task after its dependencies settled, within maxParallel, and nothing beside a Sequential task', () => {
    const random = createRandom(2024).next;
    const pick = <T,>(items: readonly T[]): T => {
      const item = items[Math.floor(random() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    };
    const specs: SubAgentTaskSpec[] = Array.from({ length: 1_000 }, (_, i) => {
      const dependencies = new Set<string>();
      const count = i === 0 ? 0 : Math.floor(random() * 4);
      for (let k = 0; k < count; k++) dependencies.add(`t${Math.floor(random() * i)}`);
      return task(`t${i}`, {
        dependencies: [...dependencies],
        priority: pick(['high', 'medium', 'low'] as const),
        executionMode: random() < 0.03 ? 'sequential' : 'parallel',
        requireAllDependencies: random() < 0.8,
        ...(random() < 0.7 ? { estimatedDurationSeconds: Math.floor(random() * 100) } : {}),
      });
    });
    const duration = specs.map(() => 1 + Math.floor(random() * 50));
    const outcome = specs.map((): TaskStatus => (random() < 0.05 ? 'failed' : 'succeeded'));
    const maxParallel = 7;

    const graph = graphOf(specs);
    const settledAt = new Map<string, number>();
    const startedAt = new Map<string, number>();
    const running = new Map<string, { finish: number; sequential: boolean; index: number }>();
    let now = 0;
    let peak = 0;
    const settleAll = (decidable: NormalizedTask[]) => {
      const pending = [...decidable];
      for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
        const readiness = graph.readiness(next.agentId);
        const dependencyStates = next.dependencies.map((d) => graph.state(d));
        const succeeded = dependencyStates.filter((s) => s === 'succeeded').length;
        const shouldRun = next.dependencies.length === 0 || (next.requireAllDependencies ? succeeded === next.dependencies.length : succeeded > 0);
        expect(readiness === 'ready').toBe(shouldRun);
        if (readiness === 'ready') graph.enqueue(next.agentId);
        else {
          settledAt.set(next.agentId, now);
          pending.push(...graph.settle(next.agentId, 'skipped'));
        }
      }
    };

    settleAll(graph.roots());
    for (;;) {
      const runningSequential = [...running.values()].some((r) => r.sequential);
      for (const started of graph.nextStartable({ running: running.size, runningSequential, maxParallel })) {
        for (const dependency of started.dependencies) {
          const settled = settledAt.get(dependency);
          expect(settled, `${started.agentId} started before ${dependency} settled`).toBeDefined();
          expect(settled ?? Infinity).toBeLessThanOrEqual(now);
        }
        startedAt.set(started.agentId, now);
        running.set(started.agentId, { finish: now + (duration[started.index] ?? 1), sequential: started.executionMode === 'sequential', index: started.index });
      }
      peak = Math.max(peak, running.size);
      expect(running.size).toBeLessThanOrEqual(maxParallel);
      if ([...running.values()].some((r) => r.sequential)) expect(running.size).toBe(1);
      // Work-conserving: with free slots and no Sequential task involved, nothing ready is left waiting.
      if (running.size === 0) expect(graph.hasQueued).toBe(false);

      const [nextId, next] = [...running.entries()].sort((a, b) => a[1].finish - b[1].finish || a[1].index - b[1].index)[0] ?? [];
      if (nextId === undefined || next === undefined) break;
      now = next.finish;
      running.delete(nextId);
      settledAt.set(nextId, now);
      settleAll(graph.settle(nextId, outcome[next.index] ?? 'succeeded'));
    }

    expect(graph.isComplete).toBe(true);
    expect(settledAt.size).toBe(1_000);
    // The run exercised what it claims to check.
    expect(peak).toBe(maxParallel);
    expect(specs.filter((s, i) => s.executionMode === 'sequential' && startedAt.has(`t${i}`)).length).toBeGreaterThan(5);
    expect(startedAt.size).toBeLessThan(1_000); // some tasks were skipped
    expect(startedAt.size).toBeGreaterThan(300);
  });

  it('schedules a 10,000-task chain one task at a time without deep recursion', () => {
    const specs = Array.from({ length: 10_000 }, (_, i) => task(`t${i}`, { dependencies: i === 0 ? [] : [`t${i - 1}`] }));
    const graph = graphOf(specs);
    let decidable = graph.roots();
    let order = 0;
    while (decidable.length > 0) {
      decide(graph, decidable);
      const started = graph.nextStartable({ running: 0, runningSequential: false, maxParallel: 7 });
      expect(ids(started)).toEqual([`t${order}`]);
      order++;
      decidable = started[0] ? graph.settle(started[0].agentId, 'succeeded') : [];
    }
    expect(order).toBe(10_000);
    expect(graph.isComplete).toBe(true);
  });
});
