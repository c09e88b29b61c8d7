/**
 * The SDK behind a provider is loaded on the provider's first call, not when
 * troupe is imported: a program on the simulated model, or on one provider,
 * never pays for loading the other SDK.
 */
import { ConfigError, toErrorData } from '../protocols/errors/errors.js';
import { loadOnce } from '../util/load-once.js';
import type { SdkErrorClasses } from './provider-errors.js';

/** A provider's SDK client, made on first use, with the SDK's error classes for mapping its failures. */
export interface SdkClient<Client> {
  readonly client: Client;
  readonly classes: SdkErrorClasses;
}

/**
 * Loads an SDK package once per process. A package that cannot be loaded (a
 * broken install) rejects every call with a {@link ConfigError} naming it.
 *
 * @example
 * ```ts
 * const loadOpenAI = loadSdkPackage('openai', 'openai', () => import('openai'));
 * const sdk = await loadOpenAI(); // imported on the first call only
 * ```
 */
export function loadSdkPackage<Module>(provider: string, packageName: string, load: () => Promise<Module>): () => Promise<Module> {
  return loadOnce(async () => {
    try {
      return await load();
    } catch (error) {
      throw new ConfigError('provider', `the ${provider} provider needs the ${packageName} package, which could not be loaded (npm install ${packageName}): ${toErrorData(error).message}`);
    }
  });
}
