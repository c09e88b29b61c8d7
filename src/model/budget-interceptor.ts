/**
 * The budget link: reserves a call's worst-case cost before anything else
 * runs, settles it with what the call really cost, and frees it when the call
 * fails (or, for a stream that failed part way, settles it with the estimated
 * cost of what it had generated). Spent can then never pass a limit, whatever
 * the calls' interleaving.
 */
import { ConfigError } from '../protocols/errors.js';
import type { ModelCallInterceptor } from '../protocols/gateway.js';
import type { ModelPrice } from '../protocols/pricing.js';
import type { BudgetLedger } from './budget.js';
import { estimateWorstCaseCents } from './budget.js';
import { partialChargeOf } from './partial-charge.js';

/**
 * The budget link over `budget`. With a limit set, a model of unknown price is
 * refused: its cost could not be bounded.
 *
 * @example
 * ```ts
 * const link = budgetInterceptor(new BudgetLedger({ totalCostLimitCents: 100 }), (model) => findPrice(model));
 * ```
 */
export function budgetInterceptor(budget: BudgetLedger, priceOf: (model: string) => ModelPrice | undefined): ModelCallInterceptor {
  return async (call, next) => {
    const price = priceOf(call.request.model);
    if (!price) {
      if (budget.isLimited) {
        throw new ConfigError(
          'pricing',
          `no price is known for model "${call.request.model}", so cost limits cannot be enforced; add it under "pricing"`,
        );
      }
      return next(call);
    }
    const hold = budget.reserve({ agentId: call.agentId, requestedCents: estimateWorstCaseCents(call.request, price) });
    try {
      const outcome = await next(call);
      hold.settle(outcome.costCents);
      return outcome;
    } catch (error) {
      // A stream that failed part way is billed for what it generated: charge that estimate, not nothing.
      const partial = partialChargeOf(error);
      if (partial) hold.settle(partial.costCents);
      throw error;
    } finally {
      // A no-op after settle; frees the hold when the call failed or its usage could not be priced.
      hold.release();
    }
  };
}
