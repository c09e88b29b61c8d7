/**
 * The OpenAI provider: the {@link ModelProvider} port on the `openai` SDK's
 * Chat Completions API, plain or streamed (openai-stream.ts), which OpenAI-compatible local servers
 * (Ollama, vLLM, llama.cpp) also speak. The SDK's own retries are off: retries
 * are the gateway's, one policy for every provider. The `openai` package is
 * loaded on a provider's first call, not when troupe is imported.
 */
import type OpenAI from 'openai';
import type { ClientOptions } from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import { MissingApiKeyError } from '../protocols/errors/errors.js';
import type {
  ModelDeltaSink,
  ModelMessage,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ReasoningEffort,
  StopReason,
  ToolCall,
  TokenUsage,
} from '../protocols/model.js';
import { systemText } from '../protocols/model.js';
import { isOwnURL, routeApiKey } from './api-key.js';
import { streamChatCompletion } from './openai-stream.js';
import { callSdk, DEFAULT_PROVIDER_TIMEOUT_MS, malformedResponse } from './provider-errors.js';
import type { SdkErrorClasses } from './provider-errors.js';
import { loadSdkPackage } from './sdk-client.js';
import type { SdkClient } from './sdk-client.js';
import { loadOnce } from '../util/load-once.js';

export interface OpenAIProviderOptions {
  /** Defaults to `OPENAI_API_KEY`; may be left out for a local server (see {@link LOCAL_SERVER_API_KEY}). */
  readonly apiKey?: string;
  /** API root including `/v1`, e.g. `http://127.0.0.1:11434/v1` for Ollama. */
  readonly baseURL?: string;
  /** Timeout of one call in milliseconds, reading the response body included. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** Provider name for the registry, errors and journals, e.g. `ollama`. Default `openai`. */
  readonly name?: string;
  /** A `fetch` implementation for the SDK (proxies, instrumentation). */
  readonly fetch?: ClientOptions['fetch'];
}

/** The key sent to a non-OpenAI `baseURL` when none is configured: local servers ignore it. */
export const LOCAL_SERVER_API_KEY = 'not-needed';

const loadOpenAISdk = loadSdkPackage('openai', 'openai', () => import('openai'));

/**
 * Whether `model` is an OpenAI reasoning model (o-series, gpt-5 family): those
 * take `max_completion_tokens` and `reasoning_effort`, and reject `temperature`.
 *
 * @example
 * ```ts
 * isReasoningModel('o4-mini'); // true
 * isReasoningModel('gpt-4o'); // false
 * ```
 */
export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

/** A thinking budget (Anthropic's knob) expressed as an effort, for reasoning models asked only for a budget. */
function effortForBudget(budgetTokens: number): ReasoningEffort {
  if (budgetTokens < 2048) return 'low';
  if (budgetTokens < 8192) return 'medium';
  return 'high';
}

/** OpenAI's API hosts: `api.openai.com` and its regional subdomains (`eu.api.openai.com`). */
function isOpenAIHost(hostname: string): boolean {
  return hostname === 'api.openai.com' || hostname.endsWith('.api.openai.com');
}

/** The key to send and, when `OPENAI_API_KEY` was held back from a foreign `baseURL`, a hint for auth failures. */
function resolveKey(options: OpenAIProviderOptions, name: string): { apiKey: string; authenticationHint?: string } {
  const { baseURL } = options;
  const routing = { explicit: options.apiKey, variable: 'OPENAI_API_KEY', baseURLVariable: 'OPENAI_BASE_URL', baseURL, isOwnHost: isOpenAIHost, field: 'openai.baseURL' };
  const routed = routeApiKey(routing);
  if (routed.key !== undefined) return { apiKey: routed.key };
  if (baseURL !== undefined && !isOwnURL(baseURL, routing)) {
    return routed.withheld
      ? { apiKey: LOCAL_SERVER_API_KEY, authenticationHint: 'OPENAI_API_KEY is only sent to api.openai.com or OPENAI_BASE_URL; pass openai.apiKey to send a key to this baseURL' }
      : { apiKey: LOCAL_SERVER_API_KEY };
  }
  throw new MissingApiKeyError(name, 'OPENAI_API_KEY');
}

/** One troupe message → one or more Chat Completions messages (tool results are messages of their own). */
function toMessageParams(message: ModelMessage): ChatCompletionMessageParam[] {
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  const texts: string[] = [];
  if (message.role === 'assistant') {
    const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
    for (const block of message.content) {
      if (block.type === 'text') texts.push(block.text);
      else if (block.type === 'tool_use') {
        toolCalls.push({
          id: block.id,
          type: 'function',
          function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
        });
      } else texts.push(block.content);
    }
    const content = texts.join('\n');
    return [
      {
        role: 'assistant',
        content: content === '' && toolCalls.length > 0 ? null : content,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      },
    ];
  }
  // Tool results must directly follow the assistant message that called them.
  const out: ChatCompletionMessageParam[] = [];
  for (const block of message.content) {
    if (block.type === 'tool_result') {
      out.push({
        role: 'tool',
        tool_call_id: block.toolUseId,
        content: block.isError ? `Error: ${block.content}` : block.content,
      });
    } else if (block.type === 'text') texts.push(block.text);
    else texts.push(JSON.stringify(block.input));
  }
  if (texts.length > 0) out.push({ role: 'user', content: texts.join('\n') });
  return out;
}

function toToolChoice(request: ModelRequest): ChatCompletionToolChoiceOption | undefined {
  const choice = request.toolChoice;
  if (choice === undefined) return undefined;
  if (typeof choice === 'object') return { type: 'function', function: { name: choice.name } };
  return choice;
}

function buildParams(request: ModelRequest): ChatCompletionCreateParamsNonStreaming {
  const reasoning = isReasoningModel(request.model);
  const messages: ChatCompletionMessageParam[] = [];
  const system = systemText(request.system);
  // Reasoning models take instructions as `developer`; local servers only know `system`.
  if (system !== '') messages.push({ role: reasoning ? 'developer' : 'system', content: system });
  for (const message of request.messages) messages.push(...toMessageParams(message));

  const tools: ChatCompletionTool[] = (request.tools ?? []).map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: { ...tool.inputSchema } },
  }));
  const toolChoice = tools.length > 0 ? toToolChoice(request) : undefined;
  const effort =
    request.reasoningEffort ??
    (reasoning && request.thinkingBudgetTokens !== undefined ? effortForBudget(request.thinkingBudgetTokens) : undefined);
  const structured = request.structuredOutput;

  return {
    model: request.model,
    messages,
    ...(reasoning ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }),
    ...(!reasoning && request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(effort === undefined ? {} : { reasoning_effort: effort }),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...(structured
      ? {
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: structured.name,
              schema: { ...structured.schema },
              strict: true,
              ...(structured.description === undefined ? {} : { description: structured.description }),
            },
          },
        }
      : {}),
  };
}

const chatCompletionSchema = z.object({
  model: z.string(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullable(),
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          // Not OpenAI's: vLLM, DeepSeek-style and Ollama servers return the reasoning text here.
          reasoning_content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string(),
                type: z.string(),
                function: z.object({ name: z.string(), arguments: z.string() }).optional(),
              }),
            )
            .nullish(),
        }),
      }),
    )
    .min(1),
  usage: z.object({
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
    completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
  }),
});

function toStopReason(reason: string | null, refused: boolean): StopReason {
  if (refused) return 'refusal';
  switch (reason) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'other';
  }
}

function parseJson(text: string, provider: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformedResponse(provider, `${what} is not valid JSON`);
  }
}

function toModelResponse(body: unknown, request: ModelRequest, provider: string): ModelResponse {
  const parsed = chatCompletionSchema.safeParse(body);
  if (!parsed.success) {
    throw malformedResponse(provider, `unexpected response body: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const completion = parsed.data;
  const [choice] = completion.choices;
  if (!choice) throw malformedResponse(provider, 'the response has no choices');
  const { message } = choice;
  const refusal = message.refusal ?? undefined;
  const text = message.content ?? refusal ?? '';

  const toolCalls: ToolCall[] = [];
  for (const call of message.tool_calls ?? []) {
    if (call.type !== 'function' || !call.function) continue; // custom tools are not part of the port
    const input = parseJson(call.function.arguments, provider, `the arguments of tool call "${call.function.name}"`);
    toolCalls.push({ id: call.id, name: call.function.name, input });
  }

  // A turn that only calls tools carries no answer yet; a refusal carries none at all.
  const answered = refusal === undefined && (typeof message.content === 'string' || toolCalls.length === 0);
  const structured =
    request.structuredOutput && answered
      ? { value: parseJson(message.content ?? '', provider, 'the structured output') }
      : undefined;

  const { usage } = completion;
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoningTokens = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  const tokenUsage: TokenUsage = {
    inputTokens: Math.max(0, usage.prompt_tokens - cached),
    outputTokens: Math.max(0, usage.completion_tokens - reasoningTokens),
    thinkingTokens: reasoningTokens,
    cacheReadTokens: cached,
    // OpenAI caches automatically and bills no cache write.
    cacheWriteTokens: 0,
  };
  const thinking = message.reasoning_content ?? undefined;
  return {
    text,
    toolCalls,
    usage: tokenUsage,
    model: completion.model,
    stopReason: toStopReason(choice.finish_reason, refusal !== undefined),
    ...(thinking === undefined || thinking === '' ? {} : { thinking }),
    ...(structured === undefined ? {} : { structured: structured.value }),
  };
}

/**
 * Creates the OpenAI provider. The key comes from `options.apiKey` or
 * `OPENAI_API_KEY`; without either it throws {@link MissingApiKeyError} now —
 * except for a `baseURL` that is not OpenAI's, where {@link LOCAL_SERVER_API_KEY} is sent.
 * `OPENAI_API_KEY` goes only to `https://api.openai.com` (and its regional
 * subdomains) or to the `OPENAI_BASE_URL` set beside it; any other `baseURL`
 * gets only `options.apiKey`, else the placeholder. The SDK client is made on
 * the first call; an `openai` package that cannot be loaded fails it with a ConfigError.
 *
 * @example
 * ```ts
 * const openai = createOpenAIProvider(); // OPENAI_API_KEY
 * const ollama = createOpenAIProvider({ baseURL: 'http://127.0.0.1:11434/v1', name: 'ollama' });
 * const response = await ollama.complete({
 *   model: 'llama3.1',
 *   messages: [{ role: 'user', content: 'Say hi' }],
 *   maxTokens: 64,
 * });
 * ```
 */
export function createOpenAIProvider(options: OpenAIProviderOptions = {}): ModelProvider {
  const name = options.name ?? 'openai';
  const { apiKey, authenticationHint } = resolveKey(options, name);
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;
  const connect = loadOnce(async (): Promise<SdkClient<OpenAI>> => {
    const sdk = await loadOpenAISdk();
    const client = new sdk.OpenAI({
      apiKey,
      maxRetries: 0,
      timeout: timeoutMs,
      // troupe reports failures itself; the SDK would print stream chunks it cannot parse.
      logLevel: 'off',
      ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    const classes = {
      SdkError: sdk.OpenAIError,
      APIError: sdk.APIError,
      APIUserAbortError: sdk.APIUserAbortError,
      APIConnectionError: sdk.APIConnectionError,
      APIConnectionTimeoutError: sdk.APIConnectionTimeoutError,
    };
    return { client, classes };
  });
  const secrets = apiKey === LOCAL_SERVER_API_KEY ? [] : [apiKey];
  const context = (signal: AbortSignal | undefined, classes: SdkErrorClasses) => ({
    provider: name,
    classes,
    secrets,
    signal,
    timeoutMs,
    ...(authenticationHint === undefined ? {} : { authenticationHint }),
  });

  return {
    name,
    async complete(request: ModelRequest): Promise<ModelResponse> {
      const params = buildParams(request);
      const { client, classes } = await connect();
      const body: unknown = await callSdk((signal) => client.chat.completions.create(params, { signal }), context(request.signal, classes));
      return toModelResponse(body, request, name);
    },
    async stream(request: ModelRequest, onDelta: ModelDeltaSink): Promise<ModelResponse> {
      const params = buildParams(request);
      const { client, classes } = await connect();
      const options = { provider: name, classes, request, onDelta };
      const body = await callSdk((signal) => streamChatCompletion(client, params, signal, options), context(request.signal, classes));
      return toModelResponse(body, request, name);
    },
  };
}
