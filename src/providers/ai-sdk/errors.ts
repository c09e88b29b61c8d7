/**
 * The AI SDK's errors mapped to troupe's {@link ProviderError} codes. The
 * errors are recognised by the marker symbols the AI SDK sets on them
 * (`Symbol.for('vercel.ai.error.<name>')`, what its own `isInstance` reads), so
 * this file needs nothing from `@ai-sdk/provider` at run time.
 *
 * Secrets: an AI SDK error carries the request body, the response headers and
 * the response body. None of them is kept; the message is rebuilt from the
 * status and the error's own message, with anything key-like redacted.
 */
import { ProviderError } from '../../protocols/errors/errors.js';
import type { ProviderErrorCode } from '../../protocols/errors/errors.js';
import { abortError, apiErrorFields, clip, codeForStatus, parseRetryAfter, redactSecrets } from '../provider-errors.js';

/** Whether `error` is an AI SDK error (any class). */
function isAiSdkError(error: unknown): error is Error {
  return error instanceof Error && Reflect.get(error, Symbol.for('vercel.ai.error')) === true;
}

/** Whether `error` is one of the Vercel AI Gateway's errors (`@ai-sdk/gateway`), which carry their own marker. */
function isGatewayError(error: unknown): error is Error {
  return error instanceof Error && Reflect.get(error, Symbol.for('vercel.ai.gateway.error')) === true;
}

/** Whether an AI SDK error is of the named class, e.g. `AI_APICallError`. */
function isAiSdkClass(error: Error, name: string): boolean {
  return Reflect.get(error, Symbol.for(`vercel.ai.error.${name}`)) === true;
}

/** AI SDK errors that say the answer could not be read. */
const MALFORMED_ERRORS = [
  'AI_EmptyResponseBodyError',
  'AI_InvalidResponseDataError',
  'AI_JSONParseError',
  'AI_TypeValidationError',
  'AI_NoContentGeneratedError',
];

function numberField(error: Error, field: string): number | undefined {
  const value: unknown = Reflect.get(error, field);
  return typeof value === 'number' ? value : undefined;
}

function headersOf(error: Error): Headers | undefined {
  const value: unknown = Reflect.get(error, 'responseHeaders');
  if (typeof value !== 'object' || value === null) return undefined;
  const headers = new Headers();
  for (const [key, header] of Object.entries(value)) {
    if (typeof header === 'string') headers.set(key, header);
  }
  return headers;
}

/** An `AI_APICallError`: the HTTP status decides the code, as for the built-in providers. */
function fromApiCallError(error: Error, provider: string, secrets: readonly string[]): ProviderError {
  const status = numberField(error, 'statusCode');
  const message = redactSecrets(error.message, secrets);
  if (status === undefined) {
    // No status: the request never got an answer (connection refused, DNS, reset).
    const retryable = Reflect.get(error, 'isRetryable') !== false;
    return new ProviderError(retryable ? 'PROVIDER_CONNECTION' : 'PROVIDER_BAD_REQUEST', provider, clip(message));
  }
  const { type } = apiErrorFields(Reflect.get(error, 'data'), secrets);
  const retryAfterSeconds = parseRetryAfter(headersOf(error));
  return new ProviderError(codeForStatus(status, type), provider, clip(`HTTP ${status} ${message}`), {
    status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

/** A Vercel AI Gateway error: its status decides the code; `retry-after` is read from the API call error it wraps. */
function fromGatewayError(error: Error, provider: string, secrets: readonly string[]): ProviderError {
  const status = numberField(error, 'statusCode') ?? 500;
  const cause: unknown = error.cause;
  const retryAfterSeconds = cause instanceof Error ? parseRetryAfter(headersOf(cause)) : undefined;
  return new ProviderError(codeForStatus(status, undefined), provider, clip(`HTTP ${status} ${redactSecrets(error.message, secrets)}`), {
    status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

/**
 * Maps what an AI SDK model call threw to what the provider should throw: an
 * `AbortError` when `signal` fired, a {@link ProviderError} for AI SDK errors
 * and the call's deadline, or the original value (a bug surfaces as itself).
 *
 * @example
 * ```ts
 * try { return await model.doGenerate(options); }
 * catch (error) { throw mapAiSdkError(error, { provider: 'openai', secrets: [], signal }); }
 * ```
 */
export function mapAiSdkError(
  error: unknown,
  context: {
    readonly provider: string;
    readonly secrets: readonly string[];
    readonly signal?: AbortSignal | undefined;
    readonly timedOut?: boolean;
  },
): unknown {
  const { provider, secrets } = context;
  if (context.signal?.aborted) return abortError(provider);
  if (context.timedOut === true) {
    return new ProviderError('PROVIDER_TIMEOUT', provider, 'the model did not answer before the deadline');
  }
  if (isGatewayError(error)) return fromGatewayError(error, provider, secrets);
  if (!isAiSdkError(error)) return error;
  if (isAiSdkClass(error, 'AI_APICallError')) return fromApiCallError(error, provider, secrets);
  const message = clip(redactSecrets(error.message, secrets));
  // Every other AI SDK error (invalid prompt or argument, unsupported feature,
  // unknown model, missing setting) says the request cannot be sent as it is.
  let code: ProviderErrorCode = 'PROVIDER_BAD_REQUEST';
  if (isAiSdkClass(error, 'AI_LoadAPIKeyError')) code = 'PROVIDER_AUTHENTICATION';
  else if (MALFORMED_ERRORS.some((name) => isAiSdkClass(error, name))) code = 'PROVIDER_MALFORMED_RESPONSE';
  return new ProviderError(code, provider, message);
}
