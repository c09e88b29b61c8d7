/**
 * The events link: reports every call that leaves an agent as
 * `model.call.finished` or `model.call.failed` (with `model.call.detail` while
 * debug mode wants prompts). Metrics, the dashboard and OpenTelemetry tracing
 * all subscribe to these events, so one report serves them all.
 */
import { nanoid } from 'nanoid';
import { toErrorData } from '../../protocols/errors/errors.js';
import type { ModelCall, ModelCallInterceptor, ModelCallOutcome } from '../../protocols/gateway.js';
import type { EventHub } from '../../protocols/events.js';

/**
 * The events link over `events`, timed by `now`.
 *
 * @example
 * ```ts
 * const link = eventsInterceptor(hub, Date.now);
 * ```
 */
export function eventsInterceptor(events: EventHub, now: () => number): ModelCallInterceptor {
  return async (call, next) => {
    const started = now();
    let outcome: ModelCallOutcome;
    try {
      outcome = await next(call);
    } catch (error) {
      if (events.has('model.call.failed')) {
        events.emit('model.call.failed', {
          callId: `call_${nanoid(12)}`,
          ...callFields(call),
          model: call.request.model,
          error: toErrorData(error),
          durationMs: now() - started,
          ...requestSettings(call),
        });
      }
      throw error;
    }
    const durationMs = outcome.replayed === true ? 0 : now() - started;
    if (events.has('model.call.finished')) {
      events.emit('model.call.finished', {
        callId: outcome.callId,
        ...callFields(call),
        model: outcome.response.model,
        usage: outcome.response.usage,
        costCents: outcome.costCents,
        durationMs,
        simulated: outcome.response.simulated === true,
        replayed: outcome.replayed === true,
        ...requestSettings(call),
        stopReason: outcome.response.stopReason,
      });
    }
    if (outcome.replayed !== true && events.has('model.call.detail')) {
      const { signal: _signal, ...request } = call.request;
      events.emit('model.call.detail', {
        callId: outcome.callId,
        ...callFields(call),
        request,
        response: outcome.response,
        costCents: outcome.costCents,
        durationMs,
      });
    }
    return outcome;
  };
}

/** Who made the call, and for which task and run. */
function callFields(call: ModelCall): { agentId: string; purpose: ModelCall['purpose']; provider: string; taskId?: string; workflowId?: string } {
  return {
    agentId: call.agentId,
    purpose: call.purpose,
    provider: call.provider,
    ...(call.taskId === undefined ? {} : { taskId: call.taskId }),
    ...(call.workflowId === undefined ? {} : { workflowId: call.workflowId }),
  };
}

/** The requested model and sampling settings (for GenAI trace attributes); never prompt text. */
function requestSettings(call: ModelCall): { requestModel: string; temperature?: number; maxTokens: number } {
  const { model, temperature, maxTokens } = call.request;
  return { requestModel: model, maxTokens, ...(temperature === undefined ? {} : { temperature }) };
}
