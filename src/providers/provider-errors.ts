/**
 * One mapping from the Stainless-generated SDKs' errors (Anthropic and OpenAI
 * share the same error shapes) to troupe's {@link ProviderError} codes, so the
 * retry policy upstream can branch on `code` whatever the provider.
 *
 * Secrets: the SDK errors carry response headers and sometimes echo (part of)
 * the key in their body ("Incorrect API key provided: sk-…"), in any field a
 * hostile or buggy server chooses. We never attach them as `cause`; messages
 * are rebuilt from the status and the body's `type`, `code`, `message` and
 * `param`, each scrubbed of the key (whole or in part) and of
 * anything key-shaped. Nothing else of the SDK error (headers, the raw body,
 * its cause chain) reaches the {@link ProviderError}.
 */
import { inspect } from 'node:util';
import { ProviderError } from '../protocols/errors/errors.js';
import type { ProviderErrorCode } from '../protocols/errors/errors.js';

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

/** Shortest run of a key's characters that counts as (part of) that key when echoed. */
const MIN_KEY_FRAGMENT = 8;

/** Runs of characters keys are made of (base64 and URL-safe alphabets, `*` of masked echoes). */
const KEY_CHARACTER_RUN = /[A-Za-z0-9_\-.*+/=]{8,}/g;

/** Whether `run` shares {@link MIN_KEY_FRAGMENT} consecutive characters with `secret`. */
function sharesFragment(run: string, secret: string): boolean {
  if (secret.length < MIN_KEY_FRAGMENT) return false;
  for (let start = 0; start + MIN_KEY_FRAGMENT <= secret.length; start++) {
    if (run.includes(secret.slice(start, start + MIN_KEY_FRAGMENT))) return true;
  }
  return false;
}

/**
 * Removes the keys from `text`: every occurrence of a key, every run of key
 * characters holding 8 or more consecutive characters of a key (a truncated or
 * partly masked echo such as `sk-ant-api03-abcd…`), and any token shaped like a
 * provider key (`sk-…`, `pk-…`, masked echoes such as `sk-ant-***abcd`).
 *
 * @example
 * ```ts
 * redactSecrets('invalid x-api-key: sk-ant-api03-abcdef', ['sk-ant-api03-abcdef']); // 'invalid x-api-key: [redacted]'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  out = out.replace(KEY_CHARACTER_RUN, (run) => (secrets.some((secret) => sharesFragment(run, secret)) ? '[redacted]' : run));
  // Key-shaped tokens, including masked echoes such as "sk-ant-***abcd".
  return out.replace(/\b(sk|pk)-[A-Za-z0-9_*.-]{4,}/g, '[redacted]');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The fields of an API error body troupe reports, each already scrubbed and clipped. */
export interface ApiErrorFields {
  readonly type: string | undefined;
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly param: string | undefined;
}

/** A body field as text: strings, and numbers (OpenAI's `code` is sometimes one); anything else is dropped. */
function textField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  if (typeof value === 'string') return value === '' ? undefined : value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/**
 * `type`, `code`, `message` and `param` of an API error body, whether nested
 * under `error` (both APIs' JSON bodies) or not (the SDKs sometimes pass the
 * inner object), each scrubbed and clipped.
 */
export function apiErrorFields(body: unknown, secrets: readonly string[]): ApiErrorFields {
  const inner = isRecord(body) && isRecord(body['error']) ? body['error'] : body;
  if (!isRecord(inner)) return { type: undefined, code: undefined, message: undefined, param: undefined };
  const scrubbed = (key: string): string | undefined => {
    const value = textField(inner, key);
    return value === undefined ? undefined : scrubbedText(value, secrets);
  };
  return { type: scrubbed('type'), code: scrubbed('code'), message: scrubbed('message'), param: scrubbed('param') };
}

/** The message of a mapped API error: `HTTP <status> <type> <code> <message> (param <param>)`, absent parts left out. */
function apiErrorText(status: number, fields: ApiErrorFields): string {
  return [
    `HTTP ${status}`,
    fields.type,
    fields.code === fields.type ? undefined : fields.code,
    fields.message,
    fields.param === undefined ? undefined : `(param ${fields.param})`,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
}

/**
 * `error` itself when no key occurs anywhere in it (message, stack, own
 * fields, cause chain), else a plain `Error` of the same name whose message
 * and stack are scrubbed and which has no cause. Used for what the mapping
 * passes through unchanged (bugs), so those still surface, but never with a key.
 */
function withoutSecrets(error: unknown, secrets: readonly string[]): unknown {
  const known = secrets.filter((secret) => secret.length >= 4);
  if (known.length === 0) return error;
  const rendering = error instanceof Error ? `${inspect(error, { depth: 8 })}\n${error.stack ?? ''}` : inspect(error, { depth: 8 });
  if (!known.some((secret) => rendering.includes(secret))) return error;
  if (!(error instanceof Error)) return new Error(scrubbedText(rendering, known));
  const copy = new Error(scrubbedText(error.message, known));
  copy.name = error.name;
  copy.stack = redactSecrets((error.stack ?? `${error.name}: ${error.message}`).slice(0, 8 * MAX_MESSAGE_CHARS), known);
  return copy;
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
 * `text` from a server, scrubbed with {@link redactSecrets} and clipped. The
 * scrub sees twice the clip length first (bounded work on a huge body), so a
 * key cut by the clip is still recognised whole.
 */
function scrubbedText(text: string, secrets: readonly string[]): string {
  return clip(redactSecrets(text.slice(0, 2 * MAX_MESSAGE_CHARS), secrets));
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
    /** Appended to an authentication failure's message (why no key was sent). */
    readonly authenticationHint?: string | undefined;
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
    const fields = apiErrorFields(error.error, secrets);
    const retryAfterSeconds = parseRetryAfter(error.headers);
    if (status === undefined) {
      return new ProviderError('PROVIDER_CONNECTION', provider, scrubbedText(error.message, secrets));
    }
    const code = codeForStatus(status, fields.type);
    const hint = code === 'PROVIDER_AUTHENTICATION' && context.authenticationHint !== undefined ? ` (${context.authenticationHint})` : '';
    // Scrub the joined text too: a key split across two fields is whole again here.
    return new ProviderError(code, provider, `${scrubbedText(apiErrorText(status, fields), secrets)}${hint}`, {
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
    return new ProviderError('PROVIDER_BAD_REQUEST', provider, scrubbedText(error.message, secrets));
  }
  // A connection dropped while the body was read: fetch's `TypeError: terminated` (the SDKs do not wrap it).
  if (isBodyReadFailure(error)) {
    return new ProviderError('PROVIDER_CONNECTION', provider, 'the connection dropped while the response was read');
  }
  return withoutSecrets(error, secrets);
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
  /** Appended to an authentication failure's message, e.g. why no key was sent. */
  readonly authenticationHint?: string;
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
