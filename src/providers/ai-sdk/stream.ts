/**
 * An AI SDK 6 stream (`doStream`) read into the generate result it stands
 * for, passing each piece on as a troupe {@link ModelDelta}: answer text
 * (`structured` when the request asked for a schema), reasoning as `thinking`,
 * tool arguments as `tool_input` with their tool's name.
 */
import type { LanguageModelV3Content, LanguageModelV3FinishReason, LanguageModelV3GenerateResult, LanguageModelV3StreamPart, LanguageModelV3Usage } from '@ai-sdk/provider';
import type { ModelDeltaSink, ModelRequest } from '../../protocols/model.js';
import { malformedResponse } from '../provider-errors.js';

/** What a stream has said so far: text and reasoning by part id (in the order they started), tool calls, the finish. */
class StreamedResult {
  readonly #content: LanguageModelV3Content[] = [];
  readonly #text = new Map<string, { type: 'text' | 'reasoning'; text: string }>();
  readonly #toolNames = new Map<string, string>();
  readonly #request: ModelRequest;
  readonly #onDelta: ModelDeltaSink;
  #finish: { readonly usage: LanguageModelV3Usage; readonly finishReason: LanguageModelV3FinishReason } | undefined;
  #modelId: string | undefined;
  /** An `error` part: the model failed part way. */
  failure: { readonly error: unknown } | undefined;

  constructor(request: ModelRequest, onDelta: ModelDeltaSink) {
    this.#request = request;
    this.#onDelta = onDelta;
  }

  read(part: LanguageModelV3StreamPart): void {
    switch (part.type) {
      case 'text-start':
      case 'reasoning-start':
        this.#open(part.id, part.type === 'text-start' ? 'text' : 'reasoning');
        break;
      case 'text-delta':
        this.#append(part.id, 'text', part.delta);
        if (part.delta !== '') this.#onDelta({ kind: this.#request.structuredOutput ? 'structured' : 'text', text: part.delta });
        break;
      case 'reasoning-delta':
        this.#append(part.id, 'reasoning', part.delta);
        if (part.delta !== '') this.#onDelta({ kind: 'thinking', text: part.delta });
        break;
      case 'tool-input-start':
        this.#toolNames.set(part.id, part.toolName);
        break;
      case 'tool-input-delta': {
        const toolName = this.#toolNames.get(part.id);
        if (part.delta !== '') this.#onDelta({ kind: 'tool_input', text: part.delta, ...(toolName === undefined ? {} : { toolName }) });
        break;
      }
      case 'tool-call':
        this.#content.push(part);
        break;
      case 'response-metadata':
        if (part.modelId !== undefined) this.#modelId = part.modelId;
        break;
      case 'finish':
        this.#finish = { usage: part.usage, finishReason: part.finishReason };
        break;
      case 'error':
        this.failure ??= { error: part.error };
        break;
      default:
        // Files, sources, tool results and approvals of provider-executed tools, raw chunks: not part of the port.
        break;
    }
  }

  /**
   * The generate result the stream stands for.
   * @throws ProviderError `PROVIDER_MALFORMED_RESPONSE` when it ended without a `finish` part.
   */
  result(provider: string): LanguageModelV3GenerateResult {
    if (!this.#finish) throw malformedResponse(provider, 'the stream ended before the model finished');
    return {
      content: this.#content,
      finishReason: this.#finish.finishReason,
      usage: this.#finish.usage,
      warnings: [],
      ...(this.#modelId === undefined ? {} : { response: { modelId: this.#modelId } }),
    };
  }

  #open(id: string, type: 'text' | 'reasoning'): void {
    if (this.#text.has(id)) return;
    const part = { type, text: '' };
    this.#text.set(id, part);
    this.#content.push(part);
  }

  #append(id: string, type: 'text' | 'reasoning', delta: string): void {
    // A delta without its start part opens one: some models skip `text-start`.
    this.#open(id, type);
    const part = this.#text.get(id);
    if (part) part.text += delta;
  }
}

/**
 * Reads `stream` to its end, calling `onDelta` for each piece, and returns the
 * result it stands for. `stopped` rejects when the call is aborted or times
 * out; the stream is cancelled then.
 * @throws what the stream's `error` part carried (the caller maps it), or
 *   ProviderError `PROVIDER_MALFORMED_RESPONSE` for a stream without a finish.
 *
 * @example
 * ```ts
 * const { stream } = await model.doStream(options);
 * const result = await readStream(stream, request, onDelta, 'ai-openai', stopped);
 * ```
 */
export async function readStream(
  stream: ReadableStream<LanguageModelV3StreamPart>,
  request: ModelRequest,
  onDelta: ModelDeltaSink,
  provider: string,
  stopped: Promise<never>,
): Promise<LanguageModelV3GenerateResult> {
  const reader = stream.getReader();
  const streamed = new StreamedResult(request, onDelta);
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), stopped]);
      if (next.done) break;
      streamed.read(next.value);
      if (streamed.failure) throw streamed.failure.error;
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    try {
      reader.releaseLock();
    } catch {
      // A read still pending on a stream that ignored its cancel: the lock goes with the reader.
    }
  }
  return streamed.result(provider);
}
