/**
 * What a failed streaming call had generated before it stopped (aborted, cut,
 * stalled), so the budget can charge it rather than free it: the provider bills
 * the tokens it sent even when nobody read the end of the stream.
 */
import type { TokenUsage } from '../protocols/model.js';

/** The estimated usage and its cost, in cents, of a stream that failed part way. */
export interface PartialCharge {
  readonly usage: TokenUsage;
  readonly costCents: number;
}

const charges = new WeakMap<object, PartialCharge>();

/** Attaches `charge` to the error a failed stream rejects with (non-objects cannot carry one). */
export function notePartialCharge(error: unknown, charge: PartialCharge): void {
  if (typeof error === 'object' && error !== null) charges.set(error, charge);
}

/**
 * The charge a failed call's error carries, if it was a stream that had produced something.
 *
 * @example
 * ```ts
 * catch (error) { const charge = partialChargeOf(error); if (charge) hold.settle(charge.costCents); }
 * ```
 */
export function partialChargeOf(error: unknown): PartialCharge | undefined {
  return typeof error === 'object' && error !== null ? charges.get(error) : undefined;
}
