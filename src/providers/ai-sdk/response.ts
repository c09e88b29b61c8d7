/**
 * An AI SDK 6 generate result (`LanguageModelV3GenerateResult`) as a troupe
 * {@link ModelResponse}: text, reasoning, tool calls, the structured value
 * (parsed and checked against the requested schema), usage and stop reason.
 */
import type { LanguageModelV3FinishReason, LanguageModelV3GenerateResult, LanguageModelV3Usage } from '@ai-sdk/provider';
import { z } from 'zod';
import { ProviderError } from '../../protocols/errors/errors.js';
import { estimateRequestTokens, estimateTokens } from '../../protocols/model.js';
import type { JsonSchema, ModelRequest, ModelResponse, StopReason, ToolCall, TokenUsage } from '../../protocols/model.js';
import { malformedResponse } from '../provider-errors.js';

type ZodJsonSchema = Parameters<typeof z.fromJSONSchema>[0];

const SCHEMA_DIALECTS: readonly unknown[] = [
  undefined,
  'https://json-schema.org/draft/2020-12/schema',
  'http://json-schema.org/draft-07/schema#',
  'http://json-schema.org/draft-04/schema#',
];

/** Checks the top-level fields whose types zod's JSON Schema reader insists on; it reads the rest as they come. */
function isReadableSchema(schema: JsonSchema): schema is JsonSchema & Exclude<ZodJsonSchema, boolean> {
  const type = schema['type'];
  const properties = schema['properties'];
  return (
    (type === undefined || typeof type === 'string' || Array.isArray(type)) &&
    (properties === undefined || (typeof properties === 'object' && properties !== null)) &&
    SCHEMA_DIALECTS.includes(schema['$schema'])
  );
}

/**
 * A validator for the requested structured output, built before the call so a
 * schema that cannot be checked fails without spending tokens.
 * @throws ProviderError `PROVIDER_BAD_REQUEST` for a schema zod cannot read.
 */
export function structuredValidator(request: ModelRequest, provider: string): z.ZodType | undefined {
  const structured = request.structuredOutput;
  if (!structured) return undefined;
  const { schema } = structured;
  if (!isReadableSchema(schema)) {
    throw new ProviderError('PROVIDER_BAD_REQUEST', provider, `the schema of "${structured.name}" is not a JSON Schema object`);
  }
  try {
    return z.fromJSONSchema(schema);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProviderError('PROVIDER_BAD_REQUEST', provider, `the schema of "${structured.name}" cannot be checked: ${reason}`);
  }
}

function parseJson(text: string, provider: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformedResponse(provider, `${what} is not valid JSON`);
  }
}

/** The JSON of a structured answer, without the Markdown code fence some models wrap it in. */
function unfence(text: string): string {
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/.exec(text.trim());
  return fenced?.[1] ?? text.trim();
}

function toStopReason(reason: LanguageModelV3FinishReason, hasToolCalls: boolean): StopReason {
  switch (reason.unified) {
    case 'stop':
      if (hasToolCalls) return 'tool_use';
      return reason.raw === 'stop_sequence' ? 'stop_sequence' : 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'content-filter':
      return 'refusal';
    case 'tool-calls':
      return 'tool_use';
    case 'error':
    case 'other':
      return hasToolCalls ? 'tool_use' : 'other';
  }
}

/**
 * The port's non-overlapping counts from the AI SDK's totals and breakdowns.
 * A model that reports no totals is estimated (about four characters a token),
 * so cost limits still see the call.
 */
function toUsage(usage: LanguageModelV3Usage, request: ModelRequest, text: string, thinking: string): TokenUsage {
  const { inputTokens: input, outputTokens: output } = usage;
  const cacheReadTokens = input.cacheRead ?? 0;
  const cacheWriteTokens = input.cacheWrite ?? 0;
  const inputTokens =
    input.noCache ?? (input.total === undefined ? estimateRequestTokens(request) : Math.max(0, input.total - cacheReadTokens - cacheWriteTokens));
  const outputTotal = output.total ?? (output.text ?? estimateTokens(text)) + (output.reasoning ?? estimateTokens(thinking));
  // Some providers count reasoning inside the output total without a breakdown: estimate it from the text.
  const thinkingTokens = output.reasoning ?? Math.min(outputTotal, estimateTokens(thinking));
  const outputTokens = output.text ?? Math.max(0, outputTotal - thinkingTokens);
  return { inputTokens, outputTokens, thinkingTokens, cacheReadTokens, cacheWriteTokens };
}

/** Reads the structured value of an answer; a truncated answer has none rather than failing. */
function structuredValue(
  text: string,
  validator: z.ZodType,
  stopReason: StopReason,
  request: ModelRequest,
  provider: string,
): { value: unknown } | undefined {
  const name = request.structuredOutput?.name ?? 'structured output';
  if (stopReason === 'max_tokens' || stopReason === 'refusal') return undefined;
  const value = parseJson(unfence(text), provider, `the structured output "${name}"`);
  const checked = validator.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw malformedResponse(provider, `the structured output "${name}" does not match its schema${where}: ${issue?.message ?? 'invalid'}`);
  }
  return { value };
}

/**
 * The troupe response for an AI SDK result.
 * @throws ProviderError `PROVIDER_MALFORMED_RESPONSE` for tool arguments or a structured value that are not valid JSON, or a value off its schema.
 */
export function toModelResponse(
  result: LanguageModelV3GenerateResult,
  request: ModelRequest,
  context: { readonly provider: string; readonly modelId: string; readonly validator: z.ZodType | undefined },
): ModelResponse {
  const { provider } = context;
  const texts: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const part of result.content) {
    if (part.type === 'text') texts.push(part.text);
    else if (part.type === 'reasoning') reasoning.push(part.text);
    else if (part.type === 'tool-call' && part.providerExecuted !== true) {
      const input = part.input.trim() === '' ? {} : parseJson(part.input, provider, `the arguments of tool call "${part.toolName}"`);
      toolCalls.push({ id: part.toolCallId, name: part.toolName, input });
    }
    // Files, sources, approval requests and provider-executed tool results are not part of the port.
  }
  const text = texts.join('');
  const thinking = reasoning.join('\n');
  const stopReason = toStopReason(result.finishReason, toolCalls.length > 0);
  // A turn that only calls tools carries no answer yet.
  const answered = toolCalls.length === 0 || text.trim() !== '';
  const structured = context.validator && answered ? structuredValue(text, context.validator, stopReason, request, provider) : undefined;
  return {
    text,
    toolCalls,
    usage: toUsage(result.usage, request, text, thinking),
    model: result.response?.modelId ?? context.modelId,
    stopReason,
    ...(thinking === '' ? {} : { thinking }),
    ...(structured === undefined ? {} : { structured: structured.value }),
  };
}
