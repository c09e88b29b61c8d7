/**
 * Human in the loop as data: what a run waits for a person on (a gated tool
 * call, an `ask_human` question, a task's output) and what the person
 * decided. Plain data, so it crosses actors, events and the journal.
 */

/** What a pending approval is about. */
export type ApprovalKind = 'tool' | 'question' | 'task';

/**
 * A request waiting for a person, as `orchestrator.approvals.list()` shows it.
 *
 * @example
 * ```ts
 * for (const pending of orchestrator.approvals.list()) {
 *   if (pending.kind === 'tool') console.log(pending.id, pending.tool, pending.input);
 * }
 * ```
 */
export interface ApprovalRequest {
  /** Stable across a restart: the same request resumed has the same id. */
  readonly id: string;
  readonly kind: ApprovalKind;
  readonly workflowId: string;
  readonly agentId: string;
  readonly taskId: string;
  /** `tool`: the tool's registered name and the model's arguments. */
  readonly tool?: string;
  readonly input?: unknown;
  /** `question`: what the agent asked (`ask_human`). */
  readonly question?: string;
  /** `task`: the output waiting for approval before dependents run. */
  readonly output?: string;
  /** Epoch ms of the first request (kept across a restart). */
  readonly requestedAt: number;
  /** Epoch ms after which the step fails with APPROVAL_TIMEOUT; absent without a timeout. */
  readonly expiresAt?: number;
}

/** A person's decision: approve (with a note), reject (with a reason, optionally retrying a task) or answer a question. */
export type ApprovalDecision =
  | { readonly outcome: 'approved'; readonly note?: string }
  | { readonly outcome: 'rejected'; readonly reason: string; readonly retry?: boolean }
  | { readonly outcome: 'answered'; readonly text: string };

/** What a step asks a person for; the desk turns it into an {@link ApprovalRequest}. */
export interface ApprovalAsk {
  readonly kind: ApprovalKind;
  readonly workflowId: string;
  readonly agentId: string;
  readonly taskId: string;
  /** Key of the step within its run, stable across runs of the same tasks (a tool's callKey). */
  readonly key: string;
  readonly tool?: string;
  readonly input?: unknown;
  readonly question?: string;
  readonly output?: string;
  /** Fail with APPROVAL_TIMEOUT after this many seconds without a decision (0 or absent: wait). */
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
}
