/**
 * One mapping from the Stainless-generated SDKs' errors (Anthropic and OpenAI
 * share the same error shapes) to troupe's {@link ProviderError} codes, so the
 * retry policy upstream can branch on `code` whatever the provider.
 *
 * Secrets: the SDK errors carry response headers and sometimes echo (part of)
 * the key in their message ("Incorrect API key provided: sk-…"). We never attach
 * them as `cause`; messages are rebuilt from status + the API's error type and
 * message, with anything key-like redacted.
 */
import { ProviderError } from '../protocols/errors.js';
import type { ProviderErrorCode } from '../protocols/errors.js';

/** The instance shape both SDKs' `APIError` share. */
export interface SdkApiError extends Error {
  readonly status: number | undefined;
  readonly headers: Headers | undefined;
  readonly error: unknown;
}

/** A constructor usable with `instanceof` (parameters do not matter here). */
type ErrorClass<T> = abstract new (...args: never[]) => T;

/** The four SDK error classes the mapping needs, from one SDK. */
export interface SdkErrorClasses {
  /** Base class of everything the SDK throws on purpose (config, auth resolution). */
  readonly SdkError: ErrorClass<Error>;
  readonly APIError: ErrorClass<SdkApiError>;
  readonly APIUserAbortError: ErrorClass<Error>;
  readonly APIConnectionError: ErrorClass<Error>;
  readonly APIConnectionTimeoutError: ErrorClass<Error>;
}

const MAX_MESSAGE_CHARS = 500;

/** Per-call timeout when none is given: the SDKs' own default, 10 minutes. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 600_000;

/** setTimeout fires at once for delays above this (2^31 - 1 ms); longer deadlines are not armed. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Seconds to wait before retrying, from `retry-after-ms` (milliseconds),
 * or `retry-after` as delta-seconds or an HTTP date. `undefined` when absent or unparsable.
 *
 * @example
 * ```ts
 * parseRetryAfter(new Headers({ 'retry-after': '7' })); // 7
 * parseRetryAfter(new Headers({ 'retry-after-ms': '1500' })); // 1.5
 * ```
 */
export function parseRetryAfter(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const millis = headers.get('retry-after-ms');
  if (millis !== null && /^\s*\d+(\.\d+)?\s*$/.test(millis)) return Number(millis) / 1000;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The error a model call rejects with when its `AbortSignal` fired: a
 * `DOMException` named `AbortError`, as `fetch` itself uses, so callers can tell
 * "we cancelled" from "the provider failed".
 *
 * @example
 * ```ts
 * if (signal?.aborted) throw abortError('anthropic');
 * ```
 */
export function abortError(provider: string): DOMException {
  return new DOMException(`${provider}: the model call was aborted`, 'AbortError');
}

/** Removes the key and anything that looks like a provider key from `text`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  // Key-shaped tokens, including masked echoes such as "sk-ant-***abcd".
  return out.replace(/\b(sk|pk)-[A-Za-z0-9_*.-]{4,}/g, '[redacted]');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** `type` and `message` of an API error body, whether nested under `error` (Anthropic) or not (OpenAI). */
export function apiErrorFields(body: unknown): { type: string | undefined; message: string | undefined } {
  const inner = isRecord(body) && isRecord(body['error']) ? body['error'] : body;
  if (!isRecord(inner)) return { type: undefined, message: undefined };
  const type = typeof inner['type'] === 'string' ? inner['type'] : undefined;
  const message = typeof inner['message'] === 'string' ? inner['message'] : undefined;
  return { type, message };
}

/**
 * The {@link ProviderError} code of an HTTP error status (and the API's error `type`, when it has one).
 *
 * @example
 * ```ts
 * codeForStatus(429, undefined); // 'PROVIDER_RATE_LIMITED'
 * ```
 */
export function codeForStatus(status: number, type: string | undefined): ProviderErrorCode {
  if (status === 529 || type === 'overloaded_error') return 'PROVIDER_OVERLOADED';
  if (status === 429 || type === 'rate_limit_error') return 'PROVIDER_RATE_LIMITED';
  if (status === 401 || status === 402 || status === 403) return 'PROVIDER_AUTHENTICATION';
  if (status === 408) return 'PROVIDER_TIMEOUT';
  // 409: the API's own lock/conflict on a concurrent request; the SDKs retry it too.
  if (status === 409 || status >= 500) return 'PROVIDER_SERVER_ERROR';
  return 'PROVIDER_BAD_REQUEST';
}

/** Cuts an error message to at most 500 characters. */
export function clip(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/**
 * Maps anything an SDK call threw to what the provider should throw:
 * a {@link ProviderError}, an `AbortError` when `signal` fired, or the
 * original value when it is not an SDK or parsing failure (a bug should surface as itself).
 *
 * @example
 * ```ts
 * try { return await client.messages.create(params, { signal }); }
 * catch (error) { throw mapSdkError(error, { provider: 'anthropic', classes, secrets: [apiKey], signal }); }
 * ```
 */
export function mapSdkError(
  error: unknown,
  context: {
    readonly provider: string;
    readonly classes: SdkErrorClasses;
    readonly secrets: readonly string[];
    readonly signal?: AbortSignal | undefined;
    /** True when the call's own deadline ({@link callSdk}) cut it short. */
    readonly timedOut?: boolean;
  },
): unknown {
  const { provider, classes, secrets, signal } = context;
  // Our own cancellation first: whatever the SDK made of it, it is not a provider failure.
  if (signal?.aborted) return abortError(provider);
  if (context.timedOut === true || error instanceof classes.APIConnectionTimeoutError) {
    return new ProviderError('PROVIDER_TIMEOUT', provider, 'the request timed out before the API answered');
  }
  if (error instanceof classes.APIUserAbortError) return abortError(provider);
  if (error instanceof classes.APIConnectionError) {
    return new ProviderError('PROVIDER_CONNECTION', provider, 'the connection to the API failed or was dropped');
  }
  if (error instanceof classes.APIError) {
    const status = error.status;
    const { type, message } = apiErrorFields(error.error);
    const retryAfterSeconds = parseRetryAfter(error.headers);
    if (status === undefined) {
      return new ProviderError('PROVIDER_CONNECTION', provider, clip(redactSecrets(error.message, secrets)));
    }
    const code = codeForStatus(status, type);
    const text = [`HTTP ${status}`, type, message === undefined ? undefined : redactSecrets(message, secrets)]
      .filter((part) => part !== undefined && part !== '')
      .join(' ');
    return new ProviderError(code, provider, clip(text), {
      status,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  // A 200 whose body is not JSON: the SDK's `response.json()` throws a SyntaxError.
  if (error instanceof SyntaxError) {
    return new ProviderError('PROVIDER_MALFORMED_RESPONSE', provider, 'the API answered with a body that is not valid JSON');
  }
  // The SDK refusing a request before sending it (bad options, unresolvable auth).
  if (error instanceof classes.SdkError) {
    return new ProviderError('PROVIDER_BAD_REQUEST', provider, clip(redactSecrets(error.message, secrets)));
  }
  // A connection dropped while the body was read: fetch's `TypeError: terminated` (the SDKs do not wrap it).
  if (isBodyReadFailure(error)) {
    return new ProviderError('PROVIDER_CONNECTION', provider, 'the connection dropped while the response was read');
  }
  return error;
}

function isBodyReadFailure(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const cause: unknown = error.cause;
  return error.message === 'terminated' || (isRecord(cause) && typeof cause['code'] === 'string' && cause['code'].startsWith('UND_ERR'));
}

/** How {@link callSdk} runs and maps one SDK call. */
export interface SdkCallContext {
  readonly provider: string;
  readonly classes: SdkErrorClasses;
  readonly secrets: readonly string[];
  /** The caller's signal: its abort is an AbortError, never a provider failure. */
  readonly signal: AbortSignal | undefined;
  /** Deadline of the whole call, response body included. */
  readonly timeoutMs: number;
}

/**
 * Runs one SDK call under a deadline that covers the whole exchange and maps
 * what it throws with {@link mapSdkError}. The SDKs' own `timeout` stops at the
 * response headers, so a server that sends headers and then stalls mid-body
 * would otherwise hang the call until the caller aborts it.
 *
 * @example
 * ```ts
 * const body = await callSdk((signal) => client.messages.create(params, { signal }), { provider: 'anthropic', classes, secrets: [apiKey], signal: request.signal, timeoutMs });
 * ```
 */
export async function callSdk<T>(run: (signal: AbortSignal) => Promise<T>, context: SdkCallContext): Promise<T> {
  const { signal, timeoutMs } = context;
  if (signal?.aborted) throw abortError(context.provider);
  const controller = new AbortController();
  let timedOut = false;
  const timer =
    timeoutMs <= MAX_TIMER_MS
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs)
      : undefined;
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await run(controller.signal);
  } catch (error) {
    throw mapSdkError(error, { ...context, timedOut });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A 200 response that lacks what we need. */
export function malformedResponse(provider: string, what: string): ProviderError {
  return new ProviderError('PROVIDER_MALFORMED_RESPONSE', provider, clip(what));
}
