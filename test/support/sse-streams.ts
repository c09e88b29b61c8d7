/**
 * Event streams in each API's real wire format, for the loopback server:
 * Anthropic's Messages SSE (message_start … message_stop, with pings) and
 * OpenAI's Chat Completions chunks (ending with a usage chunk and [DONE]).
 */
import type { SseEvent } from './loopback-server.js';

export interface AnthropicStreamSpec {
  readonly model?: string;
  readonly thinking?: readonly string[];
  readonly text?: readonly string[];
  readonly tool?: { readonly id: string; readonly name: string; readonly json: readonly string[] };
  readonly stopReason?: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

function anthropicEvent(data: { type: string } & Record<string, unknown>): SseEvent {
  return { event: data.type, data };
}

/** The events of one message, in order; `upTo` cuts the list (a stream that stops part way). */
export function anthropicStream(spec: AnthropicStreamSpec): SseEvent[] {
  const events: SseEvent[] = [
    anthropicEvent({
      type: 'message_start',
      message: {
        id: 'msg_stream_1',
        type: 'message',
        role: 'assistant',
        model: spec.model ?? 'claude-haiku-4-5-20251001',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: spec.inputTokens ?? 20, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      },
    }),
    { event: 'ping', data: { type: 'ping' } },
  ];
  let index = 0;
  if (spec.thinking) {
    events.push(anthropicEvent({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    for (const thinking of spec.thinking) {
      events.push(anthropicEvent({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } }));
    }
    events.push(anthropicEvent({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'sig' } }));
    events.push(anthropicEvent({ type: 'content_block_stop', index }));
    index++;
  }
  if (spec.text) {
    events.push(anthropicEvent({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    for (const text of spec.text) events.push(anthropicEvent({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }));
    events.push(anthropicEvent({ type: 'content_block_stop', index }));
    index++;
  }
  if (spec.tool) {
    const { id, name, json } = spec.tool;
    events.push(anthropicEvent({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } }));
    for (const partial of json) {
      events.push(anthropicEvent({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } }));
    }
    events.push(anthropicEvent({ type: 'content_block_stop', index }));
  }
  events.push(
    anthropicEvent({
      type: 'message_delta',
      delta: { stop_reason: spec.stopReason ?? (spec.tool ? 'tool_use' : 'end_turn'), stop_sequence: null },
      usage: { output_tokens: spec.outputTokens ?? 9 },
    }),
    anthropicEvent({ type: 'message_stop' }),
  );
  return events;
}

export interface OpenAIStreamSpec {
  readonly model?: string;
  readonly content?: readonly string[];
  readonly tool?: { readonly id: string; readonly name: string; readonly args: readonly string[] };
  readonly finishReason?: string;
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number } | null;
}

/** The chunks of one completion, usage chunk and [DONE] included. */
export function openaiStream(spec: OpenAIStreamSpec): SseEvent[] {
  const model = spec.model ?? 'gpt-4o-2024-08-06';
  const chunk = (choices: unknown[], usage: unknown = null): SseEvent => ({
    data: { id: 'chatcmpl-stream-1', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices, usage },
  });
  const events: SseEvent[] = [chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])];
  for (const content of spec.content ?? []) events.push(chunk([{ index: 0, delta: { content }, finish_reason: null }]));
  if (spec.tool) {
    const { id, name, args } = spec.tool;
    events.push(
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: '' } }] }, finish_reason: null }]),
    );
    for (const part of args) {
      events.push(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: part } }] }, finish_reason: null }]));
    }
  }
  events.push(chunk([{ index: 0, delta: {}, finish_reason: spec.finishReason ?? (spec.tool ? 'tool_calls' : 'stop') }]));
  const usage = spec.usage === undefined ? { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 } : spec.usage;
  if (usage !== null) events.push(chunk([], usage));
  events.push({ data: '[DONE]' });
  return events;
}
