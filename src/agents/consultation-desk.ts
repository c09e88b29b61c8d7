/**
 * The host side of consultations: questions routed to agents, correlated by
 * request id, each settled exactly once by the answer, its timeout, an abort,
 * the target's stop, or shutdown. Like task outcomes, consultations never
 * reject: the caller always learns what answering cost.
 */
import type { AgentConsultEvent, ConsultReplyEvent } from '../protocols/agent-protocol.js';
import { CancelledError, ConsultationTimeoutError, toErrorData } from '../protocols/errors/errors.js';
import type { ErrorData } from '../protocols/errors/errors.js';
import { EMPTY_USAGE } from '../protocols/model.js';
import type { TokenUsage } from '../protocols/model.js';

/** A consultation to route: who asks whom what, and how long to wait. */
export interface ConsultationRequest {
  readonly fromAgent: string;
  readonly toAgent: string;
  readonly question: string;
  readonly context?: unknown;
  /** Askers in this chain, oldest first, ending with `fromAgent`. */
  readonly chain: readonly string[];
  readonly timeoutSeconds: number;
  readonly signal?: AbortSignal;
  /** The asking task's run, task and call key (see AgentConsultEvent). */
  readonly workflowId?: string;
  readonly taskId?: string;
  readonly callKey?: string;
}

/** A failure, as both task and consultation outcomes carry it: nothing spent. */
export interface FailedOutcome {
  readonly ok: false;
  readonly error: ErrorData;
  readonly usage: TokenUsage;
  readonly costCents: number;
}

/** How a consultation ended. */
export type ConsultationOutcome =
  | {
      readonly ok: true;
      readonly agentId: string;
      readonly answer: string;
      readonly usage: TokenUsage;
      readonly costCents: number;
    }
  | FailedOutcome;

/** The outcome of a call that failed before anything was spent. */
export function failedOutcome(error: Error): FailedOutcome {
  return { ok: false, error: toErrorData(error), usage: EMPTY_USAGE, costCents: 0 };
}

interface PendingConsultation {
  readonly toAgent: string;
  readonly settle: (outcome: ConsultationOutcome) => void;
}

/**
 * @example
 * ```ts
 * const desk = new ConsultationDesk((toAgent, event) => supervisor.send({ type: 'supervisor.deliver', agentId: toAgent, event }));
 * const outcome = await desk.open({ fromAgent: 'a', toAgent: 'b', question: 'Sound?', chain: ['a'], timeoutSeconds: 30 }, inbox);
 * // where the inbox receives agent.consult.reply: desk.answer(reply)
 * ```
 */
export class ConsultationDesk {
  readonly #send: (toAgent: string, event: AgentConsultEvent) => void;
  readonly #pending = new Map<string, PendingConsultation>();
  #counter = 0;

  /** `send` delivers the `agent.consult` event to its target (through the supervisor). */
  constructor(send: (toAgent: string, event: AgentConsultEvent) => void) {
    this.#send = send;
  }

  /**
   * Sends the question and resolves with its outcome; past `timeoutSeconds`
   * it fails with ConsultationTimeoutError and a late answer is dropped.
   */
  open(request: ConsultationRequest, replyTo: AgentConsultEvent['replyTo']): Promise<ConsultationOutcome> {
    const requestId = `consult_${++this.#counter}`;
    return new Promise<ConsultationOutcome>((resolve) => {
      const { signal } = request;
      const settle = (outcome: ConsultationOutcome): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(requestId);
        resolve(outcome);
      };
      const onAbort = (): void => settle(failedOutcome(new CancelledError(`consultation of "${request.toAgent}" was aborted`)));
      const timer = setTimeout(
        () => settle(failedOutcome(new ConsultationTimeoutError(request.fromAgent, request.toAgent, request.timeoutSeconds))),
        request.timeoutSeconds * 1000,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(requestId, { toAgent: request.toAgent, settle });
      this.#send(request.toAgent, {
        type: 'agent.consult',
        requestId,
        fromAgent: request.fromAgent,
        question: request.question,
        ...(request.context === undefined ? {} : { context: request.context }),
        chain: request.chain,
        ...(replyTo ? { replyTo } : {}),
        ...(request.workflowId === undefined ? {} : { workflowId: request.workflowId }),
        ...(request.taskId === undefined ? {} : { taskId: request.taskId }),
        ...(request.callKey === undefined ? {} : { callKey: request.callKey }),
      });
    });
  }

  /** Settles the consultation an agent answered; an answer after its timeout or abort is dropped. */
  answer(event: ConsultReplyEvent): void {
    const pending = this.#pending.get(event.requestId);
    if (!pending) return;
    const { usage, costCents } = event;
    if (event.error) {
      pending.settle({ ok: false, error: event.error, usage, costCents });
      return;
    }
    pending.settle({ ok: true, agentId: event.agentId, answer: event.answer ?? '', usage, costCents });
  }

  /**
   * Fails the consultations asked of `toAgent` (every one when undefined):
   * they will not be answered. `makeError` runs only if one waits (an Error's
   * stack trace costs µs on every agent stop).
   */
  failWaiting(makeError: () => Error, toAgent?: string): void {
    let error: Error | undefined;
    for (const pending of [...this.#pending.values()]) {
      if (toAgent !== undefined && pending.toAgent !== toAgent) continue;
      pending.settle(failedOutcome((error ??= makeError())));
    }
  }
}
