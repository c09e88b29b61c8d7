/**
 * Pending approvals as the dashboard shows them: what a person needs to
 * decide (the tool and its arguments, the question, the task's output), each
 * text cut to a bounded length so one huge output cannot bloat every push.
 */
import type { ApprovalKind, ApprovalRequest } from '../../../protocols/approval.js';

/** Longest text of one approval the dashboard sends. */
export const MAX_APPROVAL_TEXT = 2000;

export interface DashboardApproval {
  readonly id: string;
  readonly kind: ApprovalKind;
  readonly workflowId: string;
  readonly agentId: string;
  readonly taskId: string;
  /** The tool's name, for `tool`. */
  readonly tool: string | null;
  /** The tool's arguments (JSON), the question, or the task's output; cut at {@link MAX_APPROVAL_TEXT}. */
  readonly detail: string;
  readonly requestedAt: number;
  readonly expiresAt: number | null;
}

function cut(text: string): string {
  return text.length > MAX_APPROVAL_TEXT ? `${text.slice(0, MAX_APPROVAL_TEXT)}…` : text;
}

/**
 * One pending request as the dashboard draws it.
 *
 * @example
 * ```ts
 * const shown = orchestrator.approvals.list().map(approvalView);
 * ```
 */
export function approvalView(request: ApprovalRequest): DashboardApproval {
  const detail =
    request.kind === 'tool' ? JSON.stringify(request.input ?? null) : request.kind === 'question' ? (request.question ?? '') : (request.output ?? '');
  return {
    id: request.id,
    kind: request.kind,
    workflowId: request.workflowId,
    agentId: request.agentId,
    taskId: request.taskId,
    tool: request.tool ?? null,
    detail: cut(detail),
    requestedAt: request.requestedAt,
    expiresAt: request.expiresAt ?? null,
  };
}
