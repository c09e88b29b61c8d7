/**
 * The approval desk: where runs wait for a person. A step (a gated tool call,
 * an `ask_human` question, a task's output) asks through {@link ApprovalDesk.request}
 * and waits; a person lists what is pending and approves, rejects or answers.
 *
 * Durable: the request and the decision are journaled in the run's journal.
 * A run resumed in another process asks again at the same key: a decided
 * request is served its recorded decision at once, an undecided one is
 * pending again under the same id with its original `requestedAt`.
 */
import { createHash } from 'node:crypto';
import type { ApprovalAsk, ApprovalDecision, ApprovalKind, ApprovalRequest } from '../protocols/approval.js';
import { ApprovalNotFoundError, ApprovalTimeoutError, CancelledError, ConfigError } from '../protocols/errors/errors.js';
import type { EventHub } from '../protocols/events.js';
import type { RecordedApproval } from '../journal/recorder.js';

/** Where requests and decisions are journaled and recorded ones looked up (the journal's call recorder). */
export interface ApprovalJournal {
  lookupApproval(workflowId: string, key: string): RecordedApproval | undefined;
  recordApprovalRequest(key: string, request: ApprovalRequest): Promise<void>;
  recordApprovalDecision(key: string, request: ApprovalRequest, decision: ApprovalDecision): Promise<void>;
}

export interface ApprovalDeskOptions {
  readonly events: EventHub;
  /** Absent (`journal: false`): approvals live in this process only. */
  readonly journal?: ApprovalJournal;
  readonly now: () => number;
}

/**
 * What `orchestrator.approvals` offers a person (or a UI acting for one).
 *
 * @example
 * ```ts
 * const [pending] = orchestrator.approvals.list();
 * if (pending?.kind === 'question') orchestrator.approvals.answer(pending.id, 'Use the EU region');
 * else if (pending) orchestrator.approvals.approve(pending.id, { note: 'checked the amount' });
 * ```
 */
export interface Approvals {
  /** Pending requests, oldest first. */
  list(): ApprovalRequest[];
  /** One pending request, or undefined. */
  get(id: string): ApprovalRequest | undefined;
  /**
   * Lets a gated tool call run, or a task's output through to its dependents;
   * the note reaches the model beside the tool's result.
   * @throws ApprovalNotFoundError when nothing pending has this id, or it is a question (answer it).
   */
  approve(id: string, options?: { readonly note?: string }): void;
  /**
   * Refuses: a tool call's result is an error carrying the reason; a task fails
   * with APPROVAL_REJECTED, or with `retry: true` runs again with the reason as feedback.
   * @throws ApprovalNotFoundError when nothing pending has this id.
   */
  reject(id: string, options: { readonly reason: string; readonly retry?: boolean }): void;
  /**
   * Answers an `ask_human` question: the text is the tool's result.
   * @throws ApprovalNotFoundError when no pending question has this id.
   */
  answer(id: string, text: string): void;
}

interface Pending {
  readonly request: ApprovalRequest;
  readonly key: string;
  readonly settle: (decision: ApprovalDecision | Error) => void;
}

/**
 * The id of the request at `key` in `workflowId`: the same in every process that runs or resumes it.
 *
 * @example
 * ```ts
 * approvalId('wf_1', 'wf_1/payer#1#1/1:tool:0'); // 'apr_' + 20 hex digits
 * ```
 */
export function approvalId(workflowId: string, key: string): string {
  return `apr_${createHash('sha256').update(`${workflowId}\n${key}`).digest('hex').slice(0, 20)}`;
}

/** The request a person sees, without the ask's signal, timeout and key. */
function requestOf(ask: ApprovalAsk, id: string, requestedAt: number): ApprovalRequest {
  const timeout = ask.timeoutSeconds ?? 0;
  return {
    id,
    kind: ask.kind,
    workflowId: ask.workflowId,
    agentId: ask.agentId,
    taskId: ask.taskId,
    ...(ask.tool === undefined ? {} : { tool: ask.tool }),
    ...(ask.input === undefined ? {} : { input: ask.input }),
    ...(ask.question === undefined ? {} : { question: ask.question }),
    ...(ask.output === undefined ? {} : { output: ask.output }),
    requestedAt,
    ...(timeout > 0 ? { expiresAt: requestedAt + timeout * 1000 } : {}),
  };
}

export class ApprovalDesk implements Approvals {
  readonly #options: ApprovalDeskOptions;
  readonly #pending = new Map<string, Pending>();

  constructor(options: ApprovalDeskOptions) {
    this.#options = options;
  }

  /**
   * Waits for a person's decision on `ask` (at once when the run's recording holds one).
   * @throws ApprovalTimeoutError when `timeoutSeconds` pass first (counted from the first request,
   *   across restarts); CancelledError when the signal aborts.
   *
   * @example
   * ```ts
   * const decision = await desk.request({ kind: 'tool', workflowId, agentId, taskId, key: callKey, tool: 'pay', input });
   * ```
   */
  async request(ask: ApprovalAsk): Promise<ApprovalDecision> {
    const { events, journal, now } = this.#options;
    const id = approvalId(ask.workflowId, ask.key);
    const recorded = journal?.lookupApproval(ask.workflowId, ask.key);
    if (recorded?.decision) return recorded.decision;
    if (ask.signal?.aborted) throw new CancelledError('the step was cancelled while waiting for approval');
    if (this.#pending.has(id)) throw new ConfigError('approval', `approval "${id}" is already pending`);
    const request = requestOf(ask, id, recorded?.request?.requestedAt ?? now());
    if (!recorded?.request) {
      try {
        // On disk before anyone is told: a process may exit while the person thinks.
        await journal?.recordApprovalRequest(ask.key, request);
      } catch {
        // The journal remembers the failed write and its runner cancels the run; the wait is cancelled with it.
      }
    }
    return new Promise<ApprovalDecision>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => settle(new CancelledError('the step was cancelled while waiting for approval'));
      const settle = (outcome: ApprovalDecision | Error): void => {
        if (!this.#pending.delete(id)) return;
        if (timer) clearTimeout(timer);
        ask.signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof Error) {
          if (outcome instanceof ApprovalTimeoutError) events.emit('approval.decided', { request, decision: null, timedOut: true });
          reject(outcome);
        } else resolve(outcome);
      };
      this.#pending.set(id, { request, key: ask.key, settle });
      ask.signal?.addEventListener('abort', onAbort, { once: true });
      if (request.expiresAt !== undefined) {
        const timeoutSeconds = ask.timeoutSeconds ?? 0;
        timer = setTimeout(() => settle(new ApprovalTimeoutError(id, timeoutSeconds)), Math.max(0, request.expiresAt - now()));
      }
      events.emit('approval.requested', { request });
    });
  }

  /** The id of the request at `key` in `workflowId` (see {@link approvalId}). */
  idOf(workflowId: string, key: string): string {
    return approvalId(workflowId, key);
  }

  list(): ApprovalRequest[] {
    return [...this.#pending.values()].map((pending) => pending.request).sort((a, b) => a.requestedAt - b.requestedAt);
  }

  get(id: string): ApprovalRequest | undefined {
    return this.#pending.get(id)?.request;
  }

  approve(id: string, options: { readonly note?: string } = {}): void {
    this.#decide(id, ['tool', 'task'], options.note === undefined ? { outcome: 'approved' } : { outcome: 'approved', note: options.note });
  }

  reject(id: string, options: { readonly reason: string; readonly retry?: boolean }): void {
    if (typeof options?.reason !== 'string' || options.reason.trim() === '') {
      throw new ConfigError('reason', 'a rejection needs a non-empty reason (the model or the task reads it)');
    }
    this.#decide(id, ['tool', 'question', 'task'], {
      outcome: 'rejected',
      reason: options.reason,
      ...(options.retry === true ? { retry: true } : {}),
    });
  }

  answer(id: string, text: string): void {
    if (typeof text !== 'string') throw new ConfigError('text', 'an answer must be a string');
    this.#decide(id, ['question'], { outcome: 'answered', text });
  }

  /** Cancels every wait (the orchestrator shuts down); the journal keeps them pending for a resume. */
  cancelAll(reason: string): void {
    for (const pending of [...this.#pending.values()]) pending.settle(new CancelledError(reason));
  }

  #decide(id: string, kinds: readonly ApprovalKind[], decision: ApprovalDecision): void {
    const pending = this.#pending.get(id);
    if (!pending) throw new ApprovalNotFoundError(id);
    if (!kinds.includes(pending.request.kind)) {
      throw new ApprovalNotFoundError(id, pending.request.kind === 'question' ? 'it is a question: answer it' : 'only questions are answered');
    }
    // Journaled before the step goes on: a crash right after still finds the decision.
    // A failed write is the journal's to report: it refuses later writes and the run is cancelled.
    this.#options.journal?.recordApprovalDecision(pending.key, pending.request, decision).catch(() => undefined);
    this.#options.events.emit('approval.decided', { request: pending.request, decision, timedOut: false });
    pending.settle(decision);
  }
}
