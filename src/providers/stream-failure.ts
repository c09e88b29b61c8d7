/**
 * What a streaming SDK call's failure means. Both SDKs wrap what goes wrong
 * while the event stream is read (an event that is not JSON, a dropped
 * connection) in their base error class, which the request mapping would read
 * as a refused request; this unwraps them first.
 */
import { ProviderError } from '../protocols/errors/errors.js';
import type { SdkErrorClasses } from './provider-errors.js';

function causeOf(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}

/** fetch's `TypeError: terminated` (or an undici socket error) while the body was read. */
function isDroppedConnection(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const cause = causeOf(error);
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
  return error.message === 'terminated' || (typeof code === 'string' && code.startsWith('UND_ERR'));
}

/**
 * A ProviderError for a failure of the stream itself (malformed event, dropped
 * connection, a stream that ended early), else `error` unchanged for the
 * request mapping ({@link mapSdkError}) to handle.
 *
 * @example
 * ```ts
 * try { return await stream.finalMessage(); } catch (error) { throw streamFailure(error, SDK_ERRORS, 'anthropic'); }
 * ```
 */
export function streamFailure(error: unknown, classes: SdkErrorClasses, provider: string): unknown {
  if (error instanceof classes.APIError || error instanceof classes.APIUserAbortError) return error;
  if (error instanceof ProviderError) return error;
  const cause = causeOf(error);
  if (error instanceof SyntaxError || cause instanceof SyntaxError) {
    return new ProviderError('PROVIDER_MALFORMED_RESPONSE', provider, 'an event of the response stream is not valid JSON');
  }
  if (isDroppedConnection(error) || isDroppedConnection(cause)) {
    return new ProviderError('PROVIDER_CONNECTION', provider, 'the connection dropped while the response stream was read');
  }
  return error;
}

/** The error of a stream that ended before its final event. */
export function streamEndedEarly(provider: string, finalEvent: string): ProviderError {
  return new ProviderError('PROVIDER_CONNECTION', provider, `the response stream ended before ${finalEvent}`);
}
