/**
 * The chain's terminal: resolves the call's provider, calls it, checks the
 * usage it reports, marks output cut at maxTokens, and prices the usage at the
 * ledger's precision. The links in front of it never see an unpriced response.
 */
import { nanoid } from 'nanoid';
import { roundCents } from '../protocols/cents.js';
import { MalformedUsageError } from '../protocols/errors.js';
import type { ModelCall, ModelCallOutcome, NextModelCall } from '../protocols/gateway.js';
import type { ModelProvider } from '../protocols/model.js';
import type { ModelPrice } from '../protocols/pricing.js';
import { costOfUsage } from '../providers/model-prices.js';
import { malformedUsage } from './usage-check.js';

/**
 * The terminal link.
 * @throws MalformedUsageError when the provider's usage is not a count (the budget link charges it in full).
 *
 * @example
 * ```ts
 * const terminal = callProvider((name) => registry.get(name), (call) => findPrice(call.request.model));
 * ```
 */
export function callProvider(
  resolveProvider: (name: string) => ModelProvider,
  priceOf: (call: ModelCall) => ModelPrice | undefined,
): NextModelCall {
  return async (call): Promise<ModelCallOutcome> => {
    const provider = resolveProvider(call.provider);
    let response = await provider.complete(call.request);
    const bad = malformedUsage(response.usage);
    if (bad !== undefined) throw new MalformedUsageError(call.provider, bad);
    // Output cut at maxTokens is incomplete: every consumer sees it marked, whichever provider answered.
    if (response.stopReason === 'max_tokens' && response.truncated !== true) response = { ...response, truncated: true };
    const price = priceOf(call);
    return { response, costCents: price ? roundCents(costOfUsage(response.usage, price)) : 0, callId: `call_${nanoid(12)}` };
  };
}
