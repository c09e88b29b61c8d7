/**
 * The ModelProvider port: the one shape every model (simulated, scripted,
 * Anthropic, OpenAI, replay) speaks. Actors never see an SDK, only this.
 */

import type { ModelPrice } from './pricing.js';

/** A JSON Schema object (draft 2020-12 subset the providers understand). */
export type JsonSchema = { readonly [key: string]: unknown };

/** One block of the system prompt. `cache: true` marks the end of a cacheable prefix. */
export interface SystemBlock {
  readonly text: string;
  /** Providers that support prompt caching cache everything up to and including this block. */
  readonly cache?: boolean;
}

/** A plain string, or blocks when part of the prompt is a shared, cacheable prefix. */
export type SystemPrompt = string | readonly SystemBlock[];

export interface TextBlock {
  readonly type: 'text';
  readonly text: string;
  /** Cache everything up to and including this block (shared context). */
  readonly cache?: boolean;
}

export interface ToolUseBlock {
  readonly type: 'tool_use';
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
}

export interface ToolResultBlock {
  readonly type: 'tool_result';
  readonly toolUseId: string;
  readonly content: string;
  readonly isError?: boolean;
}

export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock;

export interface ModelMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string | readonly ContentBlock[];
}

/** A tool the model may call. `inputSchema` is the JSON Schema of its arguments. */
export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
}

/** Ask for a structured value that satisfies `schema`. */
export interface StructuredOutputRequest {
  readonly name: string;
  readonly description?: string;
  readonly schema: JsonSchema;
}

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

export interface ModelRequest {
  /** Model name, e.g. `claude-sonnet-4-5` or `gpt-4o`. */
  readonly model: string;
  readonly system?: SystemPrompt;
  readonly messages: readonly ModelMessage[];
  readonly tools?: readonly ToolDefinition[];
  /** `auto` (default) lets the model choose; `none` forbids tool calls; a name forces that tool. */
  readonly toolChoice?: 'auto' | 'none' | { readonly name: string };
  readonly structuredOutput?: StructuredOutputRequest;
  readonly temperature?: number;
  readonly maxTokens: number;
  /**
   * Extended thinking budget in tokens; absent means thinking off. Providers
   * raise a smaller budget to {@link MIN_THINKING_BUDGET_TOKENS}.
   */
  readonly thinkingBudgetTokens?: number;
  /** For reasoning models (OpenAI o-series, gpt-5): how hard to think. */
  readonly reasoningEffort?: ReasoningEffort;
  readonly signal?: AbortSignal;
}

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
}

/**
 * Tokens of one or more calls. The fields do not overlap: `inputTokens` excludes
 * cached input (read or written), `outputTokens` excludes thinking/reasoning.
 * Thinking tokens are billed at the output price.
 */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly thinkingTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence' | 'refusal' | 'other';

export interface ModelResponse {
  readonly text: string;
  readonly thinking?: string;
  readonly toolCalls: readonly ToolCall[];
  /** The parsed structured value when `structuredOutput` was requested. */
  readonly structured?: unknown;
  readonly usage: TokenUsage;
  /** The model that answered (may be a dated snapshot of the requested one). */
  readonly model: string;
  readonly stopReason: StopReason;
  /**
   * True when the output was cut at the request's `maxTokens` (stop reason
   * `max_tokens`, OpenAI's `length`): the text is incomplete. Set by the model gateway.
   */
  readonly truncated?: boolean;
  /** True when no real model produced this (the simulated provider). */
  readonly simulated?: boolean;
}

/**
 * What a streaming model produced since its previous delta.
 * `text`: the answer; `thinking`: reasoning text; `structured`: JSON text of
 * the structured output; `tool_input`: JSON text of a tool call's arguments.
 */
export interface ModelDelta {
  readonly kind: 'text' | 'thinking' | 'structured' | 'tool_input';
  /** The new characters (never empty). */
  readonly text: string;
  /** The tool whose arguments a `tool_input` delta carries. */
  readonly toolName?: string;
}

/** Receives a stream's deltas in order. Must not throw; it runs inside the provider's read loop. */
export type ModelDeltaSink = (delta: ModelDelta) => void;

/**
 * The port. Implementations must honour `request.signal` (reject promptly with
 * an abort error) and throw {@link ProviderError}s for provider failures.
 */
export interface ModelProvider {
  /** Short name used in pricing, logs and journals: `simulated`, `anthropic`, `openai`, ... */
  readonly name: string;
  /**
   * The price of every call this provider answers, whatever `request.model`
   * says; absent, calls are priced from the price table by model name.
   */
  readonly price?: ModelPrice;
  complete(request: ModelRequest): Promise<ModelResponse>;
  /**
   * Optional streaming form of {@link complete}: calls `onDelta` for each
   * piece as it arrives, then resolves with the same {@link ModelResponse}
   * `complete` would give (text, tool calls, usage, stop reason). A provider
   * without it still works: the gateway calls `complete` and reports the
   * whole answer as one delta.
   *
   * @example
   * ```ts
   * const response = await provider.stream?.(request, (delta) => process.stdout.write(delta.text));
   * ```
   */
  stream?(request: ModelRequest, onDelta: ModelDeltaSink): Promise<ModelResponse>;
  /** The provider's own token count for a request, when it offers one. */
  countTokens?(request: ModelRequest): Promise<number>;
}

/** Usage with every count zero. */
/**
 * The smallest thinking budget a provider is asked for (Anthropic rejects
 * less). A request with a smaller `thinkingBudgetTokens` is sent, and its cost
 * reserved, with this budget, so a limit holds for it too.
 */
export const MIN_THINKING_BUDGET_TOKENS = 1024;

/** The thinking budget a request is sent with: 0 when thinking is off. */
export function effectiveThinkingBudget(request: Pick<ModelRequest, 'thinkingBudgetTokens'>): number {
  if (request.thinkingBudgetTokens === undefined) return 0;
  return Math.max(MIN_THINKING_BUDGET_TOKENS, Math.floor(request.thinkingBudgetTokens));
}

export const EMPTY_USAGE: TokenUsage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  thinkingTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});

/** Sums token usages field by field. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    thinkingTokens: a.thinkingTokens + b.thinkingTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

/** Flattens a system prompt to text. */
export function systemText(system: SystemPrompt | undefined): string {
  if (system === undefined) return '';
  return typeof system === 'string' ? system : system.map((block) => block.text).join('\n\n');
}

/** Flattens a message's content to text (tool blocks rendered compactly). */
export function messageText(message: ModelMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((block) => {
      switch (block.type) {
        case 'text':
          return block.text;
        case 'tool_use':
          return `[tool ${block.name} ${JSON.stringify(block.input)}]`;
        case 'tool_result':
          return block.content;
      }
    })
    .join('\n');
}

/**
 * Tokenizer-free estimate: about four characters per token for English text,
 * the ratio both Anthropic and OpenAI document as a rule of thumb.
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Estimated input tokens of a request: system, messages, tools and schema. */
export function estimateRequestTokens(request: Pick<ModelRequest, 'system' | 'messages' | 'tools' | 'structuredOutput'>): number {
  let total = estimateTokens(systemText(request.system));
  for (const message of request.messages) total += estimateTokens(messageText(message)) + 4;
  for (const tool of request.tools ?? []) {
    total += estimateTokens(tool.name + tool.description + JSON.stringify(tool.inputSchema));
  }
  if (request.structuredOutput) total += estimateTokens(JSON.stringify(request.structuredOutput.schema));
  return total;
}
