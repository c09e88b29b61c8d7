/**
 * `streamWorkflow`: a workflow run as an async iterable of its events, with
 * the run's result beside it. Built on `executeWorkflow({ onEvent })` and a
 * bounded {@link EventBuffer}, so the actors never wait for the reader.
 */
import { nanoid } from 'nanoid';
import type { WorkflowEvent } from '../../protocols/events.js';
import type { WorkflowResult } from '../../protocols/task.js';
import type { ExecuteWorkflowOptions } from '../../runs/workflow-runner.js';
import { DEFAULT_STREAM_BUFFER, EventBuffer } from './event-buffer.js';

export interface StreamWorkflowOptions extends Omit<ExecuteWorkflowOptions, 'onEvent'> {
  /**
   * Unread events kept before deltas are merged (default 1024): past it, a new
   * `model.delta` joins the unread delta of the same call, so a slow reader
   * gets fewer, longer deltas and never loses text. Other events are always kept.
   */
  readonly bufferSize?: number;
}

/** A running workflow's events, in order; `result` resolves when the run ends. */
export interface WorkflowEventStream extends AsyncIterable<WorkflowEvent> {
  readonly workflowId: string;
  /**
   * The run's WorkflowResult. Rejects as `executeWorkflow` would (a validation
   * error, shutdown); the iteration then throws the same error after the events it had.
   */
  readonly result: Promise<WorkflowResult>;
  /** Deltas merged so far because the reader fell behind. */
  readonly mergedDeltas: number;
}

/**
 * Starts `run` with an `onEvent` that feeds the stream. The run starts at
 * once, read or not; leaving the loop early stops the buffering, not the run
 * (abort it with `signal`).
 */
export function streamWorkflowEvents(
  options: StreamWorkflowOptions,
  run: (options: ExecuteWorkflowOptions) => Promise<WorkflowResult>,
): WorkflowEventStream {
  const { bufferSize, ...rest } = options;
  const buffer = new EventBuffer(bufferSize ?? DEFAULT_STREAM_BUFFER);
  const workflowId = rest.workflowId ?? `wf_${nanoid(12)}`;
  let result: Promise<WorkflowResult>;
  try {
    result = run({ ...rest, workflowId, onEvent: (event) => buffer.push(event) });
  } catch (error) {
    result = Promise.reject(error);
  }
  result.then(
    () => buffer.end(),
    (error: unknown) => buffer.fail(error),
  );
  return {
    workflowId,
    result,
    get mergedDeltas() {
      return buffer.merged;
    },
    [Symbol.asyncIterator]: () => buffer[Symbol.asyncIterator](),
  };
}
