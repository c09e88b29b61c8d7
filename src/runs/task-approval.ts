/**
 * Task-level approval (`requiresApproval: true`): the task's output waits for
 * a person before the workflow sees it, so its dependents wait too. An
 * approval lets it through; a rejection with `retry: true` runs the task
 * again with the reason in its prompt; a plain rejection fails it with
 * APPROVAL_REJECTED. Each revision runs under its own task ids, so a resumed
 * run is served every revision's recorded model calls.
 */
import { ApprovalRejectedError, toErrorData } from '../protocols/errors/errors.js';
import type { ErrorData } from '../protocols/errors/errors.js';
import { addUsage } from '../protocols/model.js';
import type { TaskResult } from '../protocols/task.js';
import { addCents } from '../protocols/cents.js';
import type { TaskRunRequest } from './task-runner.js';
import type { ApprovalDesk } from './approvals.js';

/** A task's prompt for its next revision: the feedback so far and the answer it rejected. */
function revisedDescription(description: string, feedback: readonly string[], rejected: string): string {
  const notes = feedback.map((reason) => `- ${reason}`).join('\n');
  return `${description}\n\nA person reviewed an earlier answer and asked for changes:\n${notes}\n\nThe rejected answer was:\n${rejected}`;
}

/** `later` with the attempts, cost and usage of the revisions before it. */
function withEarlier(earlier: TaskResult | undefined, later: TaskResult): TaskResult {
  if (!earlier) return later;
  const startedAt = earlier.startedAt ?? later.startedAt;
  return {
    ...later,
    attempts: earlier.attempts + later.attempts,
    costCents: addCents(earlier.costCents, later.costCents),
    usage: addUsage(earlier.usage, later.usage),
    startedAt,
    durationSeconds: startedAt !== null && later.finishedAt !== null ? Math.max(0, (later.finishedAt - startedAt) / 1000) : later.durationSeconds,
  };
}

function failedWith(result: TaskResult, error: ErrorData): TaskResult {
  return { ...result, status: error.code === 'CANCELLED' || error.code === 'SHUT_DOWN' ? 'cancelled' : 'failed', output: null, confidence: null, error };
}

/**
 * Runs a task and holds its output for a person's approval.
 *
 * @example
 * ```ts
 * const result = await runApprovedTask(request, (r) => runner.run(r), desk, 3600);
 * ```
 */
export async function runApprovedTask(
  request: TaskRunRequest,
  run: (request: TaskRunRequest) => Promise<TaskResult>,
  desk: ApprovalDesk,
  timeoutSeconds = 0,
): Promise<TaskResult> {
  const { spec, workflowId } = request;
  const feedback: string[] = [];
  let total: TaskResult | undefined;
  for (let revision = 0; ; revision++) {
    const attempt: TaskRunRequest =
      revision === 0 ? request : { ...request, revision, spec: { ...spec, taskDescription: revisedDescription(spec.taskDescription, feedback, total?.output ?? '') } };
    const result = await run(attempt);
    total = withEarlier(total, result);
    if (result.status !== 'succeeded') return total;
    let decision;
    try {
      decision = await desk.request({
        kind: 'task',
        workflowId,
        agentId: spec.agentId,
        taskId: `${workflowId}/${spec.agentId}`,
        key: `${workflowId}/${spec.agentId}:approval:${revision}`,
        output: result.output ?? '',
        ...(timeoutSeconds > 0 ? { timeoutSeconds } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      return failedWith(total, toErrorData(error));
    }
    if (decision.outcome !== 'rejected') return total;
    if (decision.retry !== true) return failedWith(total, toErrorData(new ApprovalRejectedError(desk.idOf(workflowId, `${workflowId}/${spec.agentId}:approval:${revision}`), decision.reason)));
    feedback.push(decision.reason);
  }
}
