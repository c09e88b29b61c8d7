/**
 * Where API keys go: a key from the environment reaches only its provider's
 * own host (or the base URL set beside it in the same environment); a
 * `baseURL` in config receives only a key passed in config. Loopback servers
 * record the `authorization` and `x-api-key` headers they receive; calls to
 * the real hosts go to a recording `fetch` and never leave the process.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, MissingApiKeyError, ProviderError } from '../../src/index.js';
import type { ModelRequest } from '../../src/index.js';
import { createAnthropicProvider } from '../../src/index.js';
import { createOpenAIProvider, LOCAL_SERVER_API_KEY } from '../../src/providers/index.js';
import { Orchestrator } from '../../src/index.js';
import { rejection, startLoopbackServer } from '../support/loopback-server.js';
import type { LoopbackServer, ScriptedReply } from '../support/loopback-server.js';

const ENV_ANTHROPIC = 'sk-ant-env-5ecret-KEY-0123456789abcdef';
const ENV_OPENAI = 'sk-proj-env-5ecret-KEY-0123456789abcdef';
const CONFIG_KEY = 'sk-config-KEY-0123456789abcdef';
const ENV_TOKEN = 'env-auth-token-5ecret-0123456789';

const anthropicMessage = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-haiku-4-5',
  content: [{ type: 'text', text: 'hi' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 5, output_tokens: 1 },
};
const openaiCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hi' } }],
  usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
};
const json = (body: unknown): ScriptedReply => ({ kind: 'json', body });
const claude: ModelRequest = { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 10 };
const gpt: ModelRequest = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 10 };

/** The credential headers of every request the server received. */
function credentials(server: LoopbackServer): string[] {
  return server.requests.map((request) => `${String(request.headers['authorization'] ?? '')}|${String(request.headers['x-api-key'] ?? '')}`);
}

/** A `fetch` that answers `body` and records each request's URL and credential headers, for the providers' own hosts. */
function recordingFetch(body: unknown): { fetch: typeof globalThis.fetch; calls: { url: string; credentials: string }[] } {
  const calls: { url: string; credentials: string }[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    const url = input instanceof Request ? input.url : String(input);
    calls.push({ url, credentials: `${headers.get('authorization') ?? ''}|${headers.get('x-api-key') ?? ''}` });
    return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }));
  };
  return { fetch, calls };
}

let server: LoopbackServer;
beforeEach(async () => {
  vi.stubEnv('ANTHROPIC_API_KEY', ENV_ANTHROPIC);
  vi.stubEnv('OPENAI_API_KEY', ENV_OPENAI);
  vi.stubEnv('ANTHROPIC_BASE_URL', '');
  vi.stubEnv('OPENAI_BASE_URL', '');
  vi.stubEnv('ANTHROPIC_AUTH_TOKEN', '');
  server = await startLoopbackServer();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await server.close();
});

describe('ANTHROPIC_API_KEY', () => {
  it('is sent to api.anthropic.com when no baseURL is given', async () => {
    const { fetch, calls } = recordingFetch(anthropicMessage);
    await createAnthropicProvider({ fetch }).complete(claude);
    expect(calls.map((call) => call.url)).toEqual(['https://api.anthropic.com/v1/messages']);
    expect(calls[0]?.credentials).toContain(ENV_ANTHROPIC);
  });

  it('is never sent to another baseURL: creating the provider is a ConfigError naming anthropic.apiKey', () => {
    const attempt = () => createAnthropicProvider({ baseURL: server.url });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/anthropic\.apiKey/);
    expect(() => createAnthropicProvider({ baseURL: 'http://api.anthropic.com' })).toThrow(ConfigError); // not https
    expect(() => new Orchestrator({ provider: 'anthropic', anthropic: { baseURL: server.url } })).toThrow(ConfigError);
    expect(server.requests).toHaveLength(0);
  });

  it('is sent to the ANTHROPIC_BASE_URL set beside it, whether the SDK reads it or config repeats it', async () => {
    vi.stubEnv('ANTHROPIC_BASE_URL', server.url);
    server.reply(json(anthropicMessage), json(anthropicMessage));
    await createAnthropicProvider().complete(claude);
    await createAnthropicProvider({ baseURL: `${server.url}/` }).complete(claude);
    expect(credentials(server)).toHaveLength(2);
    for (const sent of credentials(server)) expect(sent).toContain(ENV_ANTHROPIC);
  });

  it('leaves an explicit key going wherever baseURL points, and never sends ANTHROPIC_AUTH_TOKEN', async () => {
    vi.stubEnv('ANTHROPIC_AUTH_TOKEN', ENV_TOKEN);
    server.reply(json(anthropicMessage));
    await createAnthropicProvider({ apiKey: CONFIG_KEY, baseURL: server.url }).complete(claude);
    expect(credentials(server)).toHaveLength(1);
    expect(credentials(server)[0]).toContain(CONFIG_KEY);
    expect(credentials(server)[0]).not.toContain(ENV_TOKEN);
  });

  it('refuses a baseURL that is not a URL with a ConfigError, whichever key is given', () => {
    expect(() => createAnthropicProvider({ apiKey: CONFIG_KEY, baseURL: 'not a url' })).toThrow(/anthropic\.baseURL/);
    expect(() => createOpenAIProvider({ apiKey: CONFIG_KEY, baseURL: 'not a url' })).toThrow(/openai\.baseURL/);
  });

  it('without any key is still MissingApiKeyError', () => {
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    expect(() => createAnthropicProvider({ baseURL: server.url })).toThrow(MissingApiKeyError);
  });
});

describe('OPENAI_API_KEY', () => {
  it('is sent to api.openai.com when no baseURL is given', async () => {
    const { fetch, calls } = recordingFetch(openaiCompletion);
    await createOpenAIProvider({ fetch }).complete(gpt);
    await createOpenAIProvider({ fetch, baseURL: 'https://api.openai.com/v1' }).complete(gpt);
    expect(calls).toEqual([
      { url: 'https://api.openai.com/v1/chat/completions', credentials: `Bearer ${ENV_OPENAI}|` },
      { url: 'https://api.openai.com/v1/chat/completions', credentials: `Bearer ${ENV_OPENAI}|` },
    ]);
  });

  it('is never sent to another baseURL: the placeholder goes instead, and a 401 says why', async () => {
    server.reply(json(openaiCompletion), { kind: 'json', status: 401, body: { error: { type: 'invalid_request_error', message: 'key required', code: 'invalid_api_key' } } });
    const local = createOpenAIProvider({ baseURL: `${server.url}/v1` });
    await local.complete(gpt);
    const error = await rejection(local, gpt);
    expect(error).toBeInstanceOf(ProviderError);
    expect(String(error)).toMatch(/OPENAI_API_KEY is only sent to api\.openai\.com.*pass openai\.apiKey/);
    expect(credentials(server)).toEqual([`Bearer ${LOCAL_SERVER_API_KEY}|`, `Bearer ${LOCAL_SERVER_API_KEY}|`]);
  });

  it('is not sent to a look-alike host or over plain http', async () => {
    for (const baseURL of ['http://api.openai.com/v1', 'https://api.openai.com.example.net/v1', 'https://openai.com.example/v1']) {
      const { fetch, calls } = recordingFetch(openaiCompletion);
      await createOpenAIProvider({ fetch, baseURL }).complete(gpt);
      expect(calls.map((call) => call.credentials)).toEqual([`Bearer ${LOCAL_SERVER_API_KEY}|`]);
    }
  });

  it('is sent to the OPENAI_BASE_URL set beside it, whether the SDK reads it or config repeats it', async () => {
    vi.stubEnv('OPENAI_BASE_URL', `${server.url}/v1`);
    server.reply(json(openaiCompletion), json(openaiCompletion));
    await createOpenAIProvider().complete(gpt);
    await createOpenAIProvider({ baseURL: `${server.url}/v1` }).complete(gpt);
    expect(credentials(server)).toEqual([`Bearer ${ENV_OPENAI}|`, `Bearer ${ENV_OPENAI}|`]);
  });

  it('leaves an explicit key going wherever baseURL points, also through the orchestrator', async () => {
    server.reply(...Array.from({ length: 8 }, () => json(openaiCompletion)));
    await createOpenAIProvider({ apiKey: CONFIG_KEY, baseURL: `${server.url}/v1` }).complete(gpt);
    const withEnvKeyOnly = new Orchestrator({ provider: 'openai', model: 'gpt-4o', openai: { baseURL: `${server.url}/v1` }, journal: false, enableThinkingAgents: false });
    await withEnvKeyOnly.executeTask({ agentId: 'a', taskDescription: 'Say hi' });
    await withEnvKeyOnly.shutdown();
    const [explicit, ...fromOrchestrator] = credentials(server);
    expect(explicit).toBe(`Bearer ${CONFIG_KEY}|`);
    expect(fromOrchestrator.length).toBeGreaterThan(0);
    for (const sent of fromOrchestrator) expect(sent).toBe(`Bearer ${LOCAL_SERVER_API_KEY}|`);
  });
});
