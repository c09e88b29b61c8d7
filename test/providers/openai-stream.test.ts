import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/index.js';
import type { ModelDelta, ModelProvider, ModelRequest } from '../../src/index.js';
import { createOpenAIProvider } from '../../src/index.js';
import { createModelGateway } from '../../src/testing.js';
import { DEFAULT_PRICES } from '../../src/index.js';
import { sentBody, startLoopbackServer } from '../support/loopback-server.js';
import type { LoopbackServer } from '../support/loopback-server.js';
import { openaiStream } from '../support/sse-streams.js';

const KEY = 'sk-test-openai-5ecret-0123456789';
const basic: ModelRequest = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 100 };

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

describe('OpenAI provider streaming', () => {
  let server: LoopbackServer;
  let provider: ModelProvider;

  beforeEach(async () => {
    server = await startLoopbackServer();
    provider = createOpenAIProvider({ apiKey: KEY, baseURL: `${server.url}/v1` });
  });
  afterEach(() => server.close());

  it('streams content deltas in order, asks for usage, and assembles the same response as a plain call', async () => {
    server.reply({ kind: 'sse', events: openaiStream({ content: ['Hel', 'lo ', 'there.'], usage: { prompt_tokens: 30, completion_tokens: 12 } }) });
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
      model: 'gpt-4o-2024-08-06',
      usage: { inputTokens: 30, outputTokens: 12, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
    expect(sentBody(server)).toMatchObject({ stream: true, stream_options: { include_usage: true }, model: 'gpt-4o' });
  });

  it('streams tool-call arguments and parses them at the end', async () => {
    server.reply({ kind: 'sse', events: openaiStream({ tool: { id: 'call_1', name: 'get_weather', args: ['{"city":', '"Paris"}'] } }) });
    const request: ModelRequest = {
      ...basic,
      tools: [{ name: 'get_weather', description: 'Weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
    };
    const { deltas, response } = await streamed(provider, request);
    expect(deltas).toEqual([
      { kind: 'tool_input', text: '{"city":', toolName: 'get_weather' },
      { kind: 'tool_input', text: '"Paris"}', toolName: 'get_weather' },
    ]);
    expect(response).toMatchObject({ toolCalls: [{ id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }], stopReason: 'tool_use' });
  });

  it('reports structured output as structured deltas and parses the value at the end', async () => {
    server.reply({ kind: 'sse', events: openaiStream({ content: ['{"score":', '0.8}'] }) });
    const request: ModelRequest = { ...basic, structuredOutput: { name: 'verdict', schema: { type: 'object', properties: { score: { type: 'number' } } } } };
    const { deltas, response } = await streamed(provider, request);
    expect(deltas.map((d) => d.kind)).toEqual(['structured', 'structured']);
    expect(response?.structured).toEqual({ score: 0.8 });
  });

  it('estimates usage when the server sends no usage chunk', async () => {
    server.reply({ kind: 'sse', events: openaiStream({ content: ['four chars more'], usage: null }) });
    const { response } = await streamed(provider, basic);
    expect(response?.usage.outputTokens).toBeGreaterThan(0);
    expect(response?.usage.inputTokens).toBeGreaterThan(0);
  });

  it('fails a stream cut mid-way with a retryable PROVIDER_CONNECTION, after the deltas that arrived', async () => {
    server.reply({ kind: 'sse', events: openaiStream({ content: ['partial ', 'answer'] }).slice(0, 3), then: 'drop' });
    const { deltas, error } = await streamed(provider, basic);
    expect(deltas.map((d) => d.text)).toEqual(['partial ', 'answer']);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_CONNECTION', retryable: true });
  });

  it('fails a stream that ends cleanly without a finish_reason', async () => {
    server.reply({ kind: 'sse', events: openaiStream({ content: ['half'] }).slice(0, 2), then: 'end' });
    const { error } = await streamed(provider, basic);
    expect(error).toMatchObject({ code: 'PROVIDER_CONNECTION' });
  });

  it('fails a malformed chunk with PROVIDER_MALFORMED_RESPONSE', async () => {
    const events = openaiStream({ content: ['ok'] });
    server.reply({ kind: 'sse', events: [events[0]!, { raw: 'data: {"id":"chatcmpl-x","choices":[{\n\n' }, ...events.slice(1)] });
    const { error } = await streamed(provider, basic);
    expect(error).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE', retryable: false });
  });

  it('fails a chunk of the wrong shape with PROVIDER_MALFORMED_RESPONSE', async () => {
    server.reply({ kind: 'sse', events: [{ data: { id: 'x', choices: 'nope' } }, { data: '[DONE]' }] });
    const { error } = await streamed(provider, basic);
    expect(error).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
  });

  it('maps an error object inside the stream to a ProviderError', async () => {
    server.reply({ kind: 'sse', events: [openaiStream({ content: ['x'] })[0]!, { data: { error: { type: 'server_error', message: 'boom' } } }] });
    const { error } = await streamed(provider, basic);
    expect(error).toBeInstanceOf(ProviderError);
  });

  it('cancels the HTTP request when aborted mid-stream: the server sees the connection close', async () => {
    server.reply({ kind: 'sse', events: openaiStream({ content: ['first ', 'second'] }).slice(0, 2), then: 'stall' });
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
    server.reply({ kind: 'sse', events: openaiStream({ content: ['a'] }).slice(0, 2), then: 'stall' });
    const gateway = createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES });
    const seen: string[] = [];
    const call = gateway.call({
      agentId: 'a',
      purpose: 'acting',
      provider: 'openai',
      request: basic,
      streamIdleTimeoutSeconds: 0.2,
      onDelta: (delta) => seen.push(delta.text),
    });
    await expect(call).rejects.toMatchObject({ code: 'STREAM_IDLE_TIMEOUT', retryable: true });
    await server.waitForClosed(1);
    expect(seen).toEqual(['a']);
  });
});
