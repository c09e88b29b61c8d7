/**
 * The system's ModelGateway: every agent model call passes here. It resolves
 * the provider, reserves the call's worst-case cost against the budget before
 * calling, prices the real usage after, and reports the call to listeners
 * (metrics, tracing, journal). One place, so no call escapes a limit or a record.
 */
import { nanoid } from 'nanoid';
import { ConfigError, toErrorData } from '../protocols/errors.js';
import type { ModelCall, ModelCallOutcome, ModelGateway } from '../protocols/gateway.js';
import type { ModelProvider, ModelResponse } from '../protocols/model.js';
import type { ModelPrice, PriceTable } from '../protocols/pricing.js';
import { costOfUsage, findPrice } from '../providers/model-prices.js';
import type { BudgetLedger } from './budget.js';
import { estimateWorstCaseCents } from './budget.js';
import type { EventHub } from '../protocols/events.js';

/** Reuses or records model responses by call key (journal, replay). */
export interface CallRecorder {
  /** A recorded response for this call, to use instead of calling the model. */
  lookup?(call: ModelCall): { response: ModelResponse; costCents: number } | undefined;
  /** Called with every fresh response before the gateway returns it. */
  record?(call: ModelCall, outcome: ModelCallOutcome): void;
  /** Called with every failed model call (provider error or abort) before the gateway rethrows it. */
  recordFailure?(call: ModelCall, error: unknown): void;
}

export interface GatewayOptions {
  /** Provider by name. */
  readonly resolveProvider: (name: string) => ModelProvider;
  readonly prices: PriceTable;
  /** Cost limits; with a limit set, a model of unknown price is refused. */
  readonly budget?: BudgetLedger;
  readonly events?: EventHub;
  readonly recorder?: CallRecorder;
  readonly now?: () => number;
}

/**
 * Creates the gateway.
 *
 * @example
 * ```ts
 * const gateway = createModelGateway({ resolveProvider: () => simulated, prices: DEFAULT_PRICES });
 * const { response, costCents } = await gateway.call({ agentId: 'a', purpose: 'acting', provider: 'simulated', request });
 * ```
 */
export function createModelGateway(options: GatewayOptions): ModelGateway {
  const now = options.now ?? Date.now;
  const priceCache = new Map<string, ModelPrice | undefined>();
  const priceOf = (model: string): ModelPrice | undefined => {
    if (!priceCache.has(model)) priceCache.set(model, findPrice(model, options.prices));
    return priceCache.get(model);
  };

  return {
    async call(call) {
      const recorded = options.recorder?.lookup?.(call);
      if (recorded) {
        const outcome: ModelCallOutcome = { ...recorded, callId: `replay_${nanoid(10)}`, replayed: true };
        report(options.events, call, outcome, 0);
        return outcome;
      }
      // Resolved before reserving: an unknown provider or a missing key throws here, with nothing held.
      const provider = options.resolveProvider(call.provider);
      // A provider's own price (an adapter wrapping one model) beats the table's entry for the name.
      const price = provider.price ?? priceOf(call.request.model);
      if (!price && options.budget?.isLimited) {
        throw new ConfigError(
          'pricing',
          `no price is known for model "${call.request.model}", so cost limits cannot be enforced; add it under "pricing"`,
        );
      }
      // Reserve the worst case before calling: spent can then never pass a limit.
      const hold =
        price && options.budget
          ? options.budget.reserve({ agentId: call.agentId, requestedCents: estimateWorstCaseCents(call.request, price) })
          : undefined;
      const started = now();
      const callId = `call_${nanoid(12)}`;
      let response: ModelResponse;
      try {
        response = await provider.complete(call.request);
      } catch (error) {
        hold?.release();
        options.recorder?.recordFailure?.(call, error);
        if (options.events?.has('model.call.failed')) {
          options.events.emit('model.call.failed', {
            callId,
            agentId: call.agentId,
            purpose: call.purpose,
            provider: call.provider,
            model: call.request.model,
            ...(call.taskId === undefined ? {} : { taskId: call.taskId }),
            ...(call.workflowId === undefined ? {} : { workflowId: call.workflowId }),
            error: toErrorData(error),
            durationMs: now() - started,
            ...requestSettings(call),
          });
        }
        throw error;
      }
      let costCents: number;
      try {
        costCents = price ? costOfUsage(response.usage, price) : 0;
        hold?.settle(costCents);
      } finally {
        // A no-op after settle; frees the hold when the usage could not be priced (settle threw).
        hold?.release();
      }
      const outcome: ModelCallOutcome = { response, costCents, callId };
      options.recorder?.record?.(call, outcome);
      const durationMs = now() - started;
      report(options.events, call, outcome, durationMs);
      reportDetail(options.events, call, outcome, durationMs);
      return outcome;
    },
  };
}

function report(events: EventHub | undefined, call: ModelCall, outcome: ModelCallOutcome, durationMs: number): void {
  if (!events?.has('model.call.finished')) return;
  events.emit('model.call.finished', {
    callId: outcome.callId,
    agentId: call.agentId,
    purpose: call.purpose,
    provider: call.provider,
    model: outcome.response.model,
    ...(call.taskId === undefined ? {} : { taskId: call.taskId }),
    ...(call.workflowId === undefined ? {} : { workflowId: call.workflowId }),
    usage: outcome.response.usage,
    costCents: outcome.costCents,
    durationMs,
    simulated: outcome.response.simulated === true,
    replayed: outcome.replayed === true,
    ...requestSettings(call),
    stopReason: outcome.response.stopReason,
  });
}

/** The requested model and sampling settings (for GenAI trace attributes); never prompt text. */
function requestSettings(call: ModelCall): { requestModel: string; temperature?: number; maxTokens: number } {
  const { model, temperature, maxTokens } = call.request;
  return { requestModel: model, maxTokens, ...(temperature === undefined ? {} : { temperature }) };
}

/** The call's request and response, only while a debug listener wants them (they carry prompt text). */
function reportDetail(events: EventHub | undefined, call: ModelCall, outcome: ModelCallOutcome, durationMs: number): void {
  if (!events?.has('model.call.detail')) return;
  const { signal: _signal, ...request } = call.request;
  events.emit('model.call.detail', {
    callId: outcome.callId,
    agentId: call.agentId,
    purpose: call.purpose,
    provider: call.provider,
    ...(call.taskId === undefined ? {} : { taskId: call.taskId }),
    ...(call.workflowId === undefined ? {} : { workflowId: call.workflowId }),
    request,
    response: outcome.response,
    costCents: outcome.costCents,
    durationMs,
  });
}
