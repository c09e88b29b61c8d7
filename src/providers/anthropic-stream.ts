/**
 * Streaming on the Anthropic Messages API: `client.messages.stream`, whose
 * events become {@link ModelDelta}s as they arrive, and whose accumulated final
 * message is the same body the non-streaming call returns.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import type { ModelDeltaSink } from '../protocols/model.js';
import type { SdkErrorClasses } from './provider-errors.js';
import { streamEndedEarly, streamFailure } from './stream-failure.js';

/** How one streamed message is read. */
export interface AnthropicStreamOptions {
  readonly provider: string;
  readonly classes: SdkErrorClasses;
  /** The structured-output tool, whose input JSON is reported as `structured` deltas. */
  readonly structuredTool: string | undefined;
  readonly onDelta: ModelDeltaSink;
}

/**
 * Streams `params` and resolves with the final message body (unvalidated, as
 * `messages.create` would give it).
 * @throws ProviderError for a malformed event, a dropped connection or a
 *   stream without `message_stop`; the SDK's errors otherwise.
 */
export async function streamAnthropicMessage(
  client: Anthropic,
  params: MessageCreateParamsNonStreaming,
  signal: AbortSignal,
  options: AnthropicStreamOptions,
): Promise<unknown> {
  const { onDelta, structuredTool } = options;
  const toolNames = new Map<number, string>();
  let stopped = false;
  const stream = client.messages.stream(params, { signal });
  stream.on('streamEvent', (event) => {
    switch (event.type) {
      case 'message_stop':
        stopped = true;
        return;
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') toolNames.set(event.index, event.content_block.name);
        return;
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta.type === 'text_delta') onDelta({ kind: 'text', text: delta.text });
        else if (delta.type === 'thinking_delta') onDelta({ kind: 'thinking', text: delta.thinking });
        else if (delta.type === 'input_json_delta') {
          const toolName = toolNames.get(event.index);
          if (toolName !== undefined && toolName === structuredTool) onDelta({ kind: 'structured', text: delta.partial_json });
          else onDelta({ kind: 'tool_input', text: delta.partial_json, ...(toolName === undefined ? {} : { toolName }) });
        }
        return;
      }
      default:
        return;
    }
  });
  let message: unknown;
  try {
    message = await stream.finalMessage();
  } catch (error) {
    const failure = streamFailure(error, options.classes, options.provider);
    // The SDK's own complaint about a stream that stopped short ("stream ended without …").
    const sdkComplaint = failure instanceof options.classes.SdkError && !(failure instanceof options.classes.APIError);
    if (sdkComplaint && !stopped && !signal.aborted) throw streamEndedEarly(options.provider, 'message_stop');
    throw failure;
  }
  if (!stopped) throw streamEndedEarly(options.provider, 'message_stop');
  return message;
}
