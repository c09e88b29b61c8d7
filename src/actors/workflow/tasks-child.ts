/**
 * The workflow's `tasks` child: one callback actor that runs every task in
 * flight, rather than one child actor per task. XState copies a parent's
 * children map on every spawn and stop, and with a new key each time V8
 * cannot reuse the copy's shape, which made a child per task cost ~90 µs to
 * spawn and stop at 100 in flight.
 */
import { fromCallback } from 'xstate';
import { toErrorData } from '../../protocols/errors/errors.js';
import type { ErrorData } from '../../protocols/errors/errors.js';
import type { TaskResult } from '../../protocols/task.js';
import { notRunResult } from './settle.js';
import type { RunTaskInput, WorkflowServices } from './types.js';

/** The id of the workflow's task-runner child. */
export const TASKS_CHILD = 'tasks';

/** What the `tasks` child reports: a task's result, or the error its runner threw. */
export type TaskReportEvent =
  | { readonly type: 'workflow.taskDone'; readonly agentId: string; readonly result: unknown }
  | { readonly type: 'workflow.taskFailed'; readonly agentId: string; readonly error: ErrorData };

/**
 * What the workflow tells its `tasks` child: start a task, or abort every task in flight.
 *
 * @example
 * ```ts
 * enqueue.sendTo(TASKS_CHILD, { type: 'tasks.run', input: { workflowId, task, dependencyOutputs } } satisfies TaskRunnerCommand);
 * enqueue.sendTo(TASKS_CHILD, { type: 'tasks.abort' } satisfies TaskRunnerCommand);
 * ```
 */
export type TaskRunnerCommand =
  | { readonly type: 'tasks.run'; readonly input: RunTaskInput }
  | { readonly type: 'tasks.abort' };

/**
 * Runs the tasks in flight, each with its own AbortController; aborting
 * (or stopping this child with the run) aborts their model calls. A task
 * aborted by a halt reports nothing: the run settled it as cancelled.
 *
 * @example
 * ```ts
 * setup({ actors: { taskRunner: taskRunnerLogic(services) } }).createMachine({
 *   invoke: { id: TASKS_CHILD, src: 'taskRunner' },
 * });
 * ```
 */
export function taskRunnerLogic(services: Pick<WorkflowServices, 'runTask'>) {
  return fromCallback<TaskRunnerCommand>(({ receive, sendBack }) => {
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
  });
}

/** The result a task's report stands for: its own, or a failure when the runner threw or returned none. */
export function reportedResult(event: TaskReportEvent, now: number): TaskResult {
  if (event.type === 'workflow.taskFailed') {
    return { ...notRunResult(event.agentId, 'failed', 'the task runner threw', now), error: event.error };
  }
  return isTaskResult(event.result) ? event.result : notRunResult(event.agentId, 'failed', 'the task runner returned no result', now);
}

function isTaskResult(value: unknown): value is TaskResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'agentId' in value && 'usage' in value;
}
