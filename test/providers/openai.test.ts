import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, MissingApiKeyError, ProviderError } from '../../src/index.js';
import type { ModelProvider, ModelRequest } from '../../src/index.js';
import { createOpenAIProvider, isReasoningModel, LOCAL_SERVER_API_KEY } from '../../src/providers/index.js';
import { rejection, sentBody, startLoopbackServer } from '../support/loopback-server.js';
import type { LoopbackServer, ScriptedReply } from '../support/loopback-server.js';

const KEY = 'sk-proj-test-5ecret-KEY-0123456789';

function completion(message: Record<string, unknown>, extra: Record<string, unknown> = {}): ScriptedReply {
  return {
    kind: 'json',
    body: {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-2024-08-06',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello there.', ...message } }],
      usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
      ...extra,
    },
  };
}

function apiError(status: number, type: string, text: string, headers: Record<string, string> = {}): ScriptedReply {
  return { kind: 'json', status, headers, body: { error: { type, message: text, code: null, param: null } } };
}

const basic: ModelRequest = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 100 };

describe('OpenAI provider', () => {
  let server: LoopbackServer;
  let provider: ModelProvider;

  beforeEach(async () => {
    server = await startLoopbackServer();
    provider = createOpenAIProvider({ apiKey: KEY, baseURL: `${server.url}/v1` });
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await server.close();
  });

  describe('creation and keys', () => {
    it('is named "openai" unless given a name', () => {
      expect(provider.name).toBe('openai');
      expect(createOpenAIProvider({ baseURL: server.url, name: 'ollama' }).name).toBe('ollama');
    });

    it('throws MissingApiKeyError naming OPENAI_API_KEY when no key is configured for OpenAI itself', () => {
      vi.stubEnv('OPENAI_API_KEY', '');
      expect(() => createOpenAIProvider()).toThrow(MissingApiKeyError);
      expect(() => createOpenAIProvider({ baseURL: 'https://api.openai.com/v1' })).toThrow(/OPENAI_API_KEY/);
    });

    it('sends a placeholder key to a local OpenAI-compatible server when none is configured', async () => {
      vi.stubEnv('OPENAI_API_KEY', '');
      server.reply(completion({}));
      await createOpenAIProvider({ baseURL: `${server.url}/v1`, name: 'ollama' }).complete(basic);
      expect(server.requests[0]?.headers['authorization']).toBe(`Bearer ${LOCAL_SERVER_API_KEY}`);
    });

    it('sends the configured key as a bearer token', async () => {
      server.reply(completion({}));
      await provider.complete(basic);
      expect(server.requests[0]?.headers['authorization']).toBe(`Bearer ${KEY}`);
      expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    });

    it('rejects a baseURL that is not a URL with a ConfigError', () => {
      expect(() => createOpenAIProvider({ baseURL: 'not a url' })).toThrow(ConfigError);
    });
  });

  describe('requests', () => {
    it('sends the system prompt, tool calls and tool results as Chat Completions messages', async () => {
      server.reply(completion({}));
      await provider.complete({
        model: 'gpt-4o',
        system: [{ text: 'Shared.', cache: true }, { text: 'Be brief.' }],
        messages: [
          { role: 'user', content: 'Find troupe.' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Searching.' },
              { type: 'tool_use', id: 'call_1', name: 'lookup', input: { q: 'troupe' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', toolUseId: 'call_1', content: 'timeout', isError: true },
              { type: 'text', text: 'Try again.' },
            ],
          },
        ],
        tools: [{ name: 'lookup', description: 'Looks up', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }],
        toolChoice: { name: 'lookup' },
        temperature: 0.4,
        maxTokens: 256,
      });
      expect(sentBody(server)).toEqual({
        model: 'gpt-4o',
        max_tokens: 256,
        temperature: 0.4,
        messages: [
          { role: 'system', content: 'Shared.\n\nBe brief.' },
          { role: 'user', content: 'Find troupe.' },
          {
            role: 'assistant',
            content: 'Searching.',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"troupe"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'Error: timeout' },
          { role: 'user', content: 'Try again.' },
        ],
        tools: [
          {
            type: 'function',
            function: { name: 'lookup', description: 'Looks up', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
          },
        ],
        tool_choice: { type: 'function', function: { name: 'lookup' } },
      });
    });

    it('sends an assistant turn that only calls tools with null content', async () => {
      server.reply(completion({}));
      await provider.complete({
        ...basic,
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'c', name: 't', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', toolUseId: 'c', content: 'done' }] },
        ],
      });
      const messages = sentBody(server)['messages'];
      expect(messages).toEqual([
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 't', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c', content: 'done' },
      ]);
    });

    it('asks for structured output with a strict json_schema response_format', async () => {
      const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false };
      server.reply(completion({ content: '{"ok":true}' }));
      await provider.complete({ ...basic, structuredOutput: { name: 'check', schema } });
      expect(sentBody(server)['response_format']).toEqual({
        type: 'json_schema',
        json_schema: { name: 'check', schema, strict: true },
      });
    });

    it('uses max_completion_tokens, reasoning_effort, a developer message and no temperature for reasoning models', async () => {
      server.reply(completion({}), completion({}));
      await provider.complete({ ...basic, model: 'o4-mini', system: 'Think.', temperature: 0.5, reasoningEffort: 'high' });
      await provider.complete({ ...basic, model: 'gpt-5-mini', thinkingBudgetTokens: 4000 });
      const first = sentBody(server, 0);
      expect(first).toMatchObject({ max_completion_tokens: 100, reasoning_effort: 'high' });
      expect(first).not.toHaveProperty('max_tokens');
      expect(first).not.toHaveProperty('temperature');
      expect(first['messages']).toEqual([
        { role: 'developer', content: 'Think.' },
        { role: 'user', content: 'Hi' },
      ]);
      // A thinking budget alone becomes an effort for reasoning models.
      expect(sentBody(server, 1)).toMatchObject({ max_completion_tokens: 100, reasoning_effort: 'medium' });
    });

    it('uses max_tokens and no reasoning_effort for other models', async () => {
      server.reply(completion({}));
      await provider.complete({ ...basic, thinkingBudgetTokens: 4000 });
      const body = sentBody(server);
      expect(body['max_tokens']).toBe(100);
      expect(body).not.toHaveProperty('max_completion_tokens');
      expect(body).not.toHaveProperty('reasoning_effort');
    });

    it('recognises reasoning model names', () => {
      expect(['o1', 'o3-mini', 'o4-mini-2025-04-16', 'gpt-5', 'gpt-5-nano'].map(isReasoningModel)).toEqual([true, true, true, true, true]);
      expect(['gpt-4o', 'gpt-4.1-mini', 'llama3.1', 'omni'].map(isReasoningModel)).toEqual([false, false, false, false]);
    });
  });

  describe('responses', () => {
    it('maps tool calls, finish reason and usage with cached and reasoning tokens split out', async () => {
      server.reply(
        completion(
          {
            content: null,
            tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
          },
          {
            choices: [
              {
                index: 0,
                finish_reason: 'tool_calls',
                message: {
                  role: 'assistant',
                  content: null,
                  tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
                },
              },
            ],
            usage: {
              prompt_tokens: 1200,
              completion_tokens: 300,
              total_tokens: 1500,
              prompt_tokens_details: { cached_tokens: 1024 },
              completion_tokens_details: { reasoning_tokens: 256 },
            },
          },
        ),
      );
      const response = await provider.complete(basic);
      expect(response).toEqual({
        text: '',
        toolCalls: [{ id: 'call_7', name: 'lookup', input: { q: 'x' } }],
        usage: { inputTokens: 176, outputTokens: 44, thinkingTokens: 256, cacheReadTokens: 1024, cacheWriteTokens: 0 },
        model: 'gpt-4o-2024-08-06',
        stopReason: 'tool_use',
      });
    });

    it('parses structured output from the message content', async () => {
      server.reply(completion({ content: '{"ok":true,"n":3}' }));
      const response = await provider.complete({ ...basic, structuredOutput: { name: 'check', schema: { type: 'object' } } });
      expect(response.structured).toEqual({ ok: true, n: 3 });
      expect(response.text).toBe('{"ok":true,"n":3}');
    });

    it('returns no structured value, and no error, for a turn that only calls tools', async () => {
      server.reply(completion({ content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 't', arguments: '{}' } }] }));
      const response = await provider.complete({ ...basic, structuredOutput: { name: 'check', schema: { type: 'object' } } });
      expect(response.toolCalls).toEqual([{ id: 'c', name: 't', input: {} }]);
      expect(response).not.toHaveProperty('structured');
    });

    it('rejects an empty answer to a structured request with PROVIDER_MALFORMED_RESPONSE', async () => {
      server.reply(completion({ content: null }));
      const error = await rejection(provider, { ...basic, structuredOutput: { name: 'check', schema: { type: 'object' } } });
      expect(error).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
    });

    it('rejects malformed structured JSON with PROVIDER_MALFORMED_RESPONSE', async () => {
      server.reply(completion({ content: '{"ok": tru' }));
      const error = await rejection(provider, { ...basic, structuredOutput: { name: 'check', schema: { type: 'object' } } });
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
    });

    it('rejects tool call arguments that are not JSON with PROVIDER_MALFORMED_RESPONSE', async () => {
      server.reply(completion({ content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 't', arguments: '{' } }] }));
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
    });

    it('reports a refusal as text with stop reason refusal and no structured value', async () => {
      server.reply(completion({ content: null, refusal: 'I cannot help with that.' }));
      const response = await provider.complete({ ...basic, structuredOutput: { name: 'check', schema: { type: 'object' } } });
      expect(response).toMatchObject({ text: 'I cannot help with that.', stopReason: 'refusal' });
      expect(response).not.toHaveProperty('structured');
    });

    it('returns reasoning_content from compatible servers as thinking', async () => {
      server.reply(completion({ content: 'B', reasoning_content: 'A is worse than B.' }));
      expect((await provider.complete(basic)).thinking).toBe('A is worse than B.');
    });

    it.each([
      ['stop', 'end_turn'],
      ['length', 'max_tokens'],
      ['tool_calls', 'tool_use'],
      ['content_filter', 'refusal'],
      ['something_new', 'other'],
    ])('maps finish_reason %s to %s', async (finish, expected) => {
      server.reply(
        completion({}, { choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', content: 'x' } }] }),
      );
      expect((await provider.complete(basic)).stopReason).toBe(expected);
    });
  });

  describe('failures (exactly one HTTP request each: SDK retries are off)', () => {
    it('maps 429 to PROVIDER_RATE_LIMITED with retry-after seconds', async () => {
      server.reply(apiError(429, 'requests', 'Rate limit reached', { 'retry-after': '12' }));
      expect(await rejection(provider, basic)).toMatchObject({
        code: 'PROVIDER_RATE_LIMITED',
        retryable: true,
        status: 429,
        retryAfterSeconds: 12,
      });
      expect(server.requests).toHaveLength(1);
    });

    it('maps 529 to PROVIDER_OVERLOADED and 500/503 to PROVIDER_SERVER_ERROR', async () => {
      server.reply(apiError(529, 'overloaded', 'busy'), apiError(500, 'server_error', 'oops'), apiError(503, 'server_error', 'down'));
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_OVERLOADED' });
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_SERVER_ERROR', status: 500 });
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_SERVER_ERROR', status: 503 });
      expect(server.requests).toHaveLength(3);
    });

    it.each([
      [400, 'PROVIDER_BAD_REQUEST'],
      [404, 'PROVIDER_BAD_REQUEST'],
      [422, 'PROVIDER_BAD_REQUEST'],
      [401, 'PROVIDER_AUTHENTICATION'],
      [403, 'PROVIDER_AUTHENTICATION'],
    ])('maps %i to %s', async (status, code) => {
      server.reply(apiError(status, 'invalid_request_error', 'bad'));
      expect(await rejection(provider, basic)).toMatchObject({ code, retryable: false });
      expect(server.requests).toHaveLength(1);
    });

    it('maps a dropped connection to PROVIDER_CONNECTION', async () => {
      server.reply({ kind: 'drop' });
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_CONNECTION', retryable: true });
      expect(server.requests).toHaveLength(1);
    });

    it('sends every request through the `fetch` it is given', async () => {
      const urls: string[] = [];
      const counted = createOpenAIProvider({
        apiKey: KEY,
        baseURL: `${server.url}/v1`,
        fetch: (input, init) => {
          urls.push(String(input));
          return fetch(input, init);
        },
      });
      server.reply(completion({ role: 'assistant', content: 'Hello' }));
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
      const quick = createOpenAIProvider({ apiKey: KEY, baseURL: `${server.url}/v1`, timeoutMs: 300 });
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
      const quick = createOpenAIProvider({ apiKey: KEY, baseURL: `${server.url}/v1`, timeoutMs: 300 });
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

    it('maps a 200 body that is not JSON to PROVIDER_MALFORMED_RESPONSE', async () => {
      server.reply({ kind: 'raw', body: '{"choices": [', headers: { 'content-type': 'application/json' } });
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
      expect(server.requests).toHaveLength(1);
    });

    it('maps a JSON body without choices or usage to PROVIDER_MALFORMED_RESPONSE', async () => {
      server.reply({ kind: 'json', body: { model: 'gpt-4o', choices: [] } }, completion({}, { usage: undefined }));
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
      expect(await rejection(provider, basic)).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
    });
  });

  describe('secrets', () => {
    it('never puts the API key in a mapped error, even when the API echoes it', async () => {
      const masked = `${KEY.slice(0, 8)}************${KEY.slice(-4)}`;
      server.reply(
        apiError(401, 'invalid_request_error', `Incorrect API key provided: ${masked}. You can find your API key at the dashboard.`),
        apiError(400, 'invalid_request_error', `bad request for ${KEY}`),
      );
      for (let i = 0; i < 2; i++) {
        const error = await rejection(provider, basic);
        expect(error).toBeInstanceOf(ProviderError);
        for (const text of [JSON.stringify(error), String(error), inspect(error, { depth: 10 })]) {
          expect(text).not.toContain(KEY);
          expect(text).not.toContain(KEY.slice(0, 8));
        }
        expect(error instanceof Error ? error.cause : 'no error').toBeUndefined();
      }
    });
  });
});
