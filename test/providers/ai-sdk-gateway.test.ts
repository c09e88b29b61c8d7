/**
 * The AI SDK adapter over real HTTP: the AI SDK's own Vercel AI Gateway
 * provider (`@ai-sdk/gateway`, which ships with `ai`) pointed at a loopback
 * server. Its wire format is the AI SDK's call options in and generate result
 * out, so the server can answer like the gateway does.
 */
import { createGateway } from '@ai-sdk/gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/index.js';
import { createAiSdkProvider } from '../../src/ai-sdk.js';
import type { ModelProvider, ModelRequest } from '../../src/index.js';
import { startLoopbackServer } from '../support/loopback-server.js';
import type { LoopbackServer } from '../support/loopback-server.js';

const key = 'vck-gateway-test-key-0123456789';
let server: LoopbackServer;
let provider: ModelProvider;

beforeEach(async () => {
  server = await startLoopbackServer();
  const gateway = createGateway({ baseURL: server.url, apiKey: key });
  provider = createAiSdkProvider(gateway('openai/gpt-4o-mini'), { name: 'gateway', secrets: [key] });
});
afterEach(() => server.close());

const ask = (extra: Partial<ModelRequest> = {}): ModelRequest => ({
  model: 'openai/gpt-4o-mini',
  system: 'Be brief.',
  messages: [{ role: 'user', content: 'What is 2 + 2?' }],
  maxTokens: 64,
  ...extra,
});

describe('createAiSdkProvider on @ai-sdk/gateway over loopback HTTP', () => {
  it('sends the prompt on the wire and reads text, tool calls and usage back', async () => {
    server.reply({
      kind: 'json',
      body: {
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool-call', toolCallId: 'call_9', toolName: 'calc', input: '{"expr":"2+2"}' },
        ],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: {
          inputTokens: { total: 40, noCache: 30, cacheRead: 10, cacheWrite: 0 },
          outputTokens: { total: 12, text: 12, reasoning: 0 },
        },
      },
    });
    const tools = [{ name: 'calc', description: 'Evaluate', inputSchema: { type: 'object', properties: { expr: { type: 'string' } } } }];
    const response = await provider.complete(ask({ tools }));
    expect(response).toMatchObject({
      text: 'Checking.',
      toolCalls: [{ id: 'call_9', name: 'calc', input: { expr: '2+2' } }],
      stopReason: 'tool_use',
      usage: { inputTokens: 30, cacheReadTokens: 10, outputTokens: 12, thinkingTokens: 0, cacheWriteTokens: 0 },
    });
    const sent = server.requests[0];
    expect(sent?.path).toBe('/language-model');
    expect(sent?.headers['ai-language-model-id']).toBe('openai/gpt-4o-mini');
    expect(sent?.body).toMatchObject({
      prompt: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is 2 + 2?' }] },
      ],
      maxOutputTokens: 64,
      tools: [{ type: 'function', name: 'calc' }],
    });
  });

  it('maps the gateway’s 429 to a retryable PROVIDER_RATE_LIMITED with retry-after, and keeps the key out', async () => {
    server.reply({
      kind: 'json',
      status: 429,
      headers: { 'retry-after': '3' },
      body: { error: { type: 'rate_limit_exceeded', message: `slow down, ${key}` } },
    });
    const error = await provider.complete(ask()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryable: true, status: 429, retryAfterSeconds: 3 });
    expect(String(error)).not.toContain(key);
  });

  it('maps the gateway’s 401 to PROVIDER_AUTHENTICATION', async () => {
    server.reply({ kind: 'json', status: 401, body: { error: { type: 'authentication_error', message: 'bad key' } } });
    const error = await provider.complete(ask()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'PROVIDER_AUTHENTICATION', retryable: false });
  });

  it('aborts a call the server never answers with an AbortError', async () => {
    server.reply({ kind: 'stall' });
    const controller = new AbortController();
    const pending = provider.complete(ask({ signal: controller.signal })).catch((caught: unknown) => caught);
    await server.waitForRequests(1);
    controller.abort();
    const error = await pending;
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(error).not.toBeInstanceOf(ProviderError);
  });
});
