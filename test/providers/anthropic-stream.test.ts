import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/index.js';
import type { ModelDelta, ModelProvider, ModelRequest } from '../../src/index.js';
import { createAnthropicProvider } from '../../src/index.js';
import { createModelGateway } from '../../src/testing.js';
import { DEFAULT_PRICES } from '../../src/index.js';
import { sentBody, startLoopbackServer } from '../support/loopback-server.js';
import type { LoopbackServer } from '../support/loopback-server.js';
import { anthropicStream } from '../support/sse-streams.js';

const KEY = 'sk-ant-test-5ecret-KEY-0123456789';
const basic: ModelRequest = { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 100 };

async function streamed(provider: ModelProvider, request: ModelRequest): Promise<{ deltas: ModelDelta[]; error?: unknown; response?: Awaited<ReturnType<ModelProvider['complete']>> }> {
  const deltas: ModelDelta[] = [];
  const stream = provider.stream;
  if (!stream) throw new Error('the provider does not stream');
  try {
    const response = await stream.call(provider, request, (delta) => deltas.push(delta));
    return { deltas, response };
  } catch (error) {
    return { deltas, error };
  }
}

describe('Anthropic provider streaming', () => {
  let server: LoopbackServer;
  let provider: ModelProvider;

  beforeEach(async () => {
    server = await startLoopbackServer();
    provider = createAnthropicProvider({ apiKey: KEY, baseURL: server.url });
  });
  afterEach(() => server.close());

  it('streams text deltas in order and assembles the same response as a plain call', async () => {
    server.reply({ kind: 'sse', events: anthropicStream({ text: ['Hel', 'lo ', 'there.'], inputTokens: 12, outputTokens: 5 }) });
    const { deltas, response, error } = await streamed(provider, basic);
    expect(error).toBeUndefined();
    expect(deltas).toEqual([
      { kind: 'text', text: 'Hel' },
      { kind: 'text', text: 'lo ' },
      { kind: 'text', text: 'there.' },
    ]);
    expect(response).toMatchObject({
      text: 'Hello there.',
      toolCalls: [],
      stopReason: 'end_turn',
      model: 'claude-haiku-4-5-20251001',
      usage: { inputTokens: 12, outputTokens: 5, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
    expect(sentBody(server)).toMatchObject({ stream: true, model: 'claude-haiku-4-5', max_tokens: 100 });
  });

  it('streams thinking and tool arguments, and parses the tool input at the end', async () => {
    server.reply({
      kind: 'sse',
      events: anthropicStream({
        thinking: ['Let me ', 'look.'],
        tool: { id: 'toolu_1', name: 'get_weather', json: ['{"city":', ' "Paris"}'] },
      }),
    });
    const request: ModelRequest = {
      ...basic,
      tools: [{ name: 'get_weather', description: 'Weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
    };
    const { deltas, response } = await streamed(provider, request);
    expect(deltas).toEqual([
      { kind: 'thinking', text: 'Let me ' },
      { kind: 'thinking', text: 'look.' },
      { kind: 'tool_input', text: '{"city":', toolName: 'get_weather' },
      { kind: 'tool_input', text: ' "Paris"}', toolName: 'get_weather' },
    ]);
    expect(response?.toolCalls).toEqual([{ id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }]);
    expect(response?.thinking).toBe('Let me look.');
    expect(response?.stopReason).toBe('tool_use');
  });

  it('reports the structured-output tool as structured deltas and the value at the end', async () => {
    server.reply({ kind: 'sse', events: anthropicStream({ tool: { id: 'toolu_2', name: 'verdict', json: ['{"score": 0.', '8}'] } }) });
    const request: ModelRequest = {
      ...basic,
      structuredOutput: { name: 'verdict', schema: { type: 'object', properties: { score: { type: 'number' } } } },
    };
    const { deltas, response } = await streamed(provider, request);
    expect(deltas.map((d) => d.kind)).toEqual(['structured', 'structured']);
    expect(response).toMatchObject({ structured: { score: 0.8 }, stopReason: 'end_turn', toolCalls: [] });
  });

  it('fails a stream cut mid-way with a retryable PROVIDER_CONNECTION, after the deltas that arrived', async () => {
    server.reply({ kind: 'sse', events: anthropicStream({ text: ['partial ', 'answer'] }).slice(0, 5), then: 'drop' });
    const { deltas, error } = await streamed(provider, basic);
    expect(deltas.map((d) => d.text)).toEqual(['partial ', 'answer']);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_CONNECTION', retryable: true });
  });

  it('fails a stream that ends cleanly before message_stop instead of returning a truncated answer', async () => {
    server.reply({ kind: 'sse', events: anthropicStream({ text: ['half'] }).slice(0, 4), then: 'end' });
    const { error } = await streamed(provider, basic);
    expect(error).toMatchObject({ code: 'PROVIDER_CONNECTION' });
    expect(String((error as Error).message)).toContain('message_stop');
  });

  it('fails a malformed event with PROVIDER_MALFORMED_RESPONSE', async () => {
    const events = anthropicStream({ text: ['ok'] });
    server.reply({ kind: 'sse', events: [...events.slice(0, 3), { raw: 'event: content_block_delta\ndata: {"type":"content_block_delta",\n\n' }, ...events.slice(3)] });
    const { error } = await streamed(provider, basic);
    expect(error).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE', retryable: false });
  });

  it('maps an error event inside the stream to a ProviderError', async () => {
    server.reply({
      kind: 'sse',
      events: [...anthropicStream({ text: ['x'] }).slice(0, 3), { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }],
    });
    const { error } = await streamed(provider, basic);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: true });
  });

  it('cancels the HTTP request when aborted mid-stream: the server sees the connection close', async () => {
    server.reply({ kind: 'sse', events: anthropicStream({ text: ['first ', 'second'] }).slice(0, 4), then: 'stall' });
    const controller = new AbortController();
    const deltas: ModelDelta[] = [];
    const running = provider.stream?.({ ...basic, signal: controller.signal }, (delta) => {
      deltas.push(delta);
      controller.abort();
    });
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    await server.waitForClosed(1);
    expect(deltas).toEqual([{ kind: 'text', text: 'first ' }]);
  });

  it('fails a stalled stream with STREAM_IDLE_TIMEOUT through the gateway and closes the connection', async () => {
    server.reply({ kind: 'sse', events: anthropicStream({ text: ['a'] }).slice(0, 4), then: 'stall' });
    const gateway = createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES });
    const seen: string[] = [];
    const call = gateway.call({
      agentId: 'a',
      purpose: 'acting',
      provider: 'anthropic',
      request: basic,
      streamIdleTimeoutSeconds: 0.2,
      onDelta: (delta) => seen.push(delta.text),
    });
    await expect(call).rejects.toMatchObject({ code: 'STREAM_IDLE_TIMEOUT', retryable: true });
    await server.waitForClosed(1);
    expect(seen).toEqual(['a']);
  });
});
