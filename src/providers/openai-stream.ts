/**
 * Streaming on the Chat Completions API: `stream: true` with
 * `stream_options.include_usage`, each chunk's deltas reported as they arrive
 * and assembled into the same body a non-streaming call returns, so one
 * mapping reads both.
 */
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { estimateRequestTokens, estimateTokens } from '../protocols/model.js';
import type { ModelDeltaSink, ModelRequest } from '../protocols/model.js';
import { malformedResponse } from './provider-errors.js';
import type { SdkErrorClasses } from './provider-errors.js';
import { streamEndedEarly, streamFailure } from './stream-failure.js';

const usageSchema = z
  .object({
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
    completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
  })
  .loose();

const chunkSchema = z.object({
  model: z.string().optional(),
  choices: z.array(
    z.object({
      index: z.number().optional(),
      finish_reason: z.string().nullish(),
      delta: z
        .object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          // Not OpenAI's: vLLM, DeepSeek-style and Ollama servers stream reasoning here.
          reasoning_content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                index: z.number(),
                id: z.string().nullish(),
                type: z.string().nullish(),
                function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
              }),
            )
            .nullish(),
        })
        .nullish(),
    }),
  ),
  usage: usageSchema.nullish(),
});

/** How one streamed completion is read. */
export interface OpenAIStreamOptions {
  readonly provider: string;
  readonly classes: SdkErrorClasses;
  readonly request: ModelRequest;
  readonly onDelta: ModelDeltaSink;
}

interface ToolCallParts {
  id: string;
  type: string;
  name: string;
  arguments: string;
}

/**
 * Streams `params` and resolves with a Chat Completions body assembled from
 * the chunks (unvalidated, as `chat.completions.create` would give it). A
 * server that sends no usage chunk gets usage estimated from the text.
 * @throws ProviderError for a malformed chunk, a dropped connection or a
 *   stream without a finish_reason; the SDK's errors otherwise.
 */
export async function streamChatCompletion(
  client: OpenAI,
  params: ChatCompletionCreateParamsNonStreaming,
  signal: AbortSignal,
  options: OpenAIStreamOptions,
): Promise<unknown> {
  const { onDelta, provider } = options;
  const answerKind = options.request.structuredOutput ? 'structured' : 'text';
  let model = params.model;
  let content: string | undefined;
  let refusal: string | undefined;
  let reasoning: string | undefined;
  let finishReason: string | undefined;
  let usage: z.infer<typeof usageSchema> | undefined;
  const tools = new Map<number, ToolCallParts>();
  try {
    const stream = await client.chat.completions.create(
      { ...params, stream: true, stream_options: { include_usage: true } },
      { signal },
    );
    for await (const raw of stream) {
      const parsed = chunkSchema.safeParse(raw);
      if (!parsed.success) throw malformedResponse(provider, `unexpected stream chunk: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      const chunk = parsed.data;
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices.find((c) => (c.index ?? 0) === 0);
      if (!choice) continue;
      const delta = choice.delta;
      if (delta?.reasoning_content) {
        reasoning = (reasoning ?? '') + delta.reasoning_content;
        onDelta({ kind: 'thinking', text: delta.reasoning_content });
      }
      if (delta?.content) {
        content = (content ?? '') + delta.content;
        onDelta({ kind: answerKind, text: delta.content });
      }
      if (delta?.refusal) {
        refusal = (refusal ?? '') + delta.refusal;
        onDelta({ kind: 'text', text: delta.refusal });
      }
      for (const part of delta?.tool_calls ?? []) {
        const call = tools.get(part.index) ?? { id: '', type: 'function', name: '', arguments: '' };
        if (part.id) call.id = part.id;
        if (part.type) call.type = part.type;
        if (part.function?.name) call.name += part.function.name;
        const args = part.function?.arguments;
        if (args) {
          call.arguments += args;
          onDelta({ kind: 'tool_input', text: args, ...(call.name === '' ? {} : { toolName: call.name }) });
        }
        tools.set(part.index, call);
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  } catch (error) {
    throw streamFailure(error, options.classes, provider);
  }
  // The SDK ends the iteration quietly when the request is aborted.
  if (signal.aborted) throw new DOMException(`${provider}: the model call was aborted`, 'AbortError');
  if (finishReason === undefined) throw streamEndedEarly(provider, 'a finish_reason');
  const toolCalls = [...tools.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, call]) => ({ id: call.id, type: call.type, function: { name: call.name, arguments: call.arguments } }));
  const generated = (content ?? '') + (refusal ?? '') + toolCalls.map((c) => c.function.arguments).join('');
  return {
    model,
    choices: [
      {
        finish_reason: finishReason,
        message: {
          content: content ?? null,
          refusal: refusal ?? null,
          ...(reasoning === undefined ? {} : { reasoning_content: reasoning }),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
      },
    ],
    usage: usage ?? {
      prompt_tokens: estimateRequestTokens(options.request),
      completion_tokens: estimateTokens(generated) + estimateTokens(reasoning ?? ''),
    },
  };
}
