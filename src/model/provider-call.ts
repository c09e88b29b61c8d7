/**
 * The chain's terminal: resolves the call's provider, calls it, and prices the
 * usage it reports. The links in front of it never see an unpriced response.
 */
import { nanoid } from 'nanoid';
import type { ModelCall, ModelCallOutcome, NextModelCall } from '../protocols/gateway.js';
import type { ModelProvider } from '../protocols/model.js';
import type { ModelPrice } from '../protocols/pricing.js';
import { costOfUsage } from '../providers/model-prices.js';

/**
 * The terminal link.
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
    const response = await provider.complete(call.request);
    const price = priceOf(call);
    return { response, costCents: price ? costOfUsage(response.usage, price) : 0, callId: `call_${nanoid(12)}` };
  };
}
