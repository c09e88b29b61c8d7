import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MissingApiKeyError, ProviderError } from '../../src/index.js';
import { estimateTokens } from '../../src/index.js';
import type { ModelProvider, ModelRequest } from '../../src/index.js';
import { createAnthropicProvider } from '../../src/index.js';
import { rejection, sentBody, startLoopbackServer } from '../support/loopback-server.js';
import type { LoopbackServer, ScriptedReply } from '../support/loopback-server.js';

const KEY = 'sk-ant-test-5ecret-KEY-0123456789';
const MODEL = 'claude-haiku-4-5';

function message(overrides: Record<string, unknown> = {}): ScriptedReply {
  return {
    kind: 'json',
    body: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5-20251001',
      content: [{ type: 'text', text: 'Hello there.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      ...overrides,
    },
  };
}

function apiError(status: number, type: string, text: string, headers: Record<string, string> = {}): ScriptedReply {
  return { kind: 'json', status, headers, body: { type: 'error', error: { type, message: text } } };
}

const basic: ModelRequest = { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], maxTokens: 100 };

describe('Anthropic provider', () => {
  let server: LoopbackServer;
  let provider: ModelProvider;

  beforeEach(async () => {
    server = await startLoopbackServer();
    provider = createAnthropicProvider({ apiKey: KEY, baseURL: server.url });
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await server.close();
  });

  describe('creation', () => {
    it('is named "anthropic"', () => {
      expect(provider.name).toBe('anthropic');
    });

    it('throws MissingApiKeyError naming ANTHROPIC_API_KEY when no key is configured', () => {
      vi.stubEnv('ANTHROPIC_API_KEY', '');
      const attempt = (): ModelProvider => createAnthropicProvider({ baseURL: server.url });
      expect(attempt).toThrow(MissingApiKeyError);
      expect(attempt).toThrow(/ANTHROPIC_API_KEY/);
    });

    it('reads the key from ANTHROPIC_API_KEY when none is passed (for the ANTHROPIC_BASE_URL beside it)', async () => {
      vi.stubEnv('ANTHROPIC_API_KEY', 'env-key-abc');
      vi.stubEnv('ANTHROPIC_BASE_URL', server.url);
      server.reply(message());
      await createAnthropicProvider().complete(basic);
      const headers = server.requests[0]?.headers ?? {};
      expect(`${headers['x-api-key'] ?? ''} ${headers['authorization'] ?? ''}`).toContain('env-key-abc');
    });
  });

  describe('requests', () => {
    it('posts to /v1/messages with system blocks, cache_control on cached blocks, tools and tool blocks', async () => {
      server.reply(message());
      await provider.complete({
        model: MODEL,
        system: [{ text: 'Shared context.', cache: true }, { text: 'You are a reviewer.' }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Long document', cache: true }, { type: 'text', text: 'Review it.' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'lookup', input: { q: 'x' } }] },
          { role: 'user', content: [{ type: 'tool_result', toolUseId: 'tu_1', content: 'not found', isError: true }] },
        ],
        tools: [{ name: 'lookup', description: 'Looks things up', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }],
        toolChoice: 'auto',
        temperature: 0.2,
        maxTokens: 300,
      });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.path).toBe('/v1/messages');
      expect(sentBody(server)).toEqual({
        model: MODEL,
        max_tokens: 300,
        temperature: 0.2,
        system: [
          { type: 'text', text: 'Shared context.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'You are a reviewer.' },
        ],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Long document', cache_control: { type: 'ephemeral' } },
              { type: 'text', text: 'Review it.' },
            ],
          },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'lookup', input: { q: 'x' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: 'not found', is_error: true }] },
        ],
        tools: [
          {
            name: 'lookup',
            description: 'Looks things up',
            input_schema: { type: 'object', properties: { q: { type: 'string' } } },
          },
        ],
        tool_choice: { type: 'auto' },
      });
    });

    it('maps toolChoice none and a named tool, and sends no tool_choice without tools', async () => {
      const tools = [{ name: 'lookup', description: 'd', inputSchema: { type: 'object' } }];
      server.reply(message(), message(), message());
      await provider.complete({ ...basic, tools, toolChoice: 'none' });
      await provider.complete({ ...basic, tools, toolChoice: { name: 'lookup' } });
      await provider.complete({ ...basic, toolChoice: 'auto' });
      expect(sentBody(server, 0)['tool_choice']).toEqual({ type: 'none' });
      expect(sentBody(server, 1)['tool_choice']).toEqual({ type: 'tool', name: 'lookup' });
      expect(sentBody(server, 2)).not.toHaveProperty('tool_choice');
      expect(sentBody(server, 2)).not.toHaveProperty('tools');
    });

    it('turns thinking on with budget_tokens clamped up to 1024, max_tokens above the budget, and no temperature', async () => {
      server.reply(message());
      await provider.complete({ ...basic, maxTokens: 200, temperature: 0.3, thinkingBudgetTokens: 500 });
      const body = sentBody(server);
      expect(body['thinking']).toEqual({ type: 'enabled', budget_tokens: 1024 });
      expect(body['max_tokens']).toBe(1224);
      expect(body).not.toHaveProperty('temperature');
    });

    it('keeps a budget above the minimum and adds the answer allowance on top', async () => {
      server.reply(message());
      await provider.complete({ ...basic, maxTokens: 1000, thinkingBudgetTokens: 4000 });
      expect(sentBody(server)['thinking']).toEqual({ type: 'enabled', budget_tokens: 4000 });
      expect(sentBody(server)['max_tokens']).toBe(5000);
    });

    it('forces the structured-output tool with its schema', async () => {
      const schema = { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] };
      server.reply(message());
      await rejection(provider, { ...basic, structuredOutput: { name: 'verdict', schema } });
      const body = sentBody(server);
      expect(body['tools']).toEqual([
        { name: 'verdict', description: expect.stringContaining('verdict'), input_schema: schema },
      ]);
      expect(body['tool_choice']).toEqual({ type: 'tool', name: 'verdict' });
    });

    it('asks for the structured-output tool with tool_choice auto and an instruction when thinking is on', async () => {
      server.reply(message());
      await provider.complete({
        ...basic,
        system: 'Be brief.',
        thinkingBudgetTokens: 2048,
        structuredOutput: { name: 'verdict', schema: { type: 'object' } },
      });
      const body = sentBody(server);
      expect(body['tool_choice']).toEqual({ type: 'auto' });
      expect(body['system']).toMatch(/^Be brief\.\n\n.*"verdict"/s);
      expect(body['thinking']).toEqual({ type: 'enabled', budget_tokens: 2048 });
    });

    it('wraps a non-object structured schema under "value", since tool inputs must be objects', async () => {
      const schema = { type: 'array', items: { type: 'string' } };
      server.reply(message({ content: [{ type: 'tool_use', id: 't', name: 'list', input: { value: ['a', 'b'] } }], stop_reason: 'tool_use' }));
      const response = await provider.complete({ ...basic, structuredOutput: { name: 'list', schema } });
      const tools = sentBody(server)['tools'];
      expect(tools).toEqual([
        expect.objectContaining({ input_schema: { type: 'object', properties: { value: schema }, required: ['value'] } }),
      ]);
      expect(response.structured).toEqual(['a', 'b']);
    });
  });

  describe('responses', () => {
    it('maps text, tool calls, model, stop reason and usage with cache reads and writes', async () => {
      server.reply(
        message({
          content: [
            { type: 'text', text: 'Let me look. ' },
            { type: 'text', text: 'One moment.' },
            { type: 'tool_use', id: 'tu_9', name: 'lookup', input: { q: 'troupe' } },
          ],
          stop_reason: 'tool_use',
          usage: { input_tokens: 40, output_tokens: 30, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 },
        }),
      );
      const response = await provider.complete(basic);
      expect(response).toEqual({
        text: 'Let me look. One moment.',
        toolCalls: [{ id: 'tu_9', name: 'lookup', input: { q: 'troupe' } }],
        usage: { inputTokens: 40, outputTokens: 30, thinkingTokens: 0, cacheReadTokens: 1000, cacheWriteTokens: 200 },
        model: 'claude-haiku-4-5-20251001',
        stopReason: 'tool_use',
      });
    });

    it('returns thinking text and moves its estimated tokens out of outputTokens', async () => {
      const thought = 'First I consider the options, then I weigh them carefully.';
      server.reply(
        message({
          content: [
            { type: 'thinking', thinking: thought, signature: 'sig' },
            { type: 'text', text: 'Option B.' },
          ],
          usage: { input_tokens: 10, output_tokens: 50 },
        }),
      );
      const response = await provider.complete({ ...basic, thinkingBudgetTokens: 1024 });
      expect(response.thinking).toBe(thought);
      expect(response.usage.thinkingTokens).toBe(estimateTokens(thought));
      expect(response.usage.outputTokens).toBe(50 - estimateTokens(thought));
      expect(response.usage.cacheReadTokens).toBe(0);
    });

    it('prefers the API-reported thinking token count when the body has one', async () => {
      server.reply(
        message({
          content: [{ type: 'thinking', thinking: 'short', signature: 's' }, { type: 'text', text: 'ok' }],
          usage: { input_tokens: 10, output_tokens: 900, output_tokens_details: { thinking_tokens: 850 } },
        }),
      );
      const response = await provider.complete({ ...basic, thinkingBudgetTokens: 1024 });
      expect(response.usage).toMatchObject({ thinkingTokens: 850, outputTokens: 50 });
    });

    it('never reports negative output tokens when the thinking estimate exceeds output_tokens', async () => {
      server.reply(
        message({
          content: [{ type: 'thinking', thinking: 'x'.repeat(400), signature: 's' }],
          usage: { input_tokens: 10, output_tokens: 20 },
        }),
      );
      const response = await provider.complete({ ...basic, thinkingBudgetTokens: 1024 });
      expect(response.usage.outputTokens).toBe(0);
      expect(response.usage.thinkingTokens).toBe(20);
    });

    it('returns the forced tool input as structured, not as a tool call, and ends the turn', async () => {
      server.reply(
        message({
          content: [{ type: 'tool_use', id: 'tu_s', name: 'verdict', input: { score: 0.9 } }],
          stop_reason: 'tool_use',
        }),
      );
      const response = await provider.complete({ ...basic, structuredOutput: { name: 'verdict', schema: { type: 'object' } } });
      expect(response.structured).toEqual({ score: 0.9 });
      expect(response.toolCalls).toEqual([]);
      expect(response.stopReason).toBe('end_turn');
    });

    it('rejects with PROVIDER_MALFORMED_RESPONSE when the forced structured tool was not called', async () => {
      server.reply(message());
      const error = await rejection(provider, { ...basic, structuredOutput: { name: 'verdict', schema: { type: 'object' } } });
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
    });

    it.each([
      ['end_turn', 'end_turn'],
      ['max_tokens', 'max_tokens'],
      ['stop_sequence', 'stop_sequence'],
      ['refusal', 'refusal'],
      ['model_context_window_exceeded', 'max_tokens'],
      ['pause_turn', 'other'],
    ])('maps stop_reason %s to %s', async (apiReason, expected) => {
      server.reply(message({ stop_reason: apiReason }));
      expect((await provider.complete(basic)).stopReason).toBe(expected);
    });

    it('asks the API for a token count', async () => {
      server.reply({ kind: 'json', body: { input_tokens: 321 } });
      expect(await provider.countTokens?.(basic)).toBe(321);
      expect(server.requests[0]?.path).toBe('/v1/messages/count_tokens');
      expect(sentBody(server)).not.toHaveProperty('max_tokens');
    });
  });

  describe('failures (exactly one HTTP request each: SDK retries are off)', () => {
    it('maps 429 to PROVIDER_RATE_LIMITED with retry-after seconds', async () => {
      server.reply(apiError(429, 'rate_limit_error', 'Too many requests', { 'retry-after': '7' }));
      const error = await rejection(provider, basic);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryable: true, status: 429, retryAfterSeconds: 7 });
      expect(server.requests).toHaveLength(1);
    });

    it('reads retry-after-ms as fractional seconds', async () => {
      server.reply(apiError(429, 'rate_limit_error', 'slow', { 'retry-after-ms': '2500' }));
      expect(await rejection(provider, basic)).toMatchObject({ retryAfterSeconds: 2.5 });
    });

    it('reads retry-after given as an HTTP date', async () => {
      const inAMinute = new Date(Date.now() + 60_000).toUTCString();
      server.reply(apiError(429, 'rate_limit_error', 'slow', { 'retry-after': inAMinute }));
      const error = await rejection(provider, basic);
      expect(error).toBeInstanceOf(ProviderError);
      const seconds = error instanceof ProviderError ? error.retryAfterSeconds : undefined;
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(61);
    });

    it('maps 529 overloaded_error to PROVIDER_OVERLOADED', async () => {
      server.reply(apiError(529, 'overloaded_error', 'Overloaded'));
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_OVERLOADED', retryable: true, status: 529 });
      expect(server.requests).toHaveLength(1);
    });

    it('maps an overloaded_error type on another status to PROVIDER_OVERLOADED', async () => {
      server.reply(apiError(503, 'overloaded_error', 'Overloaded'));
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_OVERLOADED' });
    });

    it('maps 500 to PROVIDER_SERVER_ERROR with the API error type and message', async () => {
      server.reply(apiError(500, 'api_error', 'Internal server error'));
      const error = await rejection(provider, basic);
      expect(error).toMatchObject({ code: 'PROVIDER_SERVER_ERROR', retryable: true, status: 500 });
      expect(String(error)).toContain('HTTP 500 api_error Internal server error');
      expect(server.requests).toHaveLength(1);
    });

    it.each([
      [400, 'invalid_request_error', 'PROVIDER_BAD_REQUEST'],
      [404, 'not_found_error', 'PROVIDER_BAD_REQUEST'],
      [422, 'invalid_request_error', 'PROVIDER_BAD_REQUEST'],
      [401, 'authentication_error', 'PROVIDER_AUTHENTICATION'],
      [403, 'permission_error', 'PROVIDER_AUTHENTICATION'],
    ])('maps %i %s to %s, not retryable', async (status, type, code) => {
      server.reply(apiError(status, type, 'nope'));
      expect(await rejection(provider, basic)).toMatchObject({ code, retryable: false, status });
      expect(server.requests).toHaveLength(1);
    });

    it('maps a dropped connection to PROVIDER_CONNECTION', async () => {
      server.reply({ kind: 'drop' });
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_CONNECTION', retryable: true });
      expect(server.requests).toHaveLength(1);
    });

    it('sends every request through the `fetch` it is given', async () => {
      const urls: string[] = [];
      const counted = createAnthropicProvider({
        apiKey: KEY,
        baseURL: server.url,
        fetch: (input, init) => {
          urls.push(String(input));
          return fetch(input, init);
        },
      });
      server.reply(message());
      await counted.complete(basic);
      expect(urls).toHaveLength(1);
      expect(urls[0]).toContain(server.url);
    });

    it('maps a connection dropped mid-body to PROVIDER_CONNECTION', async () => {
      server.reply({ kind: 'partial', then: 'drop' });
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_CONNECTION', retryable: true });
      expect(server.requests).toHaveLength(1);
    });

    it('times out a server that stalls mid-body: timeoutMs covers the whole call, not only the headers', async () => {
      const quick = createAnthropicProvider({ apiKey: KEY, baseURL: server.url, timeoutMs: 300 });
      server.reply({ kind: 'partial', then: 'stall' });
      const started = Date.now();
      expect(await rejection(quick, basic)).toMatchObject({ code: 'PROVIDER_TIMEOUT', retryable: true });
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('still reports an abort mid-body as an AbortError, not a timeout', async () => {
      server.reply({ kind: 'partial', then: 'stall' });
      const controller = new AbortController();
      const pending = rejection(provider, { ...basic, signal: controller.signal });
      await server.waitForRequests(1);
      setTimeout(() => controller.abort(), 50);
      const error = await pending;
      expect(error).not.toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ name: 'AbortError' });
    });

    it('maps a stalled server to PROVIDER_TIMEOUT after timeoutMs', async () => {
      const quick = createAnthropicProvider({ apiKey: KEY, baseURL: server.url, timeoutMs: 300 });
      server.reply({ kind: 'stall' });
      expect(await rejection(quick, basic)).toMatchObject({ code: 'PROVIDER_TIMEOUT', retryable: true });
      expect(server.requests).toHaveLength(1);
    });

    it('rejects with an AbortError, not a provider failure, when the signal aborts a pending call', async () => {
      server.reply({ kind: 'stall' });
      const controller = new AbortController();
      const pending = rejection(provider, { ...basic, signal: controller.signal });
      await server.waitForRequests(1);
      controller.abort();
      const error = await pending;
      expect(error).not.toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ name: 'AbortError' });
      expect(server.requests).toHaveLength(1);
    });

    it('makes no request at all when the signal is already aborted', async () => {
      const error = await rejection(provider, { ...basic, signal: AbortSignal.abort() });
      expect(error).toMatchObject({ name: 'AbortError' });
      expect(server.requests).toHaveLength(0);
    });

    it('maps a 200 body that is not JSON to PROVIDER_MALFORMED_RESPONSE', async () => {
      server.reply({ kind: 'raw', body: '{"id": "msg_1", "content": [', headers: { 'content-type': 'application/json' } });
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE', retryable: false });
      expect(server.requests).toHaveLength(1);
    });

    it('maps a 200 body of another content type to PROVIDER_MALFORMED_RESPONSE', async () => {
      server.reply({ kind: 'raw', body: '<html>gateway</html>', headers: { 'content-type': 'text/html' } });
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
    });

    it('maps a JSON body without usage to PROVIDER_MALFORMED_RESPONSE', async () => {
      server.reply({ kind: 'json', body: { model: MODEL, content: [], stop_reason: 'end_turn' } });
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
    });
  });

  describe('secrets', () => {
    it('never puts the API key in a mapped error, even when the API echoes it', async () => {
      server.reply(
        apiError(401, 'authentication_error', `invalid x-api-key: ${KEY}`),
        apiError(429, 'rate_limit_error', `key ${KEY.slice(0, 12)}*** is limited`, { 'retry-after': '1' }),
        { kind: 'drop' },
      );
      for (let i = 0; i < 3; i++) {
        const error = await rejection(provider, basic);
        expect(error).toBeInstanceOf(ProviderError);
        const renderings = [JSON.stringify(error), String(error), inspect(error, { depth: 10 })];
        for (const text of renderings) {
          expect(text).not.toContain(KEY);
          expect(text).not.toContain(KEY.slice(0, 12));
        }
        expect(error instanceof Error ? error.cause : 'no error').toBeUndefined();
      }
    });
  });
});
