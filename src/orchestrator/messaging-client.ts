/**
 * The messaging capability of the Orchestrator (`orchestrator.messaging`):
 * consultations between agents, broadcasts and subscriptions. The flat
 * names (`routeMessage`, `broadcast`, `subscribe`) call these.
 */
import type { BroadcastReport, BroadcastRequest, ConsultationReply, RouteMessageRequest, SubscribeRequest } from '../agents/messaging.js';
import { checkBroadcast, checkRouteMessage, checkSubscribe } from './api-arguments.js';
import type { Runtime } from './runtime.js';

/**
 * Messages between agents.
 *
 * @example
 * ```ts
 * const off = orchestrator.messaging.subscribe({ agentId: 'pm', eventTypes: ['risk.*'], callback: console.log });
 * await orchestrator.messaging.broadcast({ fromAgent: 'analyst', eventType: 'risk.high', data: { score: 0.9 } });
 * off();
 * ```
 */
export class MessagingClient {
  readonly #runtime: Runtime;
  readonly #assertOpen: () => void;

  /** @internal Built by the Orchestrator. */
  constructor(runtime: Runtime, assertOpen: () => void) {
    this.#runtime = runtime;
    this.#assertOpen = assertOpen;
  }

  /**
   * Asks `toAgent` a question on behalf of `fromAgent` and resolves with its
   * reply. The question travels through the supervisor to the target's actor,
   * which answers in any state (a model call with the question and the
   * sender's context, or a custom machine's own answer).
   * @throws AgentNotFoundError (no live `toAgent`), ConsultationCycleError (a
   * cycle or a chain past the maximum depth), CrossAgentQueriesDisabledError,
   * ConsultationTimeoutError, CancelledError.
   * @example
   * ```ts
   * const reply = await orchestrator.routeMessage({
   *   fromAgent: 'analyst',
   *   toAgent: 'domain_specialist',
   *   message: { type: 'consultation', question: 'Please review this analysis', context: { draft } },
   * });
   * console.log(reply.answer, reply.costCents);
   * ```
   */
  async route(request: RouteMessageRequest): Promise<ConsultationReply> {
    this.#assertOpen();
    checkRouteMessage(request);
    return this.#runtime.messaging.routeMessage(request);
  }

  /**
   * Broadcasts an event to the subscriptions that match `eventType` (exactly or
   * by prefix, `risk.*`) and pass `subscriberFilter`: their callbacks run, and
   * each subscribed agent gets it as an observation in its memory (kept for
   * stopped agents until they respawn). A throwing callback is reported as a
   * `broadcast.callback.failed` event and does not stop the others.
   * @example
   * ```ts
   * await orchestrator.broadcast({
   *   fromAgent: 'researcher',
   *   eventType: 'discovery',
   *   data: { finding: 'New market opportunity identified', confidence: 0.9, impact: 'high' },
   *   subscriberFilter: (agent) => agent.role.includes('analyst'),
   * });
   * ```
   */
  async broadcast(request: BroadcastRequest): Promise<BroadcastReport> {
    this.#assertOpen();
    checkBroadcast(request);
    return this.#runtime.messaging.broadcast(request);
  }

  /**
   * Subscribes an agent to event types (`discovery`, `risk.*`, `*`); returns
   * the unsubscribe function.
   * @example
   * ```ts
   * const unsubscribe = orchestrator.subscribe({
   *   agentId: 'portfolio_manager',
   *   eventTypes: ['discovery', 'risk_alert'],
   *   callback: (event) => console.log(event.fromAgent, event.eventType, event.data),
   * });
   * ```
   */
  subscribe(request: SubscribeRequest): () => void {
    this.#assertOpen();
    checkSubscribe(request);
    return this.#runtime.messaging.subscribe(request);
  }
}
