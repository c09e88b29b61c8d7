/**
/**
 * The chain's terminal: resolves the call's provider, calls it, checks the
 * usage it reports, marks output cut at maxTokens, and prices the usage at the
 * ledger's precision. The links in front of it never see an unpriced response.
 * It streams only when someone wants the deltas (a `model.delta` listener, or
 * the call's own `onDelta`); otherwise it is one plain `complete`.
 */
import { nanoid } from 'nanoid';
import { roundCents } from '../../protocols/cents.js';
import { MalformedResponseError, MalformedUsageError } from '../../protocols/errors/errors.js';
import type { ModelCall, ModelCallDelta, ModelCallOutcome, NextModelCall } from '../../protocols/gateway.js';
import type { EventHub } from '../../protocols/events.js';
import { EMPTY_USAGE } from '../../protocols/model.js';
import type { ModelProvider, ModelResponse } from '../../protocols/model.js';
import type { ModelPrice } from '../../protocols/pricing.js';
import { costOfUsage } from '../../providers/model-prices.js';
import { streamCall } from '../stream-call.js';
import { malformedResponse } from '../response-check.js';
import { allowanceOf, malformedUsage } from '../usage-check.js';
import { notePartialCharge } from '../partial-charge.js';
import { estimateWorstCaseCents } from '../token-bound.js';
import { abortError } from '../../providers/provider-errors.js';

/** Where a call's deltas go: its own `onDelta` and the hub's `model.delta` listeners; undefined when nobody wants them. */
function deltaTarget(call: ModelCall, events: EventHub | undefined): ((delta: ModelCallDelta) => void) | undefined {
  const own = call.onDelta;
  const hub = events?.has('model.delta') === true ? events : undefined;
  if (own && hub) {
    return (delta) => {
      hub.emit('model.delta', delta);
      own(delta);
    };
  }
  if (own) return own;
  if (hub) return (delta) => hub.emit('model.delta', delta);
  return undefined;
}

/**
 * How long a provider may go on after its call's signal fired before the call
 * is abandoned: well under the second a cancelled run waits for its calls, so
 * the abandoned call's charge is in the run's result.
 */
export const ABANDON_AFTER_ABORT_MS = 250;

/**
 * The provider's answer, or, when the call's signal fired and the provider
 * has not stopped within {@link ABANDON_AFTER_ABORT_MS}, an AbortError that
 * charges the call in full (its worst case: a provider that ignores an abort
 * may bill the whole call). A late answer is dropped.
 */
function answerOrAbandon(answer: Promise<ModelResponse>, call: ModelCall, price: ModelPrice | undefined): Promise<ModelResponse> {
  const { signal } = call.request;
  if (!signal) return answer;
  return new Promise<ModelResponse>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const abandon = (): void => {
      const error = abortError(call.provider);
      const allowed = allowanceOf(call.request);
      const usage = { ...EMPTY_USAGE, inputTokens: allowed.inputTokens, outputTokens: allowed.outputTokens };
      notePartialCharge(error, { usage, costCents: price ? estimateWorstCaseCents(call.request, price) : 0 });
      reject(error);
    };
    const onAbort = (): void => {
      timer = setTimeout(abandon, ABANDON_AFTER_ABORT_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    answer.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/**
 * The terminal link. With `events`, calls stream while `model.delta` has listeners.
 * @throws MalformedUsageError when the provider's usage is not a count, MalformedResponseError when its
 *   response is not a ModelResponse (the budget link charges either in full).
 *
 * @example
 * ```ts
 * const terminal = callProvider((name) => registry.get(name), (call) => findPrice(call.request.model), hub);
 * ```
 */
export function callProvider(
  resolveProvider: (name: string) => ModelProvider,
  priceOf: (call: ModelCall) => ModelPrice | undefined,
  events?: EventHub,
): NextModelCall {
  return async (call): Promise<ModelCallOutcome> => {
    const provider = resolveProvider(call.provider);
    const callId = `call_${nanoid(12)}`;
    const deliver = deltaTarget(call, events);
    const price = priceOf(call);
    const answer = deliver ? streamCall(provider, call, { callId, deliver, price }) : provider.complete(call.request);
    let response = await answerOrAbandon(answer, call, price);
    const bad = malformedUsage(response.usage);
    if (bad !== undefined) throw new MalformedUsageError(call.provider, bad);
    // A custom provider is code troupe does not own: what it answers must be a ModelResponse before anything is built on it.
    const problem = malformedResponse(response);
    if (problem) throw new MalformedResponseError(call.provider, problem.field, problem.reason);
    // Output cut at maxTokens is incomplete: every consumer sees it marked, whichever provider answered.
    if (response.stopReason === 'max_tokens' && response.truncated !== true) response = { ...response, truncated: true };
    return { response, costCents: price ? roundCents(costOfUsage(response.usage, price)) : 0, callId };
  };
}
