/** Prices of a model, in US cents per million tokens. */
export interface ModelPrice {
  readonly inputCentsPerMTok: number;
  readonly outputCentsPerMTok: number;
  readonly cacheReadCentsPerMTok: number;
  readonly cacheWriteCentsPerMTok: number;
}

/** Model name (or name prefix) → price. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;
