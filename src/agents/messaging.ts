/**
 * Agent communication, host side: consultations (`routeMessage`), broadcasts
 * and subscriptions. Consultations travel as `agent.consult` events through
 * the supervisor and come back, correlated by id, to the agent pool's inbox.
 * Broadcasts match subscriptions here (user functions stay out of actors), run
 * the callbacks and hand the agents one fan-out event for their memories.
 */
import type { AgentDescriptor } from '../protocols/agent.js';
import type { ConsultAnswer, ConsultRequest } from '../protocols/agent-runtime.js';
import type { AgentBroadcastEvent } from '../protocols/agent-protocol.js';
import {
  AgentNotFoundError,
  CancelledError,
  ConfigError,
  ConsultationCycleError,
  ConsultationTimeoutError,
  CrossAgentQueriesDisabledError,
  fromErrorData,
  ShutDownError,
  toErrorData,
} from '../protocols/errors/errors.js';
import type { ErrorData, TroupeError } from '../protocols/errors/errors.js';
import { EMPTY_USAGE } from '../protocols/model.js';
import type { TokenUsage } from '../protocols/model.js';
import { consultationRefusal } from '../actors/supervisor.js';
import type { AgentPool, ConsultationOutcome } from './pool.js';
import type { EventHub } from '../protocols/events.js';

/** A consultation message: `{ type: 'consultation', question, context }`. */
export interface ConsultationMessage {
  readonly type?: 'consultation';
  readonly question: string;
  /** The asker's context, shown to the answering agent. */
  readonly context?: unknown;
  /**
   * Agents already asking upstream, oldest first, when this question is asked
   * while answering another one. Used to refuse cycles and over-long chains.
   */
  readonly chain?: readonly string[];
}

export interface RouteMessageRequest {
  readonly fromAgent: string;
  readonly toAgent: string;
  /** The question, or a consultation message object. */
  readonly message: ConsultationMessage | string;
  /** How long to wait for the answer. Default: the orchestrator's agentTimeoutSeconds. */
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
}

/** The target's reply to a consultation. */
export interface ConsultationReply {
  /** The agent that answered. */
  readonly agentId: string;
  readonly answer: string;
  /** What answering cost (the answering agent's model call). */
  readonly usage: TokenUsage;
  readonly costCents: number;
}

/** A broadcast as a subscriber's callback receives it. */
export interface BroadcastMessage {
  readonly fromAgent: string;
  readonly eventType: string;
  readonly data: unknown;
  /** The subscribed agent this delivery is for. */
  readonly agentId: string;
  /** Position of this broadcast among all broadcasts of the orchestrator (1, 2, ...). */
  readonly sequence: number;
}

/**
 * A subscription callback. When it returns a promise, that subscription's next
 * delivery waits for it (and a rejection is reported like a throw).
 */
export type BroadcastCallback = (message: BroadcastMessage) => unknown;

export interface BroadcastRequest {
  readonly fromAgent: string;
  /** A dotted name such as `risk.alert`; no wildcards. */
  readonly eventType: string;
  readonly data?: unknown;
  /** Only subscribers whose descriptor passes receive it. */
  readonly subscriberFilter?: (agent: AgentDescriptor) => boolean;
}

export interface BroadcastReport {
  readonly eventType: string;
  readonly sequence: number;
  /** Subscribed agents that received it, each once. */
  readonly recipients: readonly string[];
  /** Callbacks that threw or rejected (each also a `broadcast.callback.failed` event). */
  readonly failures: number;
  /** With enableCrossAgentMemory: why the broadcast could not be kept in the context store. */
  readonly sharingError?: ErrorData;
}

export interface SubscribeRequest {
  readonly agentId: string;
  /** Exact names (`risk.alert`), prefixes (`risk.*`: every type starting with `risk.`) or `*` (all). */
  readonly eventTypes: readonly string[];
  /** Runs for every matching broadcast. Without one, the agent only gets the observations. */
  readonly callback?: BroadcastCallback;
}

export interface MessagingOptions {
  readonly pool: AgentPool;
  readonly events: EventHub;
  /** The orchestrator's `enableCrossAgentQueries`: off refuses every consultation. */
  readonly crossAgentQueries: boolean;
  readonly defaultTimeoutSeconds: number;
  readonly maxConsultationDepth: number;
  /** Keeps each broadcast in the context store for every agent's prompt (enableCrossAgentMemory). */
  readonly shareObservation?: (event: AgentBroadcastEvent) => Promise<void>;
}

interface Subscription {
  readonly agentId: string;
  readonly callback: BroadcastCallback | undefined;
  /** The last delivery still running (an async callback), so the next one waits for it. */
  tail: Promise<boolean> | undefined;
  /** Sequence of the last broadcast it matched, so overlapping patterns deliver once. */
  seen: number;
  active: boolean;
}

const NO_DESCRIPTOR_ROLE = '';

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && 'then' in value && typeof value.then === 'function';
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Rebuilds the typed error a consultation failed with, so callers can use `instanceof`. */
export function consultationErrorOf(data: ErrorData, request: { fromAgent: string; toAgent: string }): TroupeError {
  const details = data.details ?? {};
  switch (data.code) {
    case 'AGENT_NOT_FOUND':
      return new AgentNotFoundError(typeof details.agentId === 'string' ? details.agentId : request.toAgent);
    case 'CONSULTATION_CYCLE':
      return new ConsultationCycleError(stringList(details.chain), details.reason === 'depth' ? 'depth' : 'cycle');
    case 'CONSULTATION_TIMEOUT':
      return new ConsultationTimeoutError(request.fromAgent, request.toAgent, Number(details.timeoutSeconds ?? 0));
    case 'CROSS_AGENT_QUERIES_DISABLED':
      return new CrossAgentQueriesDisabledError(request.fromAgent);
    case 'CANCELLED':
      return new CancelledError(typeof details.reason === 'string' ? details.reason : data.message);
    case 'SHUT_DOWN':
      return new ShutDownError();
    default:
      return fromErrorData(data);
  }
}

/** Checks a subscription pattern; `*` may only stand alone or end a dotted prefix. */
function checkPattern(pattern: string): void {
  const star = pattern.indexOf('*');
  const valid = pattern !== '' && (star === -1 || pattern === '*' || (star === pattern.length - 1 && pattern.endsWith('.*') && pattern.length > 2));
  if (!valid) {
    throw new ConfigError('eventTypes', `"${pattern}" is not an event type: use a name, a prefix like "risk.*", or "*"`);
  }
}

/**
 * Consultations, broadcasts and subscriptions of one orchestrator.
 *
 * @example
 * ```ts
 * const messaging = new Messaging({ pool, events, crossAgentQueries: true, defaultTimeoutSeconds: 300, maxConsultationDepth: 4 });
 * const off = messaging.subscribe({ agentId: 'pm', eventTypes: ['risk.*'], callback: (m) => console.log(m.data) });
 * await messaging.broadcast({ fromAgent: 'researcher', eventType: 'risk.alert', data: { level: 'high' } });
 * const reply = await messaging.routeMessage({ fromAgent: 'analyst', toAgent: 'specialist', message: 'Is this sound?' });
 * off();
 * ```
 */
export class Messaging {
  readonly #options: MessagingOptions;
  /** Subscriptions by exact event type, by prefix (without `.*`), and to everything. */
  readonly #exact = new Map<string, Set<Subscription>>();
  readonly #prefix = new Map<string, Set<Subscription>>();
  readonly #all = new Set<Subscription>();
  #sequence = 0;

  constructor(options: MessagingOptions) {
    this.#options = options;
  }

  /**
   * Asks `toAgent` a question on behalf of `fromAgent` and resolves with its reply.
   * @throws AgentNotFoundError when `toAgent` is not live; ConsultationCycleError for a
   * cycle or a chain past the maximum depth; CrossAgentQueriesDisabledError;
   * ConsultationTimeoutError; CancelledError when `signal` aborts; ConfigError
   * for a `timeoutSeconds` that is not a positive finite number.
   */
  async routeMessage(request: RouteMessageRequest): Promise<ConsultationReply> {
    const { timeoutSeconds } = request;
    if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
      // setTimeout would fire at once for Infinity or NaN, and never wait for 0.
      throw new ConfigError('timeoutSeconds', `must be a positive number of seconds, got ${String(timeoutSeconds)}`);
    }
    const message: ConsultationMessage = typeof request.message === 'string' ? { question: request.message } : request.message;
    const upstream = message.chain ?? [];
    const chain = upstream[upstream.length - 1] === request.fromAgent ? upstream : [...upstream, request.fromAgent];
    return this.#consult({
      fromAgent: request.fromAgent,
      toAgent: request.toAgent,
      question: message.question,
      context: message.context,
      chain,
      timeoutSeconds: request.timeoutSeconds ?? this.#options.defaultTimeoutSeconds,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  }

  /** The agents' `consult` service: a `consult_agent` tool call, routed like `routeMessage`. */
  consultForAgent(request: ConsultRequest): Promise<ConsultAnswer> {
    return this.#consult({ ...request, timeoutSeconds: this.#timeoutFor(request.fromAgent) });
  }

  /**
   * Sends `data` to every subscription matching `eventType` (except the
   * sender's own) whose agent passes `subscriberFilter`: callbacks run, and the
   * subscribed agents get it as an observation in their memory. Resolves when
   * every callback has settled.
   */
  broadcast(request: BroadcastRequest): Promise<BroadcastReport> {
    const { fromAgent, eventType, data, subscriberFilter } = request;
    if (eventType === '' || eventType.includes('*')) {
      throw new ConfigError('eventType', `"${eventType}" is not an event type: a broadcast names one type, without wildcards`);
    }
    const sequence = ++this.#sequence;
    const recipients: string[] = [];
    const accepted = new Map<string, boolean>();
    const running: Promise<boolean>[] = [];
    let failures = 0;
    const deliver = (subscription: Subscription): void => {
      if (!subscription.active || subscription.seen === sequence || subscription.agentId === fromAgent) return;
      subscription.seen = sequence;
      let passes = accepted.get(subscription.agentId);
      if (passes === undefined) {
        passes = this.#passes(subscription.agentId, subscriberFilter, fromAgent, eventType);
        accepted.set(subscription.agentId, passes);
        if (passes) recipients.push(subscription.agentId);
      }
      if (!passes || !subscription.callback) return;
      const outcome = this.#run(subscription, { fromAgent, eventType, data, agentId: subscription.agentId, sequence });
      if (outcome === false) failures++;
      else if (outcome !== true) running.push(outcome);
    };
    const exact = this.#exact.get(eventType);
    if (exact) for (const subscription of exact) deliver(subscription);
    for (let dot = eventType.indexOf('.'); dot !== -1; dot = eventType.indexOf('.', dot + 1)) {
      const prefixed = this.#prefix.get(eventType.slice(0, dot));
      if (prefixed) for (const subscription of prefixed) deliver(subscription);
    }
    for (const subscription of this.#all) deliver(subscription);

    const event: AgentBroadcastEvent = { type: 'agent.broadcast', fromAgent, eventType, data };
    if (recipients.length > 0) this.#options.pool.observe(recipients, event);
    const { shareObservation } = this.#options;
    const sharing = shareObservation
      ? shareObservation(event).then(
          () => undefined,
          (error: unknown) => toErrorData(error),
        )
      : undefined;
    if (running.length === 0 && !sharing) return Promise.resolve({ eventType, sequence, recipients, failures });
    return Promise.all([Promise.all(running), sharing]).then(([results, sharingError]) => ({
      eventType,
      sequence,
      recipients,
      failures: failures + results.filter((ok) => !ok).length,
      ...(sharingError ? { sharingError } : {}),
    }));
  }

  /**
   * Subscribes an agent to event types; returns the unsubscribe function.
   * @throws ConfigError for a malformed pattern.
   */
  subscribe(request: SubscribeRequest): () => void {
    if (request.eventTypes.length === 0) throw new ConfigError('eventTypes', 'subscribe to at least one event type');
    for (const pattern of request.eventTypes) checkPattern(pattern);
    const subscription: Subscription = { agentId: request.agentId, callback: request.callback, tail: undefined, seen: 0, active: true };
    const sets: Set<Subscription>[] = [];
    for (const pattern of new Set(request.eventTypes)) {
      if (pattern === '*') {
        sets.push(this.#all);
        continue;
      }
      const [index, key] = pattern.endsWith('.*') ? [this.#prefix, pattern.slice(0, -2)] : [this.#exact, pattern];
      let set = index.get(key);
      if (!set) index.set(key, (set = new Set()));
      sets.push(set);
    }
    for (const set of sets) set.add(subscription);
    return () => {
      subscription.active = false;
      for (const set of sets) set.delete(subscription);
    };
  }

  /** Forgets every subscription (shutdown). */
  clear(): void {
    for (const index of [this.#exact, this.#prefix]) {
      for (const set of index.values()) for (const subscription of set) subscription.active = false;
      index.clear();
    }
    for (const subscription of this.#all) subscription.active = false;
    this.#all.clear();
  }

  async #consult(request: {
    fromAgent: string;
    toAgent: string;
    question: string;
    context?: unknown;
    chain: readonly string[];
    timeoutSeconds: number;
    signal?: AbortSignal;
    workflowId?: string;
    taskId?: string;
    callKey?: string;
  }): Promise<ConsultationReply> {
    const { pool, events } = this.#options;
    const refusal = this.#refusal(request.fromAgent, request.toAgent, request.chain);
    const outcome: ConsultationOutcome = refusal
      ? { ok: false, error: toErrorData(refusal), usage: EMPTY_USAGE, costCents: 0 }
      : await pool.consult(request);
    if (events.has('consultation.finished')) {
      events.emit('consultation.finished', {
        fromAgent: request.fromAgent,
        toAgent: request.toAgent,
        ok: outcome.ok,
        costCents: outcome.costCents,
        ...(outcome.ok ? {} : { error: outcome.error }),
      });
    }
    if (!outcome.ok) throw consultationErrorOf(outcome.error, request);
    return { agentId: outcome.agentId, answer: outcome.answer, usage: outcome.usage, costCents: outcome.costCents };
  }

  /** Refusals decided before anything is sent (the supervisor checks the chain again for actors). */
  #refusal(fromAgent: string, toAgent: string, chain: readonly string[]): Error | undefined {
    if (!this.#options.crossAgentQueries || this.#options.pool.get(fromAgent)?.config.enableCrossAgentQueries === false) {
      return new CrossAgentQueriesDisabledError(fromAgent);
    }
    return consultationRefusal(toAgent, chain, this.#options.maxConsultationDepth);
  }

  /** An agent's consultations wait as long as its own deadline. */
  #timeoutFor(agentId: string): number {
    return this.#options.pool.get(agentId)?.config.timeoutSeconds ?? this.#options.defaultTimeoutSeconds;
  }

  #passes(
    agentId: string,
    filter: BroadcastRequest['subscriberFilter'],
    fromAgent: string,
    eventType: string,
  ): boolean {
    if (!filter) return true;
    const descriptor: AgentDescriptor = this.#options.pool.get(agentId)?.descriptor ?? {
      id: agentId,
      role: NO_DESCRIPTOR_ROLE,
      template: '',
      tags: [],
    };
    try {
      return filter(descriptor) === true;
    } catch (error) {
      this.#report(fromAgent, eventType, agentId, error);
      return false;
    }
  }

  /**
   * Runs one callback: `true`/`false` when it finished synchronously (ok or
   * threw), a promise of that when it is async. A subscription whose previous
   * async callback is still running queues behind it, so each subscriber sees
   * one sender's broadcasts in the order they were sent.
   */
  #run(subscription: Subscription, message: BroadcastMessage): boolean | Promise<boolean> {
    const call = (): boolean | Promise<boolean> => {
      const callback = subscription.callback;
      if (!callback) return true;
      try {
        const result = callback(message);
        if (!isPromiseLike(result)) return true;
        return Promise.resolve(result).then(
          () => true,
          (error: unknown) => this.#report(message.fromAgent, message.eventType, message.agentId, error),
        );
      } catch (error) {
        return this.#report(message.fromAgent, message.eventType, message.agentId, error);
      }
    };
    const outcome = subscription.tail ? subscription.tail.then(call) : call();
    if (typeof outcome === 'boolean') return outcome;
    subscription.tail = outcome;
    void outcome.then(() => {
      if (subscription.tail === outcome) subscription.tail = undefined;
    });
    return outcome;
  }

  #report(fromAgent: string, eventType: string, agentId: string, error: unknown): false {
    this.#options.events.emit('broadcast.callback.failed', { fromAgent, eventType, agentId, error: toErrorData(error) });
    return false;
  }
}
