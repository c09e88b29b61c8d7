/**
 * Workers' events on the coordinator: a worker forwards the model-call and
 * budget events its tasks raise (`model.call.finished`, `model.call.failed`,
 * `budget.exceeded`, `budget.overrun`) over Redis pub/sub, tagged with its
 * worker id, and the coordinator re-emits them on its own EventHub, so
 * metrics, alerts, logs and the dashboard count every worker's calls and
 * cost. Per-token `model.delta` events and `model.call.detail` (prompt text)
 * never leave the worker.
 *
 * Pub/sub is at most once: a message published while the coordinator is not
 * subscribed (not yet wired, or reconnecting) is lost. The budget's books
 * in Redis stay exact either way (see coordinator-budget.ts).
 */
import type { ErrorData } from '../protocols/errors/errors.js';
import type { EventHub, TroupeEventMap } from '../protocols/events.js';
import type { ModelCallPurpose } from '../protocols/gateway.js';
import type { TokenUsage } from '../protocols/model.js';
import { isErrorData } from './task-job.js';

/** The event types a worker forwards to its coordinator. */
export const FORWARDED_EVENT_TYPES = ['model.call.finished', 'model.call.failed', 'budget.exceeded', 'budget.overrun'] as const;

export type ForwardedEventType = (typeof FORWARDED_EVENT_TYPES)[number];

/** One forwarded event, as the coordinator re-emits it. */
export type ForwardedEvent = {
  [K in ForwardedEventType]: { readonly type: K; readonly payload: TroupeEventMap[K] };
}[ForwardedEventType];

/** The message kind on the events channel (the other kind is a `worker.task` report). */
const KIND = 'event';

/**
 * Publishes the worker's forwarded events; returns the function that stops it.
 *
 * @example
 * ```ts
 * const stop = forwardWorkerEvents(orchestrator.events, workerId, (text) => void redis.publish(channel, text));
 * ```
 */
export function forwardWorkerEvents(events: EventHub, workerId: string, publish: (message: string) => void): () => void {
  const send = (type: ForwardedEventType, payload: object): void => {
    publish(JSON.stringify({ kind: KIND, workerId, type, payload: { ...payload, workerId } }));
  };
  const offs = [
    events.on('model.call.finished', ({ type, ...payload }) => send(type, payload)),
    events.on('model.call.failed', ({ type, ...payload }) => send(type, payload)),
    events.on('budget.exceeded', ({ type, ...payload }) => send(type, payload)),
    events.on('budget.overrun', ({ type, ...payload }) => send(type, payload)),
  ];
  return () => {
    for (const off of offs) off();
  };
}

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PURPOSES: readonly ModelCallPurpose[] = ['thinking', 'acting', 'reflecting', 'alternative', 'consultation', 'summary', 'compaction', 'tool_loop'];

function purposeOf(value: unknown): ModelCallPurpose | undefined {
  return PURPOSES.find((purpose) => purpose === value);
}

function usageOf(value: unknown): TokenUsage | undefined {
  if (!isFields(value)) return undefined;
  const [inputTokens, outputTokens, thinkingTokens, cacheReadTokens, cacheWriteTokens] = [
    value.inputTokens,
    value.outputTokens,
    value.thinkingTokens,
    value.cacheReadTokens,
    value.cacheWriteTokens,
  ];
  if (
    typeof inputTokens !== 'number' ||
    typeof outputTokens !== 'number' ||
    typeof thinkingTokens !== 'number' ||
    typeof cacheReadTokens !== 'number' ||
    typeof cacheWriteTokens !== 'number'
  ) {
    return undefined;
  }
  return { inputTokens, outputTokens, thinkingTokens, cacheReadTokens, cacheWriteTokens };
}

/** A payload's optional field, kept only when well typed. */
function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The run ids and request settings of a call event, those present. */
function callContext(p: Fields): { taskId?: string; workflowId?: string; requestModel?: string; temperature?: number; maxTokens?: number } {
  const [taskId, workflowId, requestModel] = [optionalString(p.taskId), optionalString(p.workflowId), optionalString(p.requestModel)];
  const [temperature, maxTokens] = [optionalNumber(p.temperature), optionalNumber(p.maxTokens)];
  return {
    ...(taskId === undefined ? {} : { taskId }),
    ...(workflowId === undefined ? {} : { workflowId }),
    ...(requestModel === undefined ? {} : { requestModel }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
  };
}

function str(value: unknown): value is string {
  return typeof value === 'string';
}

function num(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function callFinished(p: Fields, workerId: string): TroupeEventMap['model.call.finished'] | undefined {
  const purpose = purposeOf(p.purpose);
  const usage = usageOf(p.usage);
  const { callId, agentId, provider, model, costCents, durationMs, simulated, replayed } = p;
  if (!str(callId) || !str(agentId) || !purpose || !str(provider) || !str(model) || !usage) return undefined;
  if (!num(costCents) || !num(durationMs) || typeof simulated !== 'boolean' || typeof replayed !== 'boolean') return undefined;
  const stopReason = optionalString(p.stopReason);
  return { ...callContext(p), ...(stopReason === undefined ? {} : { stopReason }), callId, agentId, purpose, provider, model, usage, costCents, durationMs, simulated, replayed, workerId };
}

function callFailed(p: Fields, workerId: string): TroupeEventMap['model.call.failed'] | undefined {
  const purpose = purposeOf(p.purpose);
  const { callId, agentId, provider, model, durationMs, error } = p;
  if (!str(callId) || !str(agentId) || !purpose || !str(provider) || !str(model) || !num(durationMs) || !isErrorData(error)) return undefined;
  return { ...callContext(p), callId, agentId, purpose, provider, model, durationMs, error, workerId };
}

function budgetExceeded(p: Fields, workerId: string): TroupeEventMap['budget.exceeded'] | undefined {
  const { agentId, limit, error } = p;
  if (!str(agentId) || !str(limit) || !isErrorData(error)) return undefined;
  const data: ErrorData = error;
  return { agentId, limit, error: data, workerId };
}

function budgetOverrun(p: Fields, workerId: string): TroupeEventMap['budget.overrun'] | undefined {
  const usage = usageOf(p.usage);
  const { callId, agentId, provider, model, allowed, reservedCents, chargedCents, overrunCents, closedLimits } = p;
  if (!str(callId) || !str(agentId) || !str(provider) || !str(model) || !usage || !isFields(allowed)) return undefined;
  const { inputTokens, outputTokens } = allowed;
  if (!num(inputTokens) || !num(outputTokens) || !num(reservedCents) || !num(chargedCents) || !num(overrunCents)) return undefined;
  if (!Array.isArray(closedLimits) || !closedLimits.every(str)) return undefined;
  const { taskId, workflowId } = callContext(p);
  return {
    ...(taskId === undefined ? {} : { taskId }),
    ...(workflowId === undefined ? {} : { workflowId }),
    callId,
    agentId,
    provider,
    model,
    usage,
    allowed: { inputTokens, outputTokens },
    reservedCents,
    chargedCents,
    overrunCents,
    closedLimits,
    workerId,
  };
}

/**
 * A forwarded event from a message on the events channel; undefined for a
 * message of the other kind, or a malformed one (dropped, never thrown).
 */
export function decodeWorkerEvent(message: unknown): ForwardedEvent | undefined {
  if (!isFields(message) || message.kind !== KIND || !str(message.workerId) || !isFields(message.payload)) return undefined;
  const { workerId, payload } = message;
  switch (message.type) {
    case 'model.call.finished': {
      const decoded = callFinished(payload, workerId);
      return decoded && { type: 'model.call.finished', payload: decoded };
    }
    case 'model.call.failed': {
      const decoded = callFailed(payload, workerId);
      return decoded && { type: 'model.call.failed', payload: decoded };
    }
    case 'budget.exceeded': {
      const decoded = budgetExceeded(payload, workerId);
      return decoded && { type: 'budget.exceeded', payload: decoded };
    }
    case 'budget.overrun': {
      const decoded = budgetOverrun(payload, workerId);
      return decoded && { type: 'budget.overrun', payload: decoded };
    }
    default:
      return undefined;
  }
}

/** Emits a decoded forwarded event on the coordinator's hub. */
export function emitWorkerEvent(events: EventHub, event: ForwardedEvent): void {
  switch (event.type) {
    case 'model.call.finished':
      return events.emit(event.type, event.payload);
    case 'model.call.failed':
      return events.emit(event.type, event.payload);
    case 'budget.exceeded':
      return events.emit(event.type, event.payload);
    case 'budget.overrun':
      return events.emit(event.type, event.payload);
  }
}
