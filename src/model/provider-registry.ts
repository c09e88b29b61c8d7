/**
 * Provider selection: names → ModelProvider instances, created on first use.
 * Default: `simulated` unless an API key is set in the environment.
 */
import { ConfigError } from '../protocols/errors/errors.js';
import type { ModelProvider } from '../protocols/model.js';
import type { ModelPrice } from '../protocols/pricing.js';
import { modelPriceShape, shapeProblem } from '../protocols/shapes.js';
import { createAnthropicProvider } from '../providers/anthropic.js';
import { createOpenAIProvider } from '../providers/openai.js';
import { createSimulatedProvider } from '../providers/simulated/simulated.js';
import { closestMatch } from '../util/closest-match.js';

/** Where a built-in provider connects: a key and a base URL, each optional. */
export interface ProviderConnectionSettings {
  readonly apiKey?: string | undefined;
  readonly baseURL?: string | undefined;
}

/** What the registry needs to create the built-in providers (the orchestrator's resolved config fits). */
export interface ProviderRegistrySettings {
  readonly seed: number;
  readonly simulated: { readonly latencyMs: number; readonly jitterMs: number; readonly failureRate: number };
  readonly anthropic?: ProviderConnectionSettings | undefined;
  readonly openai?: ProviderConnectionSettings | undefined;
}

/** A provider block with its `baseURL` taken from the environment when the block sets none (blank counts as unset). */
function withBaseURL(block: ProviderConnectionSettings | undefined, fromEnv: string | undefined): ProviderConnectionSettings {
  if (block?.baseURL !== undefined || fromEnv === undefined || fromEnv.trim() === '') return block ?? {};
  return { ...block, baseURL: fromEnv.trim() };
}

export type BuiltInProviderName = 'simulated' | 'anthropic' | 'openai';

/** Which provider the orchestrator uses when the config names none. */
export function defaultProviderName(env: NodeJS.ProcessEnv = process.env): BuiltInProviderName {
  if (env.ANTHROPIC_API_KEY) return 'anthropic';
  if (env.OPENAI_API_KEY) return 'openai';
  return 'simulated';
}

/** The provider blocks of a config: which real providers it configures. */
export interface ProviderBlocks {
  readonly anthropic?: object | undefined;
  readonly openai?: object | undefined;
}

/**
 * The provider a config selects when it names none: the one whose block
 * (`anthropic: {...}` or `openai: {...}`) is set, else the one an API key in
 * the environment selects, else `simulated`.
 * @throws ConfigError when both blocks are set (which one is meant is unclear).
 * @example
 * ```ts
 * selectedProviderName({ anthropic: { baseURL: 'http://127.0.0.1:8080' } }); // 'anthropic'
 * selectedProviderName({}, {}); // 'simulated'
 * ```
 */
export function selectedProviderName(blocks: ProviderBlocks, env: NodeJS.ProcessEnv = process.env): BuiltInProviderName {
  if (blocks.anthropic !== undefined && blocks.openai !== undefined) {
    throw new ConfigError('provider', 'both an anthropic and an openai block are set: name the provider to use ("anthropic" or "openai")');
  }
  if (blocks.anthropic !== undefined) return 'anthropic';
  if (blocks.openai !== undefined) return 'openai';
  return defaultProviderName(env);
}

/** A registry of providers by name. Built-in ones are created lazily from the config. */
export class ProviderRegistry {
  readonly #providers = new Map<string, ModelProvider>();
  readonly #config: ProviderRegistrySettings;
  readonly #env: NodeJS.ProcessEnv;

  /** `env` supplies `ANTHROPIC_BASE_URL` / `OPENAI_BASE_URL` for a provider block without a `baseURL`. */
  constructor(config: ProviderRegistrySettings, env: NodeJS.ProcessEnv = process.env) {
    this.#config = config;
    this.#env = env;
  }

  /**
   * Registers a provider under its name (or `name`), replacing any earlier one.
   * @throws ConfigError for an own `price` that is not a ModelPrice (every call's cost would be NaN).
   */
  register(provider: ModelProvider, name = provider.name): void {
    if (provider.price !== undefined) {
      const problem = shapeProblem(modelPriceShape, provider.price);
      if (problem) throw new ConfigError(`provider.price.${problem.field}`, problem.reason);
    }
    this.#providers.set(name, provider);
  }

  /** The own price of a registered provider instance (an adapter wrapping one model), if it has one. */
  ownPrice(name: string): ModelPrice | undefined {
    return this.#providers.get(name)?.price;
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
        return createAnthropicProvider(withBaseURL(config.anthropic, this.#env.ANTHROPIC_BASE_URL));
      case 'openai':
        return createOpenAIProvider(withBaseURL(config.openai, this.#env.OPENAI_BASE_URL));
      default:
        throw this.#unknown(name, 'provider');
    }
  }

  /**
   * Checks that `name` is a built-in or registered provider, without creating it.
   * @throws ConfigError naming `field`, the known providers and the nearest one.
   */
  assertKnown(name: string, field: string): void {
    if (!this.has(name)) throw this.#unknown(name, field);
  }

  #unknown(name: string, field: string): ConfigError {
    const known = [...new Set(['simulated', 'anthropic', 'openai', ...this.#providers.keys()])];
    const hint = closestMatch(name, known, { ignoreCase: true });
    return new ConfigError(
      field,
      `unknown provider "${name}"${hint ? `; did you mean "${hint}"?` : ''}: use ${known.join(', ')} or register a ModelProvider`,
    );
  }
}
