import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import type { TokenUsage } from '../../src/index.js';
import type { PriceTable } from '../../src/index.js';
import { costOfUsage, DEFAULT_PRICES, findPrice, mergePrices, requirePrice } from '../../src/providers/index.js';

const usage = (fields: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  thinkingTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  ...fields,
});

describe('pricing', () => {
  describe('findPrice', () => {
    it('finds a model by its exact name', () => {
      expect(findPrice('gpt-4o')).toBe(DEFAULT_PRICES['gpt-4o']);
      expect(findPrice('claude-sonnet-4-5')).toBe(DEFAULT_PRICES['claude-sonnet-4-5']);
    });

    it('finds a dated snapshot by its model prefix', () => {
      expect(findPrice('gpt-4o-2024-08-06')).toBe(DEFAULT_PRICES['gpt-4o']);
      expect(findPrice('claude-haiku-4-5-20251001')).toBe(DEFAULT_PRICES['claude-haiku-4-5']);
    });

    it('prefers the longest matching prefix, so gpt-4o-mini is not priced as gpt-4o', () => {
      expect(findPrice('gpt-4o-mini')).toBe(DEFAULT_PRICES['gpt-4o-mini']);
      expect(findPrice('gpt-4o-mini-2024-07-18')).toBe(DEFAULT_PRICES['gpt-4o-mini']);
      expect(findPrice('claude-sonnet-4-5-20250929')).toBe(DEFAULT_PRICES['claude-sonnet-4-5']);
      expect(findPrice('claude-sonnet-4-20250514')).toBe(DEFAULT_PRICES['claude-sonnet-4']);
      expect(findPrice('claude-opus-4-1-20250805')).toBe(DEFAULT_PRICES['claude-opus-4-1']);
      expect(findPrice('o1-pro-2025-03-19')).toBe(DEFAULT_PRICES['o1-pro']);
    });

    it('matches a prefix only at a dash boundary', () => {
      expect(findPrice('gpt-4omni')).toBeUndefined();
      expect(findPrice('o10')).toBeUndefined();
    });

    it('returns undefined for an unknown model', () => {
      expect(findPrice('llama3.1')).toBeUndefined();
    });

    it('searches the table it is given', () => {
      const table: PriceTable = {
        llama: { inputCentsPerMTok: 1, outputCentsPerMTok: 2, cacheReadCentsPerMTok: 0, cacheWriteCentsPerMTok: 1 },
      };
      expect(findPrice('llama-3.1-8b', table)).toBe(table['llama']);
      expect(findPrice('gpt-4o', table)).toBeUndefined();
    });
  });

  describe('requirePrice', () => {
    it('returns the price of a known model', () => {
      expect(requirePrice('gpt-4o-2024-08-06')).toBe(DEFAULT_PRICES['gpt-4o']);
    });

    it('throws a ConfigError naming the model and the field for an unknown model', () => {
      let thrown: unknown;
      try {
        requirePrice('mystery-model', DEFAULT_PRICES, 'agents.writer.model');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect(thrown).toMatchObject({ code: 'CONFIG_INVALID', field: 'agents.writer.model' });
      expect(String(thrown)).toContain('mystery-model');
    });
  });

  describe('costOfUsage', () => {
    it('prices each kind of token at its own rate, in cents', () => {
      // claude-sonnet-4-5: $3 in, $15 out, $0.30 cache read, $3.75 cache write per MTok.
      const price = requirePrice('claude-sonnet-4-5');
      const cost = costOfUsage(
        usage({ inputTokens: 1000, outputTokens: 500, thinkingTokens: 250, cacheReadTokens: 10_000, cacheWriteTokens: 2000 }),
        price,
      );
      // (1000·300 + 750·1500 + 10000·30 + 2000·375) / 1e6 cents
      expect(cost).toBeCloseTo(2.475, 10);
    });

    it('bills thinking tokens at the output price', () => {
      const price = requirePrice('o3');
      expect(costOfUsage(usage({ thinkingTokens: 1_000_000 }), price)).toBe(price.outputCentsPerMTok);
      expect(costOfUsage(usage({ thinkingTokens: 400 }), price)).toBe(costOfUsage(usage({ outputTokens: 400 }), price));
    });

    it('costs a million input tokens exactly the input price', () => {
      const price = requirePrice('gpt-4o-mini');
      expect(costOfUsage(usage({ inputTokens: 1_000_000 }), price)).toBeCloseTo(15, 10);
    });

    it('costs nothing for empty usage or the simulated model', () => {
      expect(costOfUsage(usage({}), requirePrice('gpt-5'))).toBe(0);
      expect(costOfUsage(usage({ inputTokens: 5000, outputTokens: 5000 }), requirePrice('simulated'))).toBe(0);
    });
  });

  describe('the default table', () => {
    it('has non-negative prices with cached input never dearer than fresh input', () => {
      for (const [model, price] of Object.entries(DEFAULT_PRICES)) {
        const values = Object.values(price);
        expect(values.every((value) => Number.isFinite(value) && value >= 0), model).toBe(true);
        expect(price.cacheReadCentsPerMTok, model).toBeLessThanOrEqual(price.inputCentsPerMTok);
      }
    });

    it('lets overrides replace or add entries without changing the defaults', () => {
      const custom = { inputCentsPerMTok: 7, outputCentsPerMTok: 8, cacheReadCentsPerMTok: 1, cacheWriteCentsPerMTok: 7 };
      const merged = mergePrices({ 'gpt-4o': custom, 'my-model': custom });
      expect(findPrice('gpt-4o-2024-08-06', merged)).toBe(custom);
      expect(findPrice('my-model', merged)).toBe(custom);
      expect(findPrice('gpt-4o')).not.toBe(custom);
      expect(mergePrices(undefined)).toBe(DEFAULT_PRICES);
    });
  });
});
