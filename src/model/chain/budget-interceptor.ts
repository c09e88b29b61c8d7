/**
 * The budget link: reserves a call's worst-case cost before anything else
 * runs, settles it with what the call really cost, and frees it when the call
 * fails (or, for a stream that failed part way, settles it with the estimated
 * cost of what it had generated). Spent can then never pass a limit, whatever
 * the calls' interleaving.
 *
 * A response whose usage passes what its request allowed is charged as
 * reported, raised as a `budget.overrun` event, and closes the limits it was
 * held against; usage that is not a count is charged the whole reservation and
 * closes them too (fail closed).
 */
import { ConfigError, MalformedUsageError } from '../../protocols/errors/errors.js';
import type { EventHub } from '../../protocols/events.js';
import type { ModelCall, ModelCallInterceptor, ModelCallOutcome } from '../../protocols/gateway.js';
import { EMPTY_USAGE } from '../../protocols/model.js';
import type { TokenUsage } from '../../protocols/model.js';
import type { ModelPrice } from '../../protocols/pricing.js';
import type { BudgetLedger, ReservationOutcome } from '../budget.js';
import { isBudgetStore, ledgerBudgetStore } from '../budget-store.js';
import type { BudgetHold, BudgetStore } from '../budget-store.js';
import { estimateWorstCaseCents } from '../token-bound.js';
import { allowanceOf, excessOf } from '../usage-check.js';
import { partialChargeOf } from '../partial-charge.js';

/**
 * The budget link over `budget` (the in-process ledger, or any BudgetStore,
 * such as a Redis one shared by workers). With a limit set, a model of
 * unknown price is refused: its cost could not be bounded.
 *
 * @example
 * ```ts
 * const link = budgetInterceptor(new BudgetLedger({ totalCostLimitCents: 100 }), (call) => findPrice(call.request.model));
 * ```
 */
export function budgetInterceptor(
  budget: BudgetLedger | BudgetStore,
  priceOf: (call: ModelCall) => ModelPrice | undefined,
  events?: EventHub,
): ModelCallInterceptor {
  const store = isBudgetStore(budget) ? budget : ledgerBudgetStore(budget);
  return async (call, next) => {
    const price = priceOf(call);
    if (!price) {
      if (store.isLimited) {
        throw new ConfigError(
          'pricing',
          `no price is known for model "${call.request.model}", so cost limits cannot be enforced; add it under "pricing"`,
        );
      }
      return next(call);
    }
    const hold = await store.reserve({
      agentId: call.agentId,
      requestedCents: estimateWorstCaseCents(call.request, price),
      ...(call.callKey === undefined ? {} : { callKey: call.callKey }),
    });
    let failed = false;
    try {
      let outcome: ModelCallOutcome;
      try {
        outcome = await next(call);
      } catch (error) {
        failed = true;
        if (!(error instanceof MalformedUsageError)) {
          // A stream that failed part way is billed for what it generated: charge that estimate, not nothing.
          // Settled before the hold is released below; a settle that fails (a store out of reach) leaves the
          // reservation to the store, which charges an abandoned one in full, and the call's own error stands.
          const partial = partialChargeOf(error);
          if (partial) await hold.settle(partial.costCents).catch(() => undefined);
          throw error;
        }
        // Unknown spend: charge the whole reservation and close its limits.
        const settled = await hold.settle(hold.reservedCents, { exceededRequest: true });
        reportOverrun(events, call, undefined, hold, settled, EMPTY_USAGE);
        throw error.withCharge(settled.chargedCents);
      }
      const excess = excessOf(call.request, outcome.response.usage);
      const settled = await hold.settle(outcome.costCents, { exceededRequest: excess !== undefined });
      if (excess !== undefined || settled.overrunCents > 0) reportOverrun(events, call, outcome.callId, hold, settled, outcome.response.usage);
      // What the ledger charged is what every result shows.
      return settled.chargedCents === outcome.costCents ? outcome : { ...outcome, costCents: settled.chargedCents };
    } finally {
      // A no-op after settle; frees the hold when the call failed (without hiding that call's error).
      try {
        await hold.release();
      } catch (releaseError) {
        if (!failed) throw releaseError;
      }
    }
  };
}

function reportOverrun(
  events: EventHub | undefined,
  call: ModelCall,
  callId: string | undefined,
  hold: BudgetHold,
  settled: ReservationOutcome,
  usage: TokenUsage,
): void {
  events?.emit('budget.overrun', {
    callId: callId ?? call.callKey ?? `${call.agentId}/${call.purpose}`,
    agentId: call.agentId,
    provider: call.provider,
    model: call.request.model,
    ...(call.taskId === undefined ? {} : { taskId: call.taskId }),
    ...(call.workflowId === undefined ? {} : { workflowId: call.workflowId }),
    usage,
    allowed: allowanceOf(call.request),
    reservedCents: hold.reservedCents,
    chargedCents: settled.chargedCents,
    overrunCents: settled.overrunCents,
    closedLimits: [...settled.closedLimits],
  });
}
