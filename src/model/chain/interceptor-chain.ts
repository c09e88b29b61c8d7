/**
 * Composes the model boundary's links into one call: the first interceptor
 * is the outermost, the terminal (the provider) is reached last.
 */
import type { ModelCallInterceptor, NextModelCall } from '../../protocols/gateway.js';

/**
 * Chains `interceptors` in front of `terminal`.
 *
 * @example
 * ```ts
 * const call = composeModelCall([logCalls, budgetInterceptor(ledger, priceOf)], callProvider(resolve, priceOf));
 * const outcome = await call({ agentId: 'a', purpose: 'acting', provider: 'simulated', request });
 * ```
 */
export function composeModelCall(interceptors: readonly ModelCallInterceptor[], terminal: NextModelCall): NextModelCall {
  return interceptors.reduceRight<NextModelCall>((next, interceptor) => (call) => interceptor(call, next), terminal);
}
