/**
 * The spend link: tells a run what each of its calls was charged, replayed
 * ones included, so a run reports exactly what the ledger charged for it
 * even when a call completes as its task is cancelled.
 */
import { roundCents } from '../../protocols/cents.js';
import { MalformedUsageError } from '../../protocols/errors/errors.js';
import type { ModelCallInterceptor } from '../../protocols/gateway.js';
import { EMPTY_USAGE } from '../../protocols/model.js';
import { partialChargeOf } from '../partial-charge.js';
import type { RunSpend } from '../run-spend.js';

/**
 * The spend link over `spend`.
 *
 * @example
 * ```ts
 * const link = spendInterceptor(new RunSpend());
 * ```
 */
export function spendInterceptor(spend: RunSpend): ModelCallInterceptor {
  return async (call, next) => {
    // Held until the charge is recorded, so a cancelled run waits for a call that is still settling.
    const end = spend.begin(call);
    try {
      const outcome = await next(call);
      spend.charge(call, outcome.costCents, outcome.response.usage);
      return outcome;
    } catch (error) {
      if (error instanceof MalformedUsageError && error.chargedCents > 0) spend.charge(call, error.chargedCents, EMPTY_USAGE);
      const partial = partialChargeOf(error);
      if (partial) spend.charge(call, roundCents(partial.costCents), partial.usage);
      throw error;
    } finally {
      end();
    }
  };
}
