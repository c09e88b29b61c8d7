/**
 * API key lookup for the real providers: an explicit key wins, else the
 * provider's environment variable, which is only sent to the provider's own
 * host (see {@link routeApiKey}). The key itself is never put in a message.
 */
import { ConfigError, MissingApiKeyError } from '../protocols/errors/errors.js';

/** Environment to read keys from; `process.env` unless a test passes its own. */
export type KeySource = Readonly<Record<string, string | undefined>>;

/**
 * Returns the explicit key, else the variable's value, else `undefined`.
 * Blank strings count as missing, so `ANTHROPIC_API_KEY=` does not pass as a key.
 *
 * @example
 * ```ts
 * const key = findApiKey(undefined, 'OPENAI_API_KEY'); // process.env.OPENAI_API_KEY or undefined
 * ```
 */
export function findApiKey(
  explicit: string | undefined,
  variable: string,
  env: KeySource = process.env,
): string | undefined {
  if (explicit !== undefined && explicit.trim() !== '') return explicit;
  const fromEnv = env[variable];
  return fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : undefined;
}

/**
 * Like {@link findApiKey}, but a missing key throws {@link MissingApiKeyError}
 * naming the variable (never a value).
 *
 * @example
 * ```ts
 * const key = requireApiKey(options.apiKey, 'anthropic', 'ANTHROPIC_API_KEY');
 * ```
 */
export function requireApiKey(
  explicit: string | undefined,
  provider: string,
  variable: string,
  env: KeySource = process.env,
): string {
  const key = findApiKey(explicit, variable, env);
  if (key === undefined) throw new MissingApiKeyError(provider, variable);
  return key;
}

/** Where a provider's key may go: its own host, and the base URL its environment names. */
export interface KeyRouting {
  /** The key passed in the provider's options: sent wherever `baseURL` points. */
  readonly explicit: string | undefined;
  /** The environment variable holding the key, e.g. `OPENAI_API_KEY`. */
  readonly variable: string;
  /** The environment variable the SDK reads its base URL from, e.g. `OPENAI_BASE_URL`. */
  readonly baseURLVariable: string;
  /** The `baseURL` passed in the provider's options, if any. */
  readonly baseURL: string | undefined;
  /** Whether `hostname` (of an https URL) is the provider's own API host. */
  readonly isOwnHost: (hostname: string) => boolean;
  /** Config field named by the ConfigError of an unparsable `baseURL`, e.g. `openai.baseURL`. */
  readonly field: string;
}

/** The key a provider sends, and whether an environment key was held back from a foreign `baseURL`. */
export type RoutedKey =
  | { readonly key: string; readonly source: 'explicit' | 'environment' }
  | { readonly key: undefined; readonly withheld: boolean };

function sameURL(a: string, b: string): boolean {
  const normal = (url: string): string => url.trim().replace(/\/+$/, '');
  return normal(a) === normal(b);
}

/**
 * The key to send: the explicit one wherever `baseURL` points; the
 * environment's only to the provider's own host (over https) or to the base
 * URL set in the same environment (`OPENAI_BASE_URL`, `ANTHROPIC_BASE_URL`,
 * which the SDKs use when no `baseURL` is passed). A `baseURL` written in
 * config (possibly by someone else) never receives a key it was not given.
 *
 * @example
 * ```ts
 * routeApiKey({ explicit: undefined, variable: 'OPENAI_API_KEY', baseURLVariable: 'OPENAI_BASE_URL',
 *   baseURL: 'http://127.0.0.1:11434/v1', isOwnHost: (host) => host === 'api.openai.com', field: 'openai.baseURL' });
 * // { key: undefined, withheld: true } when only OPENAI_API_KEY is set
 * ```
 * @throws ConfigError when `baseURL` is not a URL.
 */
export function routeApiKey(routing: KeyRouting, env: KeySource = process.env): RoutedKey {
  const { explicit, variable, baseURL } = routing;
  // Parsed first, so a bad baseURL is a ConfigError now whatever the key.
  const ownURL = baseURL === undefined || isOwnURL(baseURL, routing);
  if (explicit !== undefined && explicit.trim() !== '') return { key: explicit, source: 'explicit' };
  const fromEnv = findApiKey(undefined, variable, env);
  if (fromEnv === undefined) return { key: undefined, withheld: false };
  if (ownURL) return { key: fromEnv, source: 'environment' };
  const envBaseURL = env[routing.baseURLVariable];
  if (envBaseURL !== undefined && envBaseURL.trim() !== '' && sameURL(baseURL, envBaseURL)) return { key: fromEnv, source: 'environment' };
  return { key: undefined, withheld: true };
}

/**
 * Whether `baseURL` is the provider's own API (https and its own host).
 * @throws ConfigError when `baseURL` is not a URL.
 */
export function isOwnURL(baseURL: string, routing: Pick<KeyRouting, 'isOwnHost' | 'field'>): boolean {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new ConfigError(routing.field, `"${baseURL}" is not a valid URL`);
  }
  return url.protocol === 'https:' && routing.isOwnHost(url.hostname);
}
