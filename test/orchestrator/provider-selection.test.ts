/**
 * Which provider runs: a provider block (`anthropic: {...}` / `openai: {...}`)
 * selects its provider when `provider` is not set, results name the providers
 * that ran, and a standalone ThinkingAgent reaches an OpenAI-compatible server
 * through its `openai` option or `OPENAI_BASE_URL`. The servers are loopback
 * stand-ins.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, Orchestrator, ThinkingAgent } from '../../src/index.js';
import { startLoopbackServer } from '../support/loopback-server.js';
import type { LoopbackServer, ScriptedReply } from '../support/loopback-server.js';

/** One model call per task: no thinking, no reflection. */
const ONE_CALL = { enableExtendedThinking: false, enableSelfReflection: false } as const;

function anthropicMessage(text: string): ScriptedReply {
  return {
    kind: 'json',
    body: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    },
  };
}

function openaiCompletion(text: string): ScriptedReply {
  return {
    kind: 'json',
    body: {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'llama3.1',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: text } }],
      usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
    },
  };
}

let server: LoopbackServer;
const open: Orchestrator[] = [];

beforeEach(async () => {
  server = await startLoopbackServer();
  // No key or base URL from the machine running the tests may pick a provider.
  vi.stubEnv('ANTHROPIC_API_KEY', '');
  vi.stubEnv('OPENAI_API_KEY', '');
  vi.stubEnv('ANTHROPIC_BASE_URL', '');
  vi.stubEnv('OPENAI_BASE_URL', '');
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(open.splice(0).map((orchestrator) => orchestrator.shutdown()));
  await server.close();
});

function orchestrator(config: ConstructorParameters<typeof Orchestrator>[0]): Orchestrator {
  const created = new Orchestrator({ journal: false, enableThinkingAgents: false, ...config });
  open.push(created);
  return created;
}

describe('a provider block selects its provider', () => {
  it('anthropic: { apiKey, baseURL } without provider runs on anthropic, and the result says so', async () => {
    server.reply(anthropicMessage('from the anthropic stand-in'));
    const host = orchestrator({ model: 'claude-haiku-4-5', anthropic: { apiKey: 'sk-ant-test', baseURL: server.url } });
    host.registerTemplate('solo', { enableSelfReflection: false });
    const result = await host.executeTask({ agentId: 'solo', taskDescription: 'Say hello' });
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('from the anthropic stand-in');
    expect(result.simulated).toBe(false);
    expect(result.providers).toEqual(['anthropic']);
    expect(server.requests[0]?.path).toBe('/v1/messages');
  });

  it('openai: { baseURL } without provider runs on openai (gpt-4o by default), and a workflow result lists it', async () => {
    server.reply(openaiCompletion('from the openai stand-in'));
    const host = orchestrator({ openai: { baseURL: `${server.url}/v1` } });
    host.registerTemplate('solo', { enableSelfReflection: false });
    const run = await host.executeWorkflow({ tasks: [{ agentId: 'solo', taskDescription: 'Say hello' }] });
    expect(run.results.solo?.output).toBe('from the openai stand-in');
    expect(run.providers).toEqual(['openai']);
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    expect((server.requests[0]?.body as { model?: unknown }).model).toBe('gpt-4o');
  });

  it('an explicit provider wins over a block', async () => {
    const host = orchestrator({ provider: 'simulated', anthropic: { apiKey: 'sk-ant-test', baseURL: server.url } });
    const result = await host.executeTask({ agentId: 'solo', taskDescription: 'Say hello' });
    expect(result.providers).toEqual(['simulated']);
    expect(result.simulated).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('both blocks without provider is a ConfigError naming provider', () => {
    const both = () => new Orchestrator({ journal: false, anthropic: { apiKey: 'a' }, openai: { apiKey: 'b' } });
    expect(both).toThrow(ConfigError);
    expect(both).toThrow(/Invalid config "provider": both an anthropic and an openai block are set/);
    // Naming one resolves it.
    const named = orchestrator({ provider: 'openai', anthropic: { apiKey: 'a' }, openai: { apiKey: 'b' } });
    expect(named.inspectAgent('x')).toBeUndefined();
  });

  it('simulated results say simulated', async () => {
    const run = await orchestrator({ provider: 'simulated' }).executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'x' }] });
    expect(run.results.a?.providers).toEqual(['simulated']);
    expect(run.providers).toEqual(['simulated']);
  });
});

describe('a standalone ThinkingAgent on an OpenAI-compatible server', () => {
  it("provider 'openai' honours OPENAI_BASE_URL (no key needed for a local server)", async () => {
    vi.stubEnv('OPENAI_BASE_URL', `${server.url}/v1`);
    server.reply(openaiCompletion('local answer'));
    const agent = new ThinkingAgent({ agentId: 'local', config: { ...ONE_CALL, provider: 'openai', model: 'llama3.1' } });
    const result = await agent.executeTask({ task: 'Say hello' });
    agent.stop();
    expect(result.output).toBe('local answer');
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    expect((server.requests[0]?.body as { model?: unknown }).model).toBe('llama3.1');
  });

  it('takes an openai: { apiKey, baseURL } option, which also selects openai', async () => {
    server.reply(openaiCompletion('configured answer'));
    const agent = new ThinkingAgent({ agentId: 'local', config: { ...ONE_CALL, model: 'llama3.1' }, openai: { apiKey: 'local-key', baseURL: `${server.url}/v1` } });
    expect(agent.config.provider).toBe('openai');
    const result = await agent.executeTask({ task: 'Say hello' });
    agent.stop();
    expect(result.output).toBe('configured answer');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer local-key');
  });

  it('takes an anthropic: { apiKey, baseURL } option', async () => {
    server.reply(anthropicMessage('anthropic answer'));
    const agent = new ThinkingAgent({ agentId: 'claude', config: { ...ONE_CALL, model: 'claude-haiku-4-5' }, anthropic: { apiKey: 'sk-ant-test', baseURL: server.url } });
    const result = await agent.executeTask({ task: 'Say hello' });
    agent.stop();
    expect(result.output).toBe('anthropic answer');
    const headers = server.requests[0]?.headers ?? {};
    expect(`${String(headers['x-api-key'] ?? '')} ${headers.authorization ?? ''}`).toContain('sk-ant-test');
  });

  it('a bad baseURL in the option is a ConfigError naming it', () => {
    expect(() => new ThinkingAgent({ agentId: 'x', openai: { baseURL: 'not a url' } })).toThrow(/Invalid config "openai.baseURL"/);
  });
});
