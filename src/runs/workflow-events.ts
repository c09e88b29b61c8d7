/**
 * One workflow run's events out of the system's hub: every event whose
 * payload names that run's `workflowId`, in the order the hub emits them.
 */
import type { EventHub, TroupeEvent, WorkflowEvent } from '../protocols/events.js';

/** Whether `event` belongs to the run `workflowId`. */
export function isEventOfWorkflow(event: TroupeEvent, workflowId: string): event is WorkflowEvent {
  return 'workflowId' in event && event.workflowId === workflowId;
}

/**
 * Calls `listener` with each event of the run `workflowId`; returns the
 * unsubscribe function. While subscribed, model calls stream (the hub has a
 * `model.delta` listener), so the run's deltas arrive too. A throwing listener
 * is reported as `listener.error` and never reaches the actors.
 *
 * @example
 * ```ts
 * const off = observeWorkflow(orchestrator.events, 'wf_1', (event) => console.log(event.type));
 * ```
 */
export function observeWorkflow(events: EventHub, workflowId: string, listener: (event: WorkflowEvent) => void): () => void {
  return events.onAny((event) => {
    if (isEventOfWorkflow(event, workflowId)) listener(event);
  });
}
