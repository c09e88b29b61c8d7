/**
 * One workflow run as an actor: it holds the task DAG, starts ready tasks in
 * priority order under maxParallelAgents (a Sequential task alone), collects
 * results, skips tasks whose condition is false or whose dependencies failed,
 * and on the first failure (continueOnFailure off) stops the tasks in flight,
 * which aborts their model calls.
 *
 * For scale the DAG bookkeeping (TaskGraph, the results record) is owned by
 * the run and mutated in place: copying 10,000 results on every event would
 * make a run O(n²). Tasks in flight run in one child, `tasks`, rather than one
 * child actor each: XState copies a parent's children map on every spawn and
 * stop, and with a new key each time V8 cannot reuse the copy's shape, which
 * made a child per task cost ~90 µs to spawn and stop at 100 in flight.
 * The journal, not this snapshot, is what a run resumes from.
 */
import { enqueueActions, fromCallback, setup } from 'xstate';
import { toErrorData } from '../protocols/errors.js';
import type { ErrorData } from '../protocols/errors.js';
import { EMPTY_USAGE } from '../protocols/model.js';
import type { ConditionResults, TaskResult, TaskStatus, WorkflowStatus } from '../protocols/task.js';
import { TaskGraph } from './workflow-schedule.js';
import type { NormalizedTask } from './workflow-tasks.js';

/** A task as the workflow actor holds it: plain data, the condition left with the orchestrator. */
export type WorkflowTask = Omit<NormalizedTask, 'condition'> & { readonly hasCondition: boolean };

export interface WorkflowInput {
  readonly workflowId: string;
  readonly tasks: readonly WorkflowTask[];
  readonly maxParallel: number;
  readonly continueOnFailure: boolean;
  /**
   * Results settled before the run starts (a resumed run's finished tasks):
   * used instead of running the task when it becomes decidable, in dependency
   * order, so its dependents see it exactly as if it had just finished.
   */
  readonly presettled?: Readonly<Record<string, TaskResult>>;
}

export interface RunTaskInput {
  readonly workflowId: string;
  readonly task: WorkflowTask;
  readonly dependencyOutputs: Readonly<Record<string, string>>;
}

export interface WorkflowServices {
  /** Runs one task to its result (retries, fallback, alternatives). Must not reject. */
  runTask(input: RunTaskInput, signal: AbortSignal): Promise<TaskResult>;
  /** Evaluates a task's user condition (kept outside the actor) on the results so far. */
  evaluateCondition(workflowId: string, agentId: string, results: ConditionResults): boolean;
  now(): number;
}

/** The run's mutable ledger (see the module comment for why it is not copied). */
interface RunLedger {
  readonly graph: TaskGraph;
  readonly results: Record<string, TaskResult>;
  readonly byId: ReadonlyMap<string, WorkflowTask>;
  readonly presettled: ReadonlyMap<string, TaskResult>;
  /** Tasks in flight, in start order. */
  readonly inFlight: Set<string>;
}

export interface WorkflowContext {
  readonly workflowId: string;
  readonly maxParallel: number;
  readonly continueOnFailure: boolean;
  /** Also what is derived from it: tasks running (`inFlight.size`), settled (`results`). */
  readonly ledger: RunLedger;
  readonly runningSequential: boolean;
  readonly startedAt: number;
  /** Why the run stopped early, if it did. */
  readonly haltReason: string | null;
  readonly cancelledByCaller: boolean;
}

export interface WorkflowOutput {
  readonly workflowId: string;
  readonly status: WorkflowStatus;
  readonly results: Readonly<Record<string, TaskResult>>;
  readonly startedAt: number;
  readonly finishedAt: number;
}

export type WorkflowEmitted = {
  readonly type: 'task.finished';
  readonly workflowId: string;
  readonly agentId: string;
  readonly result: TaskResult;
  /** The result was given in `presettled` (recorded earlier), not produced by this run. */
  readonly presettled?: boolean;
};

export type WorkflowEvent =
  | { readonly type: 'workflow.start' }
  /** The caller cancels the run. */
  | { readonly type: 'workflow.cancel'; readonly reason: string }
  /** Raised inside: the first failure stops the run (continueOnFailure off). */
  | { readonly type: 'workflow.halt'; readonly reason: string };

/** What the `tasks` child reports: a task's result, or the error its runner threw. */
type TaskReportEvent =
  | { readonly type: 'workflow.taskDone'; readonly agentId: string; readonly result: unknown }
  | { readonly type: 'workflow.taskFailed'; readonly agentId: string; readonly error: ErrorData };

/** What the workflow tells its `tasks` child: start a task, or abort every task in flight. */
export type TaskRunnerCommand =
  | { readonly type: 'tasks.run'; readonly input: RunTaskInput }
  | { readonly type: 'tasks.abort' };

const TASKS_CHILD = 'tasks';

/** The result of a task that never ran. */
export function notRunResult(agentId: string, status: TaskStatus, reason: string, now: number): TaskResult {
  return {
    agentId,
    status,
    output: null,
    confidence: null,
    attempts: 0,
    costCents: 0,
    usage: EMPTY_USAGE,
    startedAt: null,
    finishedAt: now,
    durationSeconds: 0,
    reason,
    alternatives: [],
    simulated: false,
  };
}

/** How the run ended, from its results. */
export function workflowStatusOf(results: Readonly<Record<string, TaskResult>>, context: Pick<WorkflowContext, 'continueOnFailure' | 'cancelledByCaller'>): WorkflowStatus {
  if (context.cancelledByCaller) return 'cancelled';
  let failed = 0;
  let succeeded = 0;
  for (const result of Object.values(results)) {
    // A task cancelled from outside (its agent stopped, say) did not succeed either.
    if (result.status === 'failed' || result.status === 'budget_exceeded' || result.status === 'cancelled') failed++;
    if (result.status === 'succeeded') succeeded++;
  }
  if (failed === 0) return 'succeeded';
  return context.continueOnFailure && succeeded > 0 ? 'partial' : 'failed';
}

function isFailure(status: TaskStatus): boolean {
  return status === 'failed' || status === 'budget_exceeded';
}

/** The result a task's report stands for: its own, or a failure when the runner threw or returned none. */
function reportedResult(event: TaskReportEvent, now: number): TaskResult {
  if (event.type === 'workflow.taskFailed') {
    return { ...notRunResult(event.agentId, 'failed', 'the task runner threw', now), error: event.error };
  }
  return isTaskResult(event.result) ? event.result : notRunResult(event.agentId, 'failed', 'the task runner returned no result', now);
}

/**
 * Creates the workflow machine bound to the system's services.
 *
 * @example
 * ```ts
 * const machine = createWorkflowMachine({ runTask, evaluateCondition: () => true, now: Date.now });
 * const run = createActor(machine, { input: { workflowId: 'wf_1', tasks, maxParallel: 5, continueOnFailure: true } }).start();
 * run.send({ type: 'workflow.start' });
 * const output = await toPromise(run);
 * ```
 */
export function createWorkflowMachine(services: WorkflowServices) {
  /**
   * Settles a task and decides its newly decidable dependents (skip or
   * enqueue), transitively. Returns every result settled, in order.
   * Without `cascade` (the run is halting) dependents are left undecided, so
   * the halt cancels them instead of skipping them.
   */
  const settle = (context: WorkflowContext, result: TaskResult, cascade = true): TaskResult[] => {
    const { graph, results } = context.ledger;
    if (!cascade) {
      results[result.agentId] = result;
      graph.settle(result.agentId, result.status);
      return [result];
    }
    const settled: TaskResult[] = [];
    const pending: TaskResult[] = [result];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      results[next.agentId] = next;
      settled.push(next);
      for (const task of graph.settle(next.agentId, next.status)) decide(context, task, pending);
    }
    return settled;
  };

  /** A decidable task: skipped when blocked or its condition is false, else queued. */
  const decide = (context: WorkflowContext, task: NormalizedTask, pending: TaskResult[]): void => {
    const { graph, byId, presettled } = context.ledger;
    const recorded = presettled.get(task.agentId);
    if (recorded) {
      pending.push(recorded);
      return;
    }
    const readiness = graph.readiness(task.agentId);
    if (readiness !== 'ready') {
      pending.push(notRunResult(task.agentId, 'skipped', readiness.blocked, services.now()));
      return;
    }
    if (byId.get(task.agentId)?.hasCondition) {
      let proceed: boolean;
      try {
        proceed = services.evaluateCondition(context.workflowId, task.agentId, context.ledger.results);
      } catch (error) {
        pending.push({
          ...notRunResult(task.agentId, 'failed', 'its condition threw', services.now()),
          error: toErrorData(error),
        });
        return;
      }
      if (!proceed) {
        pending.push(notRunResult(task.agentId, 'skipped', 'its condition was false', services.now()));
        return;
      }
    }
    graph.enqueue(task.agentId);
  };

  return setup({
    types: {
      context: {} as WorkflowContext,
      events: {} as WorkflowEvent | TaskReportEvent,
      input: {} as WorkflowInput,
      output: {} as WorkflowOutput,
      emitted: {} as WorkflowEmitted,
    },
    actors: {
      /**
       * Runs the tasks in flight, each with its own AbortController; aborting
       * (or stopping this child with the run) aborts their model calls. A task
       * aborted by a halt reports nothing: the run settled it as cancelled.
       */
      taskRunner: fromCallback<TaskRunnerCommand>(({ receive, sendBack }) => {
        const inFlight = new Map<string, AbortController>();
        const abortAll = (): void => {
          for (const controller of inFlight.values()) controller.abort();
          inFlight.clear();
        };
        receive((command) => {
          if (command.type === 'tasks.abort') return abortAll();
          const { agentId } = command.input.task;
          const controller = new AbortController();
          inFlight.set(agentId, controller);
          const report = (event: TaskReportEvent): void => {
            if (controller.signal.aborted) return;
            inFlight.delete(agentId);
            sendBack(event);
          };
          let running: Promise<TaskResult>;
          try {
            running = services.runTask(command.input, controller.signal);
          } catch (error) {
            running = Promise.reject(error);
          }
          running.then(
            (result) => report({ type: 'workflow.taskDone', agentId, result }),
            (error: unknown) => report({ type: 'workflow.taskFailed', agentId, error: toErrorData(error) }),
          );
        });
        return abortAll;
      }),
    },
    actions: {
      /** Starts every task the scheduler allows now. */
      schedule: enqueueActions(({ context, enqueue }) => {
        if (context.haltReason !== null) return;
        const { graph, results, byId, inFlight } = context.ledger;
        const starting = graph.nextStartable({
          running: inFlight.size,
          runningSequential: context.runningSequential,
          maxParallel: context.maxParallel,
        });
        if (starting.length === 0) return;
        let sequential = context.runningSequential;
        for (const task of starting) {
          const workflowTask = byId.get(task.agentId);
          if (!workflowTask) continue;
          const dependencyOutputs: Record<string, string> = {};
          for (const dependency of task.dependencies) {
            const output = results[dependency]?.output;
            if (output !== null && output !== undefined) dependencyOutputs[dependency] = output;
          }
          sequential ||= task.executionMode === 'sequential';
          inFlight.add(task.agentId);
          enqueue.sendTo(TASKS_CHILD, {
            type: 'tasks.run',
            input: { workflowId: context.workflowId, task: workflowTask, dependencyOutputs },
          } satisfies TaskRunnerCommand);
        }
        if (sequential !== context.runningSequential) enqueue.assign({ runningSequential: sequential });
      }),
      /** Settles a task the `tasks` child reported on; the first failure (continueOnFailure off) halts the run. */
      finishTask: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'workflow.taskDone' && event.type !== 'workflow.taskFailed') return;
        const { agentId } = event;
        // A task the halt already settled as cancelled: its late result is dropped.
        if (!context.ledger.inFlight.delete(agentId) || context.ledger.graph.state(agentId) !== 'running') return;
        const result = reportedResult(event, services.now());
        const halting = isFailure(result.status) && !context.continueOnFailure && context.haltReason === null;
        const settled = settle(context, result, !halting);
        const haltReason = halting ? `task "${agentId}" ${result.status}` : context.haltReason;
        // haltReason is set now, so the `schedule` that follows starts nothing more.
        enqueue.assign({
          runningSequential: context.runningSequential && context.ledger.byId.get(agentId)?.executionMode !== 'sequential',
          haltReason,
        });
        for (const each of settled) {
          enqueue.emit({ type: 'task.finished', workflowId: context.workflowId, agentId: each.agentId, result: each });
        }
        if (halting && haltReason !== null) enqueue.raise({ type: 'workflow.halt', reason: haltReason });
      }),
      halt: enqueueActions(({ context, event, enqueue }) => {
        if (!('reason' in event)) return;
        // Stop tasks in flight (their model calls abort) and cancel the rest.
        const now = services.now();
        const { graph, results, inFlight } = context.ledger;
        const settled: TaskResult[] = [];
        // Tasks not started yet first: settling a running task must not skip its dependents.
        for (const task of graph.cancelRemaining()) {
          const result = notRunResult(task.agentId, 'cancelled', event.reason, now);
          results[task.agentId] = result;
          settled.push(result);
        }
        if (inFlight.size > 0) enqueue.sendTo(TASKS_CHILD, { type: 'tasks.abort' } satisfies TaskRunnerCommand);
        for (const agentId of [...inFlight]) {
          inFlight.delete(agentId);
          if (graph.state(agentId) === 'running') {
            settled.push(...settle(context, notRunResult(agentId, 'cancelled', event.reason, now), false));
          }
        }
        for (const result of settled) {
          enqueue.emit({ type: 'task.finished', workflowId: context.workflowId, agentId: result.agentId, result });
        }
        enqueue.assign({
          runningSequential: false,
          haltReason: event.reason,
          cancelledByCaller: context.cancelledByCaller || event.type === 'workflow.cancel',
        });
      }),
    },
    guards: {
      complete: ({ context }) => context.ledger.graph.isComplete && context.ledger.inFlight.size === 0,
    },
  }).createMachine({
    id: 'workflow',
    context: ({ input }) => {
      const graph = new TaskGraph(input.tasks);
      return {
        workflowId: input.workflowId,
        maxParallel: input.maxParallel,
        continueOnFailure: input.continueOnFailure,
        ledger: {
          graph,
          results: {},
          byId: new Map(input.tasks.map((task) => [task.agentId, task])),
          presettled: new Map(Object.entries(input.presettled ?? {})),
          inFlight: new Set(),
        },
        runningSequential: false,
        startedAt: 0,
        haltReason: null,
        cancelledByCaller: false,
      };
    },
    invoke: { id: TASKS_CHILD, src: 'taskRunner' },
    initial: 'pending',
    states: {
      pending: {
        on: {
          'workflow.start': {
            target: 'running',
            actions: enqueueActions(({ context, enqueue }) => {
              const pending: TaskResult[] = [];
              for (const root of context.ledger.graph.roots()) decide(context, root, pending);
              const settled = pending.flatMap((result) => settle(context, result));
              const { presettled } = context.ledger;
              for (const result of settled) {
                enqueue.emit({
                  type: 'task.finished',
                  workflowId: context.workflowId,
                  agentId: result.agentId,
                  result,
                  ...(presettled.get(result.agentId) === result ? { presettled: true } : {}),
                });
              }
              // A presettled failure stops a resumed run as it stopped the original: nothing new starts.
              const failure = context.continueOnFailure
                ? undefined
                : settled.find((result) => isFailure(result.status) && presettled.get(result.agentId) === result);
              const haltReason = failure ? `task "${failure.agentId}" ${failure.status}` : null;
              enqueue.assign({ startedAt: services.now(), haltReason });
              if (haltReason !== null) enqueue.raise({ type: 'workflow.halt', reason: haltReason });
            }),
          },
          'workflow.cancel': {
            target: 'finished',
            actions: enqueueActions(({ context, event, enqueue }) => {
              // Cancelled before it started: every task ends cancelled, none ran.
              const now = services.now();
              for (const task of context.ledger.graph.cancelRemaining()) {
                const result = notRunResult(task.agentId, 'cancelled', event.reason, now);
                context.ledger.results[task.agentId] = result;
                enqueue.emit({ type: 'task.finished', workflowId: context.workflowId, agentId: task.agentId, result });
              }
              enqueue.assign({ cancelledByCaller: true, haltReason: event.reason });
            }),
          },
        },
      },
      running: {
        entry: ['schedule'],
        always: { guard: 'complete', target: 'finished' },
        on: {
          'workflow.taskDone': { actions: ['finishTask', 'schedule'] },
          'workflow.taskFailed': { actions: ['finishTask', 'schedule'] },
          'workflow.cancel': { actions: 'halt' },
          'workflow.halt': { actions: 'halt' },
        },
      },
      finished: { type: 'final' },
    },
    output: ({ context }) => ({
      workflowId: context.workflowId,
      status: workflowStatusOf(context.ledger.results, context),
      results: context.ledger.results,
      startedAt: context.startedAt,
      finishedAt: services.now(),
    }),
  });
}

export type WorkflowMachine = ReturnType<typeof createWorkflowMachine>;

function isTaskResult(value: unknown): value is TaskResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'agentId' in value && 'usage' in value;
}
