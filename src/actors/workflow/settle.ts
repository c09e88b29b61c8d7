/**
 * Settling a workflow's tasks: recording a result, then deciding each task it
 * made decidable (skip it, take its presettled result, or queue it to run),
 * transitively. Also the results of tasks that never ran, and the run's status.
 */
import { toErrorData } from '../../protocols/errors/errors.js';
import { EMPTY_USAGE } from '../../protocols/model.js';
import type { TaskResult, TaskStatus, WorkflowStatus } from '../../protocols/task.js';
import type { WorkflowContext, WorkflowServices } from './types.js';
import type { NormalizedTask } from './tasks.js';

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

/** A status that halts the run when continueOnFailure is off: a failure, not a cancellation. */
export function isFailure(status: TaskStatus): boolean {
  return status === 'failed' || status === 'budget_exceeded';
}

/** Settles tasks of a run; see {@link createSettlement}. */
export interface Settlement {
  /**
   * Settles a task and decides its newly decidable dependents (skip or
   * enqueue), transitively. Returns every result settled, in order.
   * Without `cascade` (the run is halting) dependents are left undecided, so
   * the halt cancels them instead of skipping them.
   */
  settle(context: WorkflowContext, result: TaskResult, cascade?: boolean): TaskResult[];
  /** A decidable task: skipped when blocked or its condition is false, else queued; `pending` gets its result if it has one now. */
  decide(context: WorkflowContext, task: NormalizedTask, pending: TaskResult[]): void;
}

/**
 * The settle/decide cascade bound to a run's services. It mutates the run's
 * ledger (RunLedger) in place and returns what settled, for the machine to emit.
 *
 * @example
 * ```ts
 * const { settle, decide } = createSettlement(services);
 * const pending: TaskResult[] = [];
 * for (const root of context.ledger.graph.roots()) decide(context, root, pending);
 * const settled = pending.flatMap((result) => settle(context, result));
 * ```
 */
export function createSettlement(services: Pick<WorkflowServices, 'evaluateCondition' | 'now'>): Settlement {
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

  return { settle, decide };
}
