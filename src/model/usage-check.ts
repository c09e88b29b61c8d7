/**
 * Checks a provider's reported usage against what its request allowed: a
 * hostile or buggy server may report more tokens than it was allowed to
 * produce, or counts that are not counts at all.
 */
import { effectiveThinkingBudget } from '../protocols/model.js';
import type { ModelRequest, TokenUsage } from '../protocols/model.js';
import { upperBoundRequestTokens } from './token-bound.js';

/** The most tokens a request allows: its input's upper bound, and `maxTokens` plus the thinking budget of output. */
export function allowanceOf(request: ModelRequest): { inputTokens: number; outputTokens: number } {
  return { inputTokens: upperBoundRequestTokens(request), outputTokens: request.maxTokens + effectiveThinkingBudget(request) };
}

/** How the reported usage passes the request's allowance, or undefined when it does not. */
export function excessOf(request: ModelRequest, usage: TokenUsage): 'input' | 'output' | undefined {
  const allowed = allowanceOf(request);
  if (usage.outputTokens + usage.thinkingTokens > allowed.outputTokens) return 'output';
  if (usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens > allowed.inputTokens) return 'input';
  return undefined;
}

/** The first usage field that is not a whole count ≥ 0, as `field=value`, or undefined when all are. */
export function malformedUsage(usage: TokenUsage | undefined): string | undefined {
  if (typeof usage !== 'object' || usage === null) return 'usage missing';
  const fields = ['inputTokens', 'outputTokens', 'thinkingTokens', 'cacheReadTokens', 'cacheWriteTokens'] as const;
  for (const field of fields) {
    const value: unknown = usage[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return `${field}=${String(value)}`;
  }
  return undefined;
}
