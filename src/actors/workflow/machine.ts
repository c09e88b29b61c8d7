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
 * child actor each (workflow-task-runner.ts says why). Settling a result and
 * deciding its dependents is workflow-settle.ts; this file sequences the run.
 * The journal, not this snapshot, is what a run resumes from.
 */
import { enqueueActions, setup } from 'xstate';
import type { TaskResult } from '../../protocols/task.js';
import { TaskGraph } from './schedule.js';
import { createSettlement, isFailure, notRunResult, workflowStatusOf } from './settle.js';
import { reportedResult, TASKS_CHILD, taskRunnerLogic } from './tasks-child.js';
import type { TaskReportEvent, TaskRunnerCommand } from './tasks-child.js';
import type { WorkflowContext, WorkflowEmitted, WorkflowEvent, WorkflowInput, WorkflowOutput, WorkflowServices } from './types.js';

// Re-exported so importers of the machine keep one path for the run's types and helpers.
export { notRunResult, workflowStatusOf } from './settle.js';
export type { TaskRunnerCommand } from './tasks-child.js';
export type {
  RunTaskInput,
  WorkflowContext,
  WorkflowEmitted,
  WorkflowEvent,
  WorkflowInput,
  WorkflowOutput,
  WorkflowServices,
  WorkflowTask,
} from './types.js';

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
  const { settle, decide } = createSettlement(services);
  return setup({
    types: {
      context: {} as WorkflowContext,
      events: {} as WorkflowEvent | TaskReportEvent,
      input: {} as WorkflowInput,
      output: {} as WorkflowOutput,
      emitted: {} as WorkflowEmitted,
    },
    actors: {
      taskRunner: taskRunnerLogic(services),
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
          // No prototype: an agentId key can never reach Object.prototype.
          results: Object.create(null) as Record<string, TaskResult>,
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
