/**
 * Readiness and ordering of a workflow's tasks: which tasks can be decided
 * once their dependencies settle, whether they may run, and in which order
 * ready tasks start under the parallelism limit and the Sequential rule.
 * Pure and synchronous: the workflow actor drives it and owns all I/O.
 */
import type { TaskPriority, TaskStatus } from '../../protocols/task.js';
import { PriorityQueue } from '../../util/priority-queue.js';
import type { NormalizedTask } from './tasks.js';

/**
 * Where a task is in the graph:
 * - `waiting`: some dependency has not settled yet;
 * - `decidable`: every dependency settled; call `readiness`, then `enqueue` or `settle`;
 * - `queued`: ready and waiting in the queue for a slot;
 * - `running`: returned by `nextStartable`;
 * - a TaskStatus: settled.
 */
export type TaskNodeState = 'waiting' | 'decidable' | 'queued' | 'running' | TaskStatus;

/** A decidable task may run (`'ready'`) or must be skipped for `reason`. */
export type TaskReadiness = 'ready' | { readonly blocked: string };

/** What `nextStartable` needs to know about the tasks running now. */
export interface StartSlots {
  /** How many tasks are running. */
  readonly running: number;
  /** Whether one of them is a Sequential task. */
  readonly runningSequential: boolean;
  /** The parallelism limit (maxParallelAgents), at least 1. */
  readonly maxParallel: number;
}

const PRIORITY_RANK: Readonly<Record<TaskPriority, number>> = { high: 0, medium: 1, low: 2 };

/**
 * Start order of ready tasks: priority (high, medium, low), then the longest
 * estimated duration first (a missing estimate counts as 0), then declaration order.
 *
 * @example
 * ```ts
 * readyTasks.sort(compareReadyTasks);
 * ```
 */
export function compareReadyTasks(a: NormalizedTask, b: NormalizedTask): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    (b.estimatedDurationSeconds ?? 0) - (a.estimatedDurationSeconds ?? 0) ||
    a.index - b.index
  );
}

function isSettled(state: TaskNodeState): state is TaskStatus {
  return state !== 'waiting' && state !== 'decidable' && state !== 'queued' && state !== 'running';
}

/**
 * The dependency graph of one workflow run, built once from validated tasks.
 * `settle` and `enqueue` cost O(dependents) and O(log n); `readiness` is O(1)
 * when the task may run.
 *
 * Protocol: start with `roots()`; for each decidable task call `readiness`.
 * When ready (and its `condition` holds) call `enqueue`, else `settle` it as
 * skipped. Start what `nextStartable` returns; when a task finishes, `settle`
 * it and treat the returned tasks the same way.
 *
 * @example
 * ```ts
 * const graph = new TaskGraph(normalizeTasks(tasks, { knownTemplates }));
 * let decidable = graph.roots();
 * while (decidable.length > 0) {
 *   const task = decidable.pop()!;
 *   const readiness = graph.readiness(task.agentId);
 *   if (readiness === 'ready') graph.enqueue(task.agentId);
 *   else decidable.push(...graph.settle(task.agentId, 'skipped'));
 * }
 * const starting = graph.nextStartable({ running: 0, runningSequential: false, maxParallel: 5 });
 * ```
 */
export class TaskGraph {
  readonly #tasks: readonly NormalizedTask[];
  readonly #indexById = new Map<string, number>();
  readonly #dependents: number[][];
  /** Dependencies of each task that have not settled yet. */
  readonly #unsettledDependencies: Int32Array;
  /** Dependencies of each task that settled as succeeded. */
  readonly #succeededDependencies: Int32Array;
  readonly #states: TaskNodeState[];
  readonly #queue = new PriorityQueue<NormalizedTask>(compareReadyTasks);
  /** A Sequential task taken from the head of the queue, waiting for running tasks to drain. */
  #heldSequential: NormalizedTask | undefined;
  #settledCount = 0;

  /** @param tasks validated tasks from `normalizeTasks` (unique ids, known dependencies, no cycle). */
  constructor(tasks: readonly NormalizedTask[]) {
    this.#tasks = tasks;
    tasks.forEach((task, index) => {
      // Positions double as ids in the counters below, so they must match.
      if (task.index !== index) {
        throw new Error(`TaskGraph: tasks[${index}] has index ${task.index}; pass the list normalizeTasks returned`);
      }
      this.#indexById.set(task.agentId, index);
    });
    this.#dependents = tasks.map(() => []);
    this.#unsettledDependencies = new Int32Array(tasks.length);
    this.#succeededDependencies = new Int32Array(tasks.length);
    this.#states = tasks.map((task) => (task.dependencies.length === 0 ? 'decidable' : 'waiting'));
    tasks.forEach((task, index) => {
      this.#unsettledDependencies[index] = task.dependencies.length;
      for (const dependency of task.dependencies) {
        this.#dependents[this.#indexOf(dependency)]?.push(index);
      }
    });
  }

  /** Whether every task has settled. */
  get isComplete(): boolean {
    return this.#settledCount === this.#tasks.length;
  }

  /** Whether a task is queued (or held) and waiting to start. */
  get hasQueued(): boolean {
    return this.#heldSequential !== undefined || this.#peekQueued() !== undefined;
  }

  /** The tasks without dependencies: decidable from the start, in declaration order. */
  roots(): NormalizedTask[] {
    return this.#tasks.filter((task) => task.dependencies.length === 0);
  }

  /** Where the task is: waiting, decidable, queued, running or its settled status. */
  state(agentId: string): TaskNodeState {
    return this.#stateAt(this.#indexOf(agentId));
  }

  /**
   * Whether a decidable task may run. requireAllDependencies true: every
   * dependency succeeded. False: at least one did (all have settled by now).
   * A task without dependencies is always ready.
   * @throws Error when the task is not decidable.
   */
  readiness(agentId: string): TaskReadiness {
    const index = this.#indexOf(agentId);
    this.#expectState(index, 'decidable', 'readiness');
    const task = this.#at(index);
    const total = task.dependencies.length;
    const succeeded = this.#succeededDependencies[index] ?? 0;
    if (total === 0 || (task.requireAllDependencies ? succeeded === total : succeeded > 0)) return 'ready';
    const unsuccessful = task.dependencies
      .filter((dependency) => this.state(dependency) !== 'succeeded')
      .map((dependency) => `"${dependency}" ${this.state(dependency)}`)
      .join(', ');
    return {
      blocked: task.requireAllDependencies
        ? `not every dependency succeeded: ${unsuccessful}`
        : `none of its dependencies succeeded: ${unsuccessful}`,
    };
  }

  /**
   * Puts a ready decidable task in the start queue, in O(log n).
   * @throws Error when the task is not decidable or not ready.
   */
  enqueue(agentId: string): void {
    const index = this.#indexOf(agentId);
    this.#expectState(index, 'decidable', 'enqueue');
    if (this.readiness(agentId) !== 'ready') {
      throw new Error(`TaskGraph.enqueue: task "${agentId}" is blocked by its dependencies; settle it as skipped`);
    }
    this.#states[index] = 'queued';
    this.#queue.push(this.#at(index));
  }

  /**
   * The tasks that may start now, in start order, marked running. At most
   * `maxParallel` run at once. A Sequential task runs alone: it starts only
   * when nothing runs, and nothing starts while it runs. Once a Sequential
   * task reaches the head of the queue it keeps its place: nothing else starts
   * until the running tasks drain and it has started, so a stream of
   * higher-ranked parallel tasks cannot starve it.
   */
  nextStartable(slots: StartSlots): NormalizedTask[] {
    if (!Number.isInteger(slots.maxParallel) || slots.maxParallel < 1) {
      throw new RangeError(`TaskGraph.nextStartable: maxParallel must be a whole number ≥ 1, got ${slots.maxParallel}`);
    }
    if (slots.runningSequential) return [];
    const held = this.#heldSequential;
    if (held !== undefined) {
      if (slots.running > 0) return [];
      this.#heldSequential = undefined;
      return [this.#start(held)];
    }
    const starting: NormalizedTask[] = [];
    for (;;) {
      const head = this.#peekQueued();
      if (head === undefined) break;
      if (head.executionMode === 'sequential') {
        this.#queue.pop();
        if (slots.running === 0 && starting.length === 0) return [this.#start(head)];
        this.#heldSequential = head;
        break;
      }
      if (slots.running + starting.length >= slots.maxParallel) break;
      this.#queue.pop();
      starting.push(this.#start(head));
    }
    return starting;
  }

  /**
   * Records a task's outcome and returns the tasks that became decidable (all
   * their dependencies settled), in declaration order. A queued task settled
   * here (cancelled from outside, say) leaves the queue.
   * @throws Error when the task has already settled.
   */
  settle(agentId: string, status: TaskStatus): NormalizedTask[] {
    const index = this.#indexOf(agentId);
    const state = this.#stateAt(index);
    if (isSettled(state)) {
      throw new Error(`TaskGraph.settle: task "${agentId}" already settled as ${state}`);
    }
    if (this.#heldSequential?.index === index) this.#heldSequential = undefined;
    // A queued entry is dropped lazily: #peekQueued skips tasks no longer 'queued'.
    this.#states[index] = status;
    this.#settledCount++;
    // Dependents were listed in declaration order, so `decidable` comes out in that order.
    const decidable: NormalizedTask[] = [];
    for (const dependent of this.#dependents[index] ?? []) {
      const remaining = (this.#unsettledDependencies[dependent] ?? 0) - 1;
      this.#unsettledDependencies[dependent] = remaining;
      if (status === 'succeeded') {
        this.#succeededDependencies[dependent] = (this.#succeededDependencies[dependent] ?? 0) + 1;
      }
      if (remaining === 0 && this.#states[dependent] === 'waiting') {
        this.#states[dependent] = 'decidable';
        decidable.push(this.#at(dependent));
      }
    }
    return decidable;
  }

  /**
   * Cancels every task that has neither settled nor started (for
   * continueOnFailure=false) and returns them in declaration order. Running
   * tasks are left to finish (or be stopped) and settled by the caller.
   */
  cancelRemaining(): NormalizedTask[] {
    const cancelled: NormalizedTask[] = [];
    this.#states.forEach((state, index) => {
      if (isSettled(state) || state === 'running') return;
      this.#states[index] = 'cancelled';
      this.#settledCount++;
      cancelled.push(this.#at(index));
    });
    this.#queue.clear();
    this.#heldSequential = undefined;
    return cancelled;
  }

  #start(task: NormalizedTask): NormalizedTask {
    this.#states[task.index] = 'running';
    return task;
  }

  /** The first queue entry still queued, dropping entries settled while queued. */
  #peekQueued(): NormalizedTask | undefined {
    for (;;) {
      const head = this.#queue.peek();
      if (head === undefined || this.#states[head.index] === 'queued') return head;
      this.#queue.pop();
    }
  }

  #indexOf(agentId: string): number {
    const index = this.#indexById.get(agentId);
    if (index === undefined) throw new Error(`TaskGraph: no task "${agentId}" in this workflow`);
    return index;
  }

  #at(index: number): NormalizedTask {
    const task = this.#tasks[index];
    if (task === undefined) throw new Error(`TaskGraph: no task at index ${index}`);
    return task;
  }

  #stateAt(index: number): TaskNodeState {
    return this.#states[index] ?? 'waiting';
  }

  #expectState(index: number, expected: TaskNodeState, operation: string): void {
    const state = this.#stateAt(index);
    if (state !== expected) {
      throw new Error(`TaskGraph.${operation}: task "${this.#at(index).agentId}" is ${state}, not ${expected}`);
    }
  }
}
