/**
 * API key lookup for the real providers: an explicit key wins, else the
 * provider's environment variable. The key itself is never put in a message.
 */
import { MissingApiKeyError } from '../protocols/errors.js';

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
