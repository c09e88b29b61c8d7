/**
 * Money at the ledger's precision. The budget ledger counts whole micro-cents
 * (1e-6 ¢), so every cost troupe reports (a call's, a task's, a workflow's,
 * the metrics') is a whole number of micro-cents too: summed as integers and
 * divided once, so `0.1 + 0.2` never shows as `0.30000000000000004`.
 */

/** Micro-cents per cent: the ledger's unit. */
export const MICRO_PER_CENT = 1_000_000;

/** Cents rounded to whole micro-cents (the ledger's precision). */
export function roundCents(cents: number): number {
  return Math.round(cents * MICRO_PER_CENT) / MICRO_PER_CENT;
}

/**
 * The sum of amounts in cents, exact at micro-cent precision (summed as integers).
 *
 * @example
 * ```ts
 * addCents(0.1, 0.2); // 0.3, not 0.30000000000000004
 * ```
 */
export function addCents(...amounts: readonly number[]): number {
  let micro = 0;
  for (const cents of amounts) micro += Math.round(cents * MICRO_PER_CENT);
  return micro / MICRO_PER_CENT;
}
