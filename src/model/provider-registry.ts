/**
 * Provider selection: names → ModelProvider instances, created on first use.
 * Default: `simulated` unless an API key is set in the environment.
 */
import { ConfigError } from '../protocols/errors.js';
import type { ModelProvider } from '../protocols/model.js';
import { createAnthropicProvider } from '../providers/anthropic.js';
import { createOpenAIProvider } from '../providers/openai.js';
import { createSimulatedProvider } from '../providers/simulated/simulated.js';
import type { ResolvedConfig } from '../orchestrator/config.js';

export type BuiltInProviderName = 'simulated' | 'anthropic' | 'openai';

/** Which provider the orchestrator uses when the config names none. */
export function defaultProviderName(env: NodeJS.ProcessEnv = process.env): BuiltInProviderName {
  if (env.ANTHROPIC_API_KEY) return 'anthropic';
  if (env.OPENAI_API_KEY) return 'openai';
  return 'simulated';
}

/** A registry of providers by name. Built-in ones are created lazily from the config. */
export class ProviderRegistry {
  readonly #providers = new Map<string, ModelProvider>();
  readonly #config: ResolvedConfig;

  constructor(config: ResolvedConfig) {
    this.#config = config;
  }

  /** Registers a provider under its name (or `name`), replacing any earlier one. */
  register(provider: ModelProvider, name = provider.name): void {
    this.#providers.set(name, provider);
  }

  has(name: string): boolean {
    return this.#providers.has(name) || name === 'simulated' || name === 'anthropic' || name === 'openai';
  }

  /**
   * The provider called `name`.
   * @throws ConfigError for an unknown name; MissingApiKeyError for a real provider without a key.
   */
  get(name: string): ModelProvider {
    const existing = this.#providers.get(name);
    if (existing) return existing;
    const created = this.#create(name);
    this.#providers.set(name, created);
    return created;
  }

  #create(name: string): ModelProvider {
    const config = this.#config;
    switch (name) {
      case 'simulated':
        return createSimulatedProvider({
          seed: config.seed,
          latencyMs: config.simulated.latencyMs,
          jitterMs: config.simulated.jitterMs,
          failureRate: config.simulated.failureRate,
        });
      case 'anthropic':
        return createAnthropicProvider(config.anthropic ?? {});
      case 'openai':
        return createOpenAIProvider(config.openai ?? {});
      default:
        throw new ConfigError(
          'provider',
          `unknown provider "${name}": use simulated, anthropic, openai or register a ModelProvider`,
        );
    }
  }
}
