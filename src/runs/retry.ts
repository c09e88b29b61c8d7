/**
 * The one retry policy for every provider and every task: exponential
 * backoff with jitter, never sooner than a provider's retry-after.
 */
import { CancelledError } from '../protocols/errors/errors.js';
import type { ErrorData } from '../protocols/errors/errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. 1 means no retry. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Share of the delay randomised, in [0, 1]: 0.2 means ±20%. */
  readonly jitter: number;
}

/** Errors worth another attempt: transient provider failures and timeouts. */
export function isRetryable(error: ErrorData): boolean {
  return error.retryable && error.code !== 'BUDGET_EXCEEDED' && error.code !== 'CANCELLED';
}

/**
 * Delay before attempt `failedAttempt + 1`.
 * @example
 * ```ts
 * retryDelayMs({ maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 30_000, jitter: 0 }, 2, error) // 1000
 * ```
 */
export function retryDelayMs(
  policy: RetryPolicy,
  failedAttempt: number,
  error: ErrorData,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempt - 1));
  const jittered = exponential * (1 + policy.jitter * (2 * random() - 1));
  const backoff = Math.max(0, Math.min(policy.maxDelayMs, jittered));
  const retryAfterMs = (error.retryAfterSeconds ?? 0) * 1000;
  return Math.max(backoff, retryAfterMs);
}

/** Resolves after `ms`, or rejects with CancelledError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError('aborted while waiting to retry'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError('aborted while waiting to retry'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
