/**
 * The Anthropic provider: the {@link ModelProvider} port on `@anthropic-ai/sdk`'s
 * Messages API, plain or streamed (anthropic-stream.ts). The SDK's own retries are off: retries are the
 * gateway's, one policy for every provider. The `@anthropic-ai/sdk` package is
 * loaded on a provider's first call, not when troupe is imported.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ClientOptions } from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageCountTokensParams,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolChoice,
} from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { ConfigError, MissingApiKeyError } from '../protocols/errors/errors.js';
import { effectiveThinkingBudget, estimateTokens } from '../protocols/model.js';
import type {
  ContentBlock,
  JsonSchema,
  ModelDeltaSink,
  ModelMessage,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  StopReason,
  ToolCall,
  TokenUsage,
} from '../protocols/model.js';
import { streamAnthropicMessage } from './anthropic-stream.js';
import { routeApiKey } from './api-key.js';
import { callSdk, DEFAULT_PROVIDER_TIMEOUT_MS, malformedResponse } from './provider-errors.js';
import type { SdkCallContext, SdkErrorClasses } from './provider-errors.js';
import { loadSdkPackage } from './sdk-client.js';
import type { SdkClient } from './sdk-client.js';
import { loadOnce } from '../util/load-once.js';


export interface AnthropicProviderOptions {
  /** Defaults to `ANTHROPIC_API_KEY`. */
  readonly apiKey?: string;
  /** API root, e.g. a proxy. Defaults to the SDK's (api.anthropic.com). */
  readonly baseURL?: string;
  /** Timeout of one call in milliseconds, reading the response body included. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** A `fetch` implementation for the SDK (proxies, instrumentation). */
  readonly fetch?: ClientOptions['fetch'];
}

const PROVIDER = 'anthropic';
const EPHEMERAL = { type: 'ephemeral' } as const;

const loadAnthropicSdk = loadSdkPackage(PROVIDER, '@anthropic-ai/sdk', () => import('@anthropic-ai/sdk'));

/** How the structured-output tool was declared, so its input can be read back. */
interface StructuredPlan {
  readonly toolName: string;
  /** True when the schema was not an object and sits under `value` (tool inputs must be objects). */
  readonly wrapped: boolean;
  /** False when thinking is on: the API forbids forcing a tool then, so we only ask. */
  readonly forced: boolean;
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema['type'] === 'object';
}

function toInputSchema(schema: JsonSchema): Tool.InputSchema {
  return { ...schema, type: 'object' };
}

function toContentBlockParam(block: ContentBlock): ContentBlockParam {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text, ...(block.cache ? { cache_control: EPHEMERAL } : {}) };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    case 'tool_result':
      return {
        type: 'tool_result',
        tool_use_id: block.toolUseId,
        content: block.content,
        ...(block.isError ? { is_error: true } : {}),
      };
  }
}

function toMessageParam(message: ModelMessage): MessageParam {
  return {
    role: message.role,
    content: typeof message.content === 'string' ? message.content : message.content.map(toContentBlockParam),
  };
}

function toSystem(request: ModelRequest, instruction: string | undefined): string | TextBlockParam[] | undefined {
  const { system } = request;
  if (typeof system === 'string' || system === undefined) {
    const parts = [system, instruction].filter((part): part is string => part !== undefined && part !== '');
    return parts.length === 0 ? undefined : parts.join('\n\n');
  }
  const blocks: TextBlockParam[] = system.map((block) => ({
    type: 'text',
    text: block.text,
    ...(block.cache ? { cache_control: EPHEMERAL } : {}),
  }));
  // After the cached blocks, so the instruction never changes a cached prefix.
  if (instruction !== undefined) blocks.push({ type: 'text', text: instruction });
  return blocks.length === 0 ? undefined : blocks;
}

/** The Messages API body for `request`, and how to read structured output back. */
function buildParams(request: ModelRequest): { params: MessageCreateParamsNonStreaming; structured?: StructuredPlan } {
  const thinkingOn = request.thinkingBudgetTokens !== undefined;
  const budget = effectiveThinkingBudget(request);

  const tools: Tool[] = (request.tools ?? []).map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: toInputSchema(tool.inputSchema),
  }));
  let structured: StructuredPlan | undefined;
  if (request.structuredOutput) {
    const { name, description, schema } = request.structuredOutput;
    const wrapped = !isObjectSchema(schema);
    tools.push({
      name,
      description: description ?? `Give your final answer as the input of this tool (${name}).`,
      input_schema: wrapped ? { type: 'object', properties: { value: schema }, required: ['value'] } : toInputSchema(schema),
    });
    structured = { toolName: name, wrapped, forced: !thinkingOn };
  }

  const forcedName =
    request.structuredOutput?.name ?? (typeof request.toolChoice === 'object' ? request.toolChoice.name : undefined);
  let toolChoice: ToolChoice | undefined;
  let instruction: string | undefined;
  if (tools.length > 0) {
    if (forcedName !== undefined && thinkingOn) {
      // Extended thinking allows only auto/none tool_choice: ask instead of forcing.
      toolChoice = { type: 'auto' };
      instruction = `Finish by calling the tool "${forcedName}" with your answer as its input.`;
    } else if (forcedName !== undefined) {
      toolChoice = { type: 'tool', name: forcedName };
    } else if (request.toolChoice === 'none') {
      toolChoice = { type: 'none' };
    } else if (request.toolChoice === 'auto') {
      toolChoice = { type: 'auto' };
    }
  }

  const system = toSystem(request, instruction);
  const params: MessageCreateParamsNonStreaming = {
    model: request.model,
    messages: request.messages.map(toMessageParam),
    // With thinking, max_tokens must exceed the budget: maxTokens stays the answer's allowance.
    max_tokens: thinkingOn ? budget + request.maxTokens : request.maxTokens,
    ...(system === undefined ? {} : { system }),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...(thinkingOn ? { thinking: { type: 'enabled', budget_tokens: budget } } : {}),
    // Thinking requires the default temperature (1), so a requested one is dropped.
    ...(!thinkingOn && request.temperature !== undefined ? { temperature: request.temperature } : {}),
  };
  return structured === undefined ? { params } : { params, structured };
}

const anthropicMessageSchema = z.object({
  model: z.string(),
  content: z.array(z.object({ type: z.string() }).loose()),
  stop_reason: z.string().nullable(),
  usage: z.object({
    input_tokens: z.number(),
    output_tokens: z.number(),
    cache_read_input_tokens: z.number().nullish(),
    cache_creation_input_tokens: z.number().nullish(),
    output_tokens_details: z.object({ thinking_tokens: z.number() }).nullish(),
  }),
});
const textBlockSchema = z.object({ text: z.string() });
const thinkingBlockSchema = z.object({ thinking: z.string() });
const toolUseBlockSchema = z.object({ id: z.string(), name: z.string(), input: z.unknown() });

function toStopReason(reason: string | null): StopReason {
  switch (reason) {
    case 'end_turn':
    case 'max_tokens':
    case 'stop_sequence':
    case 'tool_use':
    case 'refusal':
      return reason;
    case 'model_context_window_exceeded':
      return 'max_tokens';
    default:
      return 'other';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function readStructured(plan: StructuredPlan, call: ToolCall | undefined, text: string): { value?: unknown } {
  if (call) {
    if (!plan.wrapped) return { value: call.input };
    if (isRecord(call.input) && 'value' in call.input) return { value: call.input['value'] };
    throw malformedResponse(PROVIDER, `the "${plan.toolName}" tool input lacks its "value" field`);
  }
  if (plan.forced) throw malformedResponse(PROVIDER, `the model did not call the forced tool "${plan.toolName}"`);
  // Thinking on: the tool was only asked for; accept a bare JSON answer, else none.
  try {
    return { value: JSON.parse(text) };
  } catch {
    return {};
  }
}

/** Maps a Messages API body to a {@link ModelResponse}; a body that lacks required fields is malformed. */
function toModelResponse(body: unknown, plan: StructuredPlan | undefined): ModelResponse {
  const parsed = anthropicMessageSchema.safeParse(body);
  if (!parsed.success) throw malformedResponse(PROVIDER, `unexpected response body: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const message = parsed.data;
  const texts: string[] = [];
  const thoughts: string[] = [];
  const calls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') {
      const text = textBlockSchema.safeParse(block);
      if (!text.success) throw malformedResponse(PROVIDER, 'a text block has no text');
      texts.push(text.data.text);
    } else if (block.type === 'thinking') {
      const thinking = thinkingBlockSchema.safeParse(block);
      if (!thinking.success) throw malformedResponse(PROVIDER, 'a thinking block has no thinking text');
      thoughts.push(thinking.data.thinking);
    } else if (block.type === 'tool_use') {
      const use = toolUseBlockSchema.safeParse(block);
      if (!use.success) throw malformedResponse(PROVIDER, 'a tool_use block lacks id or name');
      calls.push({ id: use.data.id, name: use.data.name, input: use.data.input });
    }
    // Other blocks (redacted_thinking, server tools) carry nothing the port models.
  }
  const text = texts.join('');
  const thinking = thoughts.join('\n\n');

  const structuredCall = plan ? calls.find((call) => call.name === plan.toolName) : undefined;
  const toolCalls = calls.filter((call) => call !== structuredCall);
  const structured = plan ? readStructured(plan, structuredCall, text) : {};
  let stopReason = toStopReason(message.stop_reason);
  // Answering through the structured-output tool ends the turn; it is not a tool to run.
  if (structuredCall && toolCalls.length === 0 && stopReason === 'tool_use') stopReason = 'end_turn';

  const { usage } = message;
  // output_tokens includes thinking; use the API's own count when it gives one.
  const reportedThinking = usage.output_tokens_details?.thinking_tokens ?? estimateTokens(thinking);
  const thinkingTokens = Math.min(reportedThinking, usage.output_tokens);
  const tokenUsage: TokenUsage = {
    inputTokens: usage.input_tokens,
    outputTokens: Math.max(0, usage.output_tokens - thinkingTokens),
    thinkingTokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  };
  return {
    text,
    toolCalls,
    usage: tokenUsage,
    model: message.model,
    stopReason,
    ...(thoughts.length > 0 ? { thinking } : {}),
    ...('value' in structured ? { structured: structured.value } : {}),
  };
}

const tokenCountSchema = z.object({ input_tokens: z.number() });

/**
 * The key to send: `options.apiKey`, else `ANTHROPIC_API_KEY` when the calls go
 * to `https://api.anthropic.com` or to the `ANTHROPIC_BASE_URL` set beside it.
 * @throws ConfigError when only the environment's key exists and `baseURL` is another host (the key is not sent there);
 *   MissingApiKeyError when there is no key at all.
 */
function resolveKey(options: AnthropicProviderOptions): string {
  const routed = routeApiKey({
    explicit: options.apiKey,
    variable: 'ANTHROPIC_API_KEY',
    baseURLVariable: 'ANTHROPIC_BASE_URL',
    baseURL: options.baseURL,
    isOwnHost: (hostname) => hostname === 'api.anthropic.com',
    field: 'anthropic.baseURL',
  });
  if (routed.key !== undefined) return routed.key;
  if (routed.withheld) {
    throw new ConfigError(
      'anthropic.apiKey',
      'ANTHROPIC_API_KEY is only sent to https://api.anthropic.com or to ANTHROPIC_BASE_URL; pass anthropic.apiKey to send a key to this baseURL',
    );
  }
  throw new MissingApiKeyError(PROVIDER, 'ANTHROPIC_API_KEY');
}

/**
 * Creates the Anthropic provider. The key comes from `options.apiKey` or
 * `ANTHROPIC_API_KEY`; without either it throws {@link MissingApiKeyError} now,
 * not at the first call. `ANTHROPIC_API_KEY` is only sent to
 * `https://api.anthropic.com` or to the `ANTHROPIC_BASE_URL` set beside it: a
 * `baseURL` to another host with only the environment's key is a ConfigError.
 *
 * @example
 * ```ts
 * const model = createAnthropicProvider({ timeoutMs: 120_000 });
 * const response = await model.complete({
 *   model: 'claude-sonnet-4-5',
 *   system: [{ text: sharedContext, cache: true }, { text: 'You are a reviewer.' }],
 *   messages: [{ role: 'user', content: 'Review this diff.' }],
 *   maxTokens: 1024,
 *   thinkingBudgetTokens: 2048,
 * });
 * ```
 */
export function createAnthropicProvider(options: AnthropicProviderOptions = {}): ModelProvider {
  const apiKey = resolveKey(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;
  const connect = loadOnce(async (): Promise<SdkClient<Anthropic>> => {
    const sdk = await loadAnthropicSdk();
    const client = new sdk.Anthropic({
      apiKey,
      // The SDK would otherwise also send ANTHROPIC_AUTH_TOKEN, to whatever baseURL.
      authToken: null,
      maxRetries: 0,
      timeout: timeoutMs,
      // troupe reports failures itself; the SDK would print stream chunks it cannot parse.
      logLevel: 'off',
      ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    const classes: SdkErrorClasses = {
      SdkError: sdk.AnthropicError,
      APIError: sdk.APIError,
      APIUserAbortError: sdk.APIUserAbortError,
      APIConnectionError: sdk.APIConnectionError,
      APIConnectionTimeoutError: sdk.APIConnectionTimeoutError,
    };
    return { client, classes };
  });
  const context = (signal: AbortSignal | undefined, classes: SdkErrorClasses): SdkCallContext => ({
    provider: PROVIDER,
    classes,
    secrets: [apiKey],
    signal,
    timeoutMs,
  });

  return {
    name: PROVIDER,
    async complete(request: ModelRequest): Promise<ModelResponse> {
      const { params, structured } = buildParams(request);
      const { client, classes } = await connect();
      const body: unknown = await callSdk((signal) => client.messages.create(params, { signal }), context(request.signal, classes));
      return toModelResponse(body, structured);
    },
    async stream(request: ModelRequest, onDelta: ModelDeltaSink): Promise<ModelResponse> {
      const { params, structured } = buildParams(request);
      const { client, classes } = await connect();
      const streamOptions = { provider: PROVIDER, classes, structuredTool: structured?.toolName, onDelta };
      const body = await callSdk((signal) => streamAnthropicMessage(client, params, signal, streamOptions), context(request.signal, classes));
      return toModelResponse(body, structured);
    },
    async countTokens(request: ModelRequest): Promise<number> {
      const { params } = buildParams(request);
      const countParams: MessageCountTokensParams = {
        model: params.model,
        messages: params.messages,
        ...(params.system === undefined ? {} : { system: params.system }),
        ...(params.tools === undefined ? {} : { tools: params.tools }),
        ...(params.tool_choice === undefined ? {} : { tool_choice: params.tool_choice }),
        ...(params.thinking === undefined ? {} : { thinking: params.thinking }),
      };
      const { client, classes } = await connect();
      const body: unknown = await callSdk((signal) => client.messages.countTokens(countParams, { signal }), context(request.signal, classes));
      const parsed = tokenCountSchema.safeParse(body);
      if (!parsed.success) throw malformedResponse(PROVIDER, 'the token count response lacks input_tokens');
      return parsed.data.input_tokens;
    },
  };
}
