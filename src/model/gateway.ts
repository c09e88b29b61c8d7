/**
 * The system's ModelGateway: every agent model call passes here. It resolves
 * the provider, reserves the call's worst-case cost against the budget before
 * calling, prices the real usage after, and reports the call to listeners
 * (metrics, tracing, journal). One place, so no call escapes a limit or a record.
 *
 * A response whose usage passes what its request allowed (more output than
 * `maxTokens` plus the thinking budget, or more input than the request's upper
 * bound) is charged as reported, reported as a `budget.overrun` event, and
 * closes the limits it was held against (see BudgetLedger).
 */
import { nanoid } from 'nanoid';
import { roundCents } from '../protocols/cents.js';
import { ConfigError, ProviderError, toErrorData } from '../protocols/errors.js';
import type { ModelCall, ModelCallOutcome, ModelGateway } from '../protocols/gateway.js';
import { EMPTY_USAGE, effectiveThinkingBudget } from '../protocols/model.js';
import type { ModelProvider, ModelRequest, ModelResponse, TokenUsage } from '../protocols/model.js';
import type { ModelPrice, PriceTable } from '../protocols/pricing.js';
import { costOfUsage, findPrice } from '../providers/model-prices.js';
import type { BudgetLedger } from './budget.js';
import { estimateWorstCaseCents } from './budget.js';
import type { EventHub } from '../protocols/events.js';
import type { RunSpend } from './run-spend.js';
import { upperBoundRequestTokens } from './token-bound.js';

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
  /** Told every call's charge by workflow run, so a run reports what the ledger charged for it. */
  readonly spend?: RunSpend;
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
        options.spend?.charge(call, outcome.costCents, outcome.response.usage);
        report(options.events, call, outcome, 0);
        return outcome;
      }
      const price = priceOf(call.request.model);
      if (!price && options.budget?.isLimited) {
        throw new ConfigError(
          'pricing',
          `no price is known for model "${call.request.model}", so cost limits cannot be enforced; add it under "pricing"`,
        );
      }
      // Resolved before reserving: an unknown provider or a missing key throws here, with nothing held.
      const provider = options.resolveProvider(call.provider);
      // Reserve the worst case before calling: spent can then never pass a limit.
      const hold =
        price && options.budget
          ? options.budget.reserve({ agentId: call.agentId, requestedCents: estimateWorstCaseCents(call.request, price) })
          : undefined;
      const started = now();
      const callId = `call_${nanoid(12)}`;
      // Held until the charge is recorded, so a cancelled run waits for a call that is still settling.
      const endSpend = options.spend?.begin(call);
      try {
        return await settleCall();
      } finally {
        endSpend?.();
      }

      /** Calls the provider, then charges the ledger and reports the call. */
      async function settleCall(): Promise<ModelCallOutcome> {
        let response: ModelResponse;
        try {
          response = await provider.complete(call.request);
          // Output cut at maxTokens is incomplete: every consumer sees it marked, whichever provider answered.
          if (response.stopReason === 'max_tokens' && response.truncated !== true) response = { ...response, truncated: true };
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
        const bad = malformedUsage(response.usage);
        if (bad !== undefined) {
          // Unknown spend: charge the whole reservation and close its limits (fail closed), then fail the call.
          const settled = hold?.settle(hold.reservedCents, { exceededRequest: true });
          if (settled) {
            options.spend?.charge(call, settled.chargedCents, EMPTY_USAGE);
            options.events?.emit('budget.overrun', {
              callId,
              agentId: call.agentId,
              provider: call.provider,
              model: call.request.model,
              ...(call.taskId === undefined ? {} : { taskId: call.taskId }),
              ...(call.workflowId === undefined ? {} : { workflowId: call.workflowId }),
              usage: EMPTY_USAGE,
              allowed: allowanceOf(call.request),
              reservedCents: hold?.reservedCents ?? 0,
              chargedCents: settled.chargedCents,
              overrunCents: 0,
              closedLimits: [...settled.closedLimits],
            });
          }
          throw new ProviderError('PROVIDER_MALFORMED_RESPONSE', call.provider, `reported token usage that is not a count: ${bad}`);
        }
        let costCents: number;
        try {
          // Reported at the ledger's precision: what the ledger charges is what every result shows.
          costCents = price ? roundCents(costOfUsage(response.usage, price)) : 0;
          const excess = excessOf(call.request, response.usage);
          const settled = hold?.settle(costCents, { exceededRequest: excess !== undefined });
          if (settled) costCents = settled.chargedCents;
          options.spend?.charge(call, costCents, response.usage);
          if (settled && (excess || settled.overrunCents > 0)) {
            options.events?.emit('budget.overrun', {
              callId,
              agentId: call.agentId,
              provider: call.provider,
              model: call.request.model,
              ...(call.taskId === undefined ? {} : { taskId: call.taskId }),
              ...(call.workflowId === undefined ? {} : { workflowId: call.workflowId }),
              usage: response.usage,
              allowed: allowanceOf(call.request),
              reservedCents: hold?.reservedCents ?? 0,
              chargedCents: settled.chargedCents,
              overrunCents: settled.overrunCents,
              closedLimits: [...settled.closedLimits],
            });
          }
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
      }
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

/** The most tokens a request allows: its input's upper bound, and `maxTokens` plus the thinking budget of output. */
function allowanceOf(request: ModelRequest): { inputTokens: number; outputTokens: number } {
  return { inputTokens: upperBoundRequestTokens(request), outputTokens: request.maxTokens + effectiveThinkingBudget(request) };
}

/** How the reported usage passes the request's allowance, or undefined when it does not. */
function excessOf(request: ModelRequest, usage: TokenUsage): 'input' | 'output' | undefined {
  const allowed = allowanceOf(request);
  if (usage.outputTokens + usage.thinkingTokens > allowed.outputTokens) return 'output';
  if (usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens > allowed.inputTokens) return 'input';
  return undefined;
}

/** The first usage field that is not a finite count ≥ 0 (a malformed or hostile response), as `field=value`. */
function malformedUsage(usage: TokenUsage | undefined): string | undefined {
  if (typeof usage !== 'object' || usage === null) return 'usage missing';
  const fields = ['inputTokens', 'outputTokens', 'thinkingTokens', 'cacheReadTokens', 'cacheWriteTokens'] as const;
  for (const field of fields) {
    const value: unknown = usage[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `${field}=${String(value)}`;
  }
  return undefined;
}
