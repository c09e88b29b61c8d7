/**
 * The runtime shapes of troupe's data, as zod schemas. A custom agent type's
 * replies are checked against them where they enter (the agent pool), and the
 * journal's record schemas compose them to check what it reads back from disk.
 * (A provider's response is checked on every call by a hand-written check at
 * the model boundary's terminal, model/response-check.ts: a parse would copy it.)
 */
import { z } from 'zod';

/** Finite numbers only (z.number rejects NaN and ±Infinity). */
export const finiteShape = z.number();
/** A whole number ≥ 0 (token counts, rounds, attempts). */
export const countShape = z.number().int().nonnegative();
/** A finite number ≥ 0 (costs, durations). */
export const amountShape = z.number().nonnegative();

/** A `TokenUsage`. */
export const tokenUsageShape = z.object({
  inputTokens: countShape,
  outputTokens: countShape,
  thinkingTokens: countShape,
  cacheReadTokens: countShape,
  cacheWriteTokens: countShape,
});

/** An `ErrorData`. */
export const errorDataShape = z.object({
  code: z.string(),
  name: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  retryAfterSeconds: amountShape.optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** An `AlternativeResult`. */
export const alternativeShape = z.object({ output: z.string(), confidence: finiteShape, critique: z.string(), round: countShape });

/** A `ModelResponse`. */
export const modelResponseShape = z.object({
  text: z.string(),
  thinking: z.string().optional(),
  toolCalls: z.array(z.object({ id: z.string(), name: z.string(), input: z.unknown() })),
  structured: z.unknown().optional(),
  usage: tokenUsageShape,
  model: z.string(),
  stopReason: z.enum(['end_turn', 'max_tokens', 'tool_use', 'stop_sequence', 'refusal', 'other']),
  truncated: z.boolean().optional(),
  simulated: z.boolean().optional(),
});

/** An `AgentTaskResult`. */
export const agentTaskResultShape = z.object({
  output: z.string(),
  structured: z.unknown().optional(),
  thinkingProcess: z.string(),
  confidence: z.number().min(0).max(1),
  critique: z.string(),
  alternatives: z.array(alternativeShape),
  usage: tokenUsageShape,
  costCents: amountShape,
  durationSeconds: amountShape,
  modelCalls: countShape,
  simulated: z.boolean(),
  truncated: z.boolean().optional(),
});

/** An `AgentFailure`. */
export const agentFailureShape = z.object({ error: errorDataShape, usage: tokenUsageShape, costCents: amountShape });

/** A `ModelPrice`: US cents per million tokens, each ≥ 0. */
export const modelPriceShape = z.object({
  inputCentsPerMTok: amountShape,
  outputCentsPerMTok: amountShape,
  cacheReadCentsPerMTok: amountShape,
  cacheWriteCentsPerMTok: amountShape,
});

/** What is wrong with a value: the field (dotted path, `(value)` for the value itself) and why. */
export interface ShapeProblem {
  readonly field: string;
  readonly reason: string;
}

/**
 * The first problem of `value` against `shape`, or undefined when it fits.
 *
 * @example
 * ```ts
 * shapeProblem(tokenUsageShape, { inputTokens: -1, outputTokens: 0, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
 * // { field: 'inputTokens', reason: 'Too small: expected number to be >=0' }
 * ```
 */
export function shapeProblem(shape: z.ZodType, value: unknown): ShapeProblem | undefined {
  const parsed = shape.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  if (!issue) return { field: '(value)', reason: 'does not fit' };
  return { field: issue.path.length === 0 ? '(value)' : issue.path.map(String).join('.'), reason: issue.message };
}
