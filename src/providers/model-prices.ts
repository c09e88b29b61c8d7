/**
 * Per-million-token prices in US cents. Sources, read 2025-11 (the providers'
 * public pricing pages, anthropic.com/pricing and openai.com/api/pricing):
 * prices for prompts up to 200k tokens; batch discounts not applied.
 * OpenAI has no cache-write surcharge, so its cache write is the input price.
 * Override any entry with `pricing` in the orchestrator config.
 */
import { ConfigError } from '../protocols/errors/errors.js';
import type { TokenUsage } from '../protocols/model.js';
import type { ModelPrice, PriceTable } from '../protocols/pricing.js';

function usd(input: number, output: number, cacheRead: number, cacheWrite: number): ModelPrice {
  return {
    inputCentsPerMTok: input * 100,
    outputCentsPerMTok: output * 100,
    cacheReadCentsPerMTok: cacheRead * 100,
    cacheWriteCentsPerMTok: cacheWrite * 100,
  };
}

/** The built-in table. Keys match a model name exactly or as a prefix (dated snapshots). */
export const DEFAULT_PRICES: PriceTable = {
  // Anthropic (cache write = 5-minute TTL write, 1.25× input; cache read 0.1× input)
  'claude-opus-4-5': usd(5, 25, 0.5, 6.25),
  'claude-opus-4-1': usd(15, 75, 1.5, 18.75),
  'claude-opus-4': usd(15, 75, 1.5, 18.75),
  'claude-sonnet-4-5': usd(3, 15, 0.3, 3.75),
  'claude-sonnet-4': usd(3, 15, 0.3, 3.75),
  'claude-haiku-4-5': usd(1, 5, 0.1, 1.25),
  'claude-3-7-sonnet': usd(3, 15, 0.3, 3.75),
  'claude-3-5-sonnet': usd(3, 15, 0.3, 3.75),
  'claude-3-5-haiku': usd(0.8, 4, 0.08, 1),
  'claude-3-opus': usd(15, 75, 1.5, 18.75),
  'claude-3-haiku': usd(0.25, 1.25, 0.03, 0.3),
  // OpenAI (cached input discount; reasoning tokens billed as output)
  'gpt-5': usd(1.25, 10, 0.125, 1.25),
  'gpt-5-mini': usd(0.25, 2, 0.025, 0.25),
  'gpt-5-nano': usd(0.05, 0.4, 0.005, 0.05),
  'gpt-4.1': usd(2, 8, 0.5, 2),
  'gpt-4.1-mini': usd(0.4, 1.6, 0.1, 0.4),
  'gpt-4.1-nano': usd(0.1, 0.4, 0.025, 0.1),
  'gpt-4o': usd(2.5, 10, 1.25, 2.5),
  'gpt-4o-mini': usd(0.15, 0.6, 0.075, 0.15),
  // The "-pro" and "-mini" variants need their own rows: by prefix they would
  // otherwise take the base model's price (o1-pro would be billed 10× too low).
  // The pro models have no cached-input discount.
  'gpt-5-pro': usd(15, 120, 15, 15),
  o1: usd(15, 60, 7.5, 15),
  'o1-pro': usd(150, 600, 150, 150),
  'o1-mini': usd(1.1, 4.4, 0.55, 1.1),
  o3: usd(2, 8, 0.5, 2),
  'o3-pro': usd(20, 80, 20, 20),
  'o3-mini': usd(1.1, 4.4, 0.55, 1.1),
  'o4-mini': usd(1.1, 4.4, 0.275, 1.1),
  // Offline: the simulated model's own name costs nothing.
  simulated: usd(0, 0, 0, 0),
};

/**
 * Finds the price of `model`: an exact key, else the longest key that is a
 * prefix followed by `-` (so `gpt-4o-2024-08-06` is gpt-4o, `gpt-4o-mini` is gpt-4o-mini).
 */
export function findPrice(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  const exact = table[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (model.startsWith(`${key}-`) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

/** Like {@link findPrice}, but an unknown model is a ConfigError. */
export function requirePrice(model: string, table: PriceTable = DEFAULT_PRICES, field = 'model'): ModelPrice {
  const price = findPrice(model, table);
  if (!price) {
    throw new ConfigError(
      field,
      `no price is known for model "${model}"; add it under "pricing" so cost limits can be enforced`,
    );
  }
  return price;
}

/** Cost of `usage` at `price`, in cents (sub-cent precision). */
export function costOfUsage(usage: TokenUsage, price: ModelPrice): number {
  return (
    (usage.inputTokens * price.inputCentsPerMTok +
      (usage.outputTokens + usage.thinkingTokens) * price.outputCentsPerMTok +
      usage.cacheReadTokens * price.cacheReadCentsPerMTok +
      usage.cacheWriteTokens * price.cacheWriteCentsPerMTok) /
    1_000_000
  );
}

/** Merges user overrides over the defaults. */
export function mergePrices(overrides: PriceTable | undefined): PriceTable {
  return overrides ? { ...DEFAULT_PRICES, ...overrides } : DEFAULT_PRICES;
}
