import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMachine, sendTo } from 'xstate';
import { Orchestrator } from '../../src/index.js';
import type { ModelRequest, OrchestratorConfig } from '../../src/index.js';
import { ConfigError, MissingApiKeyError, PermissionDeniedError } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { SharedContextStore } from '../../src/index.js';
import { runMainDemo } from '../../examples/main-demo.js';
import { startLoopbackServer } from '../support/loopback-server.js';

const saved = { anthropic: process.env.ANTHROPIC_API_KEY, openai: process.env.OPENAI_API_KEY };
beforeEach(() => {
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.OPENAI_API_KEY;
});
afterEach(() => {
  vi.useRealTimers();
  if (saved.anthropic !== undefined) process.env.ANTHROPIC_API_KEY = saved.anthropic;
  if (saved.openai !== undefined) process.env.OPENAI_API_KEY = saved.openai;
});

const fast = { enableThinkingAgents: false } satisfies OrchestratorConfig;

describe('orchestrator configuration', () => {
  const badValues: [string, OrchestratorConfig, string][] = [
    ['model', { model: '' }, 'model'],
    ['temperature above 2', { temperature: 2.5 }, 'temperature'],
    ['temperature below 0', { temperature: -0.1 }, 'temperature'],
    ['maxTokens zero', { maxTokens: 0 }, 'maxTokens'],
    ['maxTokens fractional', { maxTokens: 10.5 }, 'maxTokens'],
    ['enableThinkingAgents', { enableThinkingAgents: 'yes' as unknown as boolean }, 'enableThinkingAgents'],
    ['enableSharedContext', { enableSharedContext: 1 as unknown as boolean }, 'enableSharedContext'],
    ['enableAlternativePaths', { enableAlternativePaths: null as unknown as boolean }, 'enableAlternativePaths'],
    ['enableCrossAgentMemory', { enableCrossAgentMemory: 'no' as unknown as boolean }, 'enableCrossAgentMemory'],
    ['memoryConfig.tokenThreshold', { memoryConfig: { tokenThreshold: 10 } }, 'memoryConfig.tokenThreshold'],
    ['memoryConfig.preserveLastNMessages', { memoryConfig: { preserveLastNMessages: -1 } }, 'memoryConfig.preserveLastNMessages'],
    ['maxParallelAgents', { maxParallelAgents: 0 }, 'maxParallelAgents'],
    ['maxConsultationDepth', { maxConsultationDepth: 0 }, 'maxConsultationDepth'],
    ['agentTimeoutSeconds', { agentTimeoutSeconds: 0 }, 'agentTimeoutSeconds'],
    ['retryFailedAgents', { retryFailedAgents: 'always' as unknown as boolean }, 'retryFailedAgents'],
    ['retry.maxAttempts', { retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    ['maxCostPerAgentCents', { maxCostPerAgentCents: -5 }, 'maxCostPerAgentCents'],
    ['totalCostLimitCents', { totalCostLimitCents: 0 }, 'totalCostLimitCents'],
    ['per-agent above total', { maxCostPerAgentCents: 50, totalCostLimitCents: 10 }, 'maxCostPerAgentCents'],
    ['provider', { provider: 'gemini' as unknown as 'simulated' }, 'provider'],
    ['simulated.failureRate', { simulated: { failureRate: 2 } }, 'simulated.failureRate'],
    ['enableCrossAgentMemory without the store', { enableCrossAgentMemory: true }, 'enableCrossAgentMemory'],
    ['agentPermissions without the store', { agentPermissions: { writer: ['write'] } }, 'agentPermissions'],
    ['defaultPermissions without the store', { defaultPermissions: ['read'] }, 'defaultPermissions'],
    ['sharedContext without the store', { sharedContext: { storage: 'memory' } }, 'sharedContext'],
    ['journal.fsync off the fs storage', { journal: { storage: 'memory', fsync: true } }, 'journal.fsync'],
    ['unknown field', { maxParalelAgents: 3 } as unknown as OrchestratorConfig, '(root)'],
  ];

  it.each(badValues)('refuses a bad %s with a ConfigError naming the field', (_name, config, field) => {
    const attempt = () => new Orchestrator(config);
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      if (error instanceof ConfigError) expect(error.field).toBe(field);
    }
  });

  it('says which range is allowed', () => {
    expect(() => new Orchestrator({ temperature: 3 })).toThrow(/between 0 and 2/);
  });

  it('accepts every seed field with the seed values', async () => {
    const orchestrator = new Orchestrator({
      model: 'claude-3-5-sonnet',
      provider: 'simulated',
      temperature: 0.7,
      maxTokens: 4096,
      enableThinkingAgents: true,
      enableSharedContext: true,
      enableAlternativePaths: true,
      enableCrossAgentMemory: true,
      memoryConfig: { tokenThreshold: 50000, preserveLastNMessages: 10 },
      maxParallelAgents: 5,
      agentTimeoutSeconds: 300,
      retryFailedAgents: true,
      maxCostPerAgentCents: 100,
      totalCostLimitCents: 1000,
    });
    expect(orchestrator.config.memoryConfig.tokenThreshold).toBe(50000);
    await orchestrator.shutdown();
  });

  it('defaults to the simulated model without API keys', async () => {
    const orchestrator = new Orchestrator(fast);
    const result = await orchestrator.executeTask({ agentId: 'a', taskDescription: 'Say hello' });
    expect(result.status).toBe('succeeded');
    expect(result.simulated).toBe(true);
    await orchestrator.shutdown();
  });

  it('names the missing environment variable when a real provider has no key', () => {
    expect(() => new Orchestrator({ provider: 'anthropic' })).toThrow(MissingApiKeyError);
    expect(() => new Orchestrator({ provider: 'anthropic' })).toThrow(/ANTHROPIC_API_KEY/);
    expect(() => new Orchestrator({ provider: 'openai' })).toThrow(/OPENAI_API_KEY/);
  });

  it('switches the default provider to anthropic when ANTHROPIC_API_KEY is set', async () => {
    process.env.ANTHROPIC_API_KEY = 'sk-ant-test-not-real';
    const orchestrator = new Orchestrator();
    const agent = orchestrator.spawnAgent({ agentId: 'x' });
    expect(orchestrator.inspectAgent(agent.id)).toBeDefined();
    expect(orchestrator.config.provider).toBeUndefined();
    await orchestrator.shutdown();
  });

  it('refuses a template with a bad field, an unknown tool or an unknown provider', async () => {
    const orchestrator = new Orchestrator(fast);
    expect(() => orchestrator.registerTemplate('t', { temperature: 9 })).toThrow(/templates\.t\.temperature/);
    expect(() => orchestrator.registerTemplate('t', { tools: ['web_search'] })).toThrow(/unknown tool "web_search"/);
    expect(() => orchestrator.registerTemplate('t', { provider: 'nope' })).toThrow(/unknown provider/);
    expect(() => orchestrator.spawnAgent('missing')).toThrow(/unknown template "missing"/);
    await orchestrator.shutdown();
  });
});

/** The orchestrator's artifact store; fails the test when enableSharedContext did not create one. */
function storeOf(orchestrator: Orchestrator): SharedContextStore {
  if (!orchestrator.context) throw new Error('expected a shared context store');
  return orchestrator.context;
}

const usage = { inputTokens: 1000, outputTokens: 500, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

describe('each configuration field changes behaviour', () => {
  it('model, temperature and maxTokens are the defaults of every agent model call', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'ok' }) });
    const orchestrator = new Orchestrator({ ...fast, provider: model, model: 'claude-3-5-haiku', temperature: 0.15, maxTokens: 777 });
    await orchestrator.executeTask({ agentId: 'a', taskDescription: 'Check the defaults' });
    expect(model.requests.length).toBeGreaterThan(0);
    expect(model.requests[0]).toMatchObject({ model: 'claude-3-5-haiku', temperature: 0.15, maxTokens: 777 });
    await orchestrator.shutdown();
  });

  it('enableThinkingAgents gives agents a thinking budget; off, none', async () => {
    const budgets = async (enableThinkingAgents: boolean) => {
      const model = createScriptedProvider({ fallback: () => ({ text: 'ok' }) });
      const orchestrator = new Orchestrator({ provider: model, enableThinkingAgents, journal: false });
      await orchestrator.executeTask({ agentId: 'a', taskDescription: 'Think first' });
      await orchestrator.shutdown();
      return model.requests.map((request) => request.thinkingBudgetTokens);
    };
    expect((await budgets(true)).some((budget) => budget !== undefined && budget > 0)).toBe(true);
    expect((await budgets(false)).every((budget) => budget === undefined)).toBe(true);
  });

  it('provider openai uses openai.apiKey and openai.baseURL, and gpt-4o when no model is configured', async () => {
    const server = await startLoopbackServer();
    const key = 'sk-proj-orchestrator-test-0123456789';
    server.reply({
      kind: 'json',
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-2024-08-06',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Local answer.' } }],
        usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
      },
    });
    const orchestrator = new Orchestrator({ ...fast, provider: 'openai', openai: { apiKey: key, baseURL: `${server.url}/v1` } });
    try {
      orchestrator.spawnAgent({ agentId: 'local', config: { enableSelfReflection: false } });
      const result = await orchestrator.executeTask({ agentId: 'local', taskDescription: 'Answer locally' });
      expect(result.status).toBe('succeeded');
      expect(result.output).toContain('Local answer.');
      expect(server.requests[0]?.path).toBe('/v1/chat/completions');
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
      expect(server.requests[0]?.body).toMatchObject({ model: 'gpt-4o' });
    } finally {
      await orchestrator.shutdown();
      await server.close();
    }
  });

  it('seed makes the simulated model deterministic, and another seed answers differently', async () => {
    const answer = async (seed: number) => {
      const orchestrator = new Orchestrator({ ...fast, seed, journal: false });
      const result = await orchestrator.executeTask({ agentId: 'a', taskDescription: 'Design a rate limiter for the payments API' });
      await orchestrator.shutdown();
      return `${result.confidence} ${result.output}`;
    };
    expect(await answer(7)).toBe(await answer(7));
    expect(await answer(7)).not.toBe(await answer(8));
  });

  it('simulated.failureRate makes simulated calls fail', async () => {
    const orchestrator = new Orchestrator({ ...fast, simulated: { failureRate: 1 }, retryFailedAgents: false, journal: false });
    const result = await orchestrator.executeTask({ agentId: 'a', taskDescription: 'Fail please' });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('SIMULATED_FAILURE');
    await orchestrator.shutdown();
  });

  it('maxCostPerAgentCents stops an agent whose next call could pass it', async () => {
    const orchestrator = new Orchestrator({ ...fast, maxCostPerAgentCents: 0.0001, journal: false });
    const result = await orchestrator.executeTask({ agentId: 'a', taskDescription: 'Too expensive' });
    expect(result.status).toBe('budget_exceeded');
    expect(result.error?.message).toContain('maxCostPerAgentCents');
    expect(result.costCents).toBe(0);
    await orchestrator.shutdown();
  });

  it('pricing prices a model the built-in table does not know', async () => {
    const cost = async (pricing: OrchestratorConfig['pricing']) => {
      const model = createScriptedProvider({ fallback: () => ({ text: 'ok', usage }) });
      const orchestrator = new Orchestrator({ ...fast, provider: model, model: 'house-model', journal: false, ...(pricing ? { pricing } : {}) });
      const result = await orchestrator.executeTask({ agentId: 'a', taskDescription: 'Priced' });
      await orchestrator.shutdown();
      return result;
    };
    const priced = await cost({ 'house-model': { inputCentsPerMTok: 1e6, outputCentsPerMTok: 2e6, cacheReadCentsPerMTok: 0, cacheWriteCentsPerMTok: 0 } });
    expect(priced.costCents).toBeCloseTo(priced.usage.inputTokens * 1 + priced.usage.outputTokens * 2, 6);
    expect(priced.costCents).toBeGreaterThan(0);
    expect((await cost(undefined)).costCents).toBe(0);
  });

  it('sharedContext, agentPermissions and defaultPermissions configure the orchestrator store', async () => {
    const orchestrator = new Orchestrator({
      ...fast,
      enableSharedContext: true,
      sharedContext: { storage: 'memory', maxVersionsPerArtifact: 2 },
      agentPermissions: { writer: ['read', 'write'] },
      defaultPermissions: ['read'],
    });
    const store = storeOf(orchestrator);
    for (const n of [1, 2, 3]) await store.storeArtifact({ artifactId: 'notes', content: { n }, agentId: 'writer' });
    expect((await store.listVersions({ artifactId: 'notes', agentId: 'anyone' })).map((v) => v.version)).toEqual([2, 3]);
    await expect(store.storeArtifact({ artifactId: 'notes', content: {}, agentId: 'anyone' })).rejects.toThrow(PermissionDeniedError);
    await orchestrator.shutdown();

    const unversioned = new Orchestrator({
      ...fast,
      enableSharedContext: true,
      sharedContext: { storage: 'memory', enableVersioning: false },
      agentPermissions: { '*': ['read', 'write'] },
    });
    const flat = storeOf(unversioned);
    for (const n of [1, 2]) await flat.storeArtifact({ artifactId: 'notes', content: { n }, agentId: 'writer' });
    expect(await flat.listVersions({ artifactId: 'notes', agentId: 'writer' })).toHaveLength(1);
    await unversioned.shutdown();
  });
});

describe('supervisor and agents', () => {
  it('spawns agents from templates at run time and uses the template model and prompt', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'ok' }) });
    const orchestrator = new Orchestrator({ ...fast, provider: model });
    orchestrator.registerTemplate('researcher', {
      model: 'gpt-4o',
      temperature: 0.3,
      systemPrompt: 'You are a thorough researcher',
      enableSelfReflection: false,
    });
    const first = orchestrator.spawnAgent('researcher');
    const second = orchestrator.spawnAgent('researcher');
    expect(first.id).toBe('researcher_1');
    expect(second.id).toBe('researcher_2');
    expect(orchestrator.listAgents()).toEqual(['researcher_1', 'researcher_2']);
    const result = await orchestrator.executeTask({ agentId: 'researcher_1', taskDescription: 'Find sources' });
    expect(result.status).toBe('succeeded');
    expect(model.requests[0]?.model).toBe('gpt-4o');
    expect(model.requests[0]?.temperature).toBe(0.3);
    expect(JSON.stringify(model.requests[0]?.system)).toContain('thorough researcher');
    await orchestrator.shutdown();
  });

  it('gives an agent one task at a time: a task for a busy agent waits its turn instead of failing AGENT_BUSY', async () => {
    // The last message is the task at hand (the second call's memory holds the first task).
    const taskOf = (request: ModelRequest) => (JSON.stringify(request.messages.at(-1)).includes('First') ? 'first' : 'second');
    const model = createScriptedProvider({
      fallback: (request) => {
        const task = taskOf(request);
        return new Promise((resolve) => setTimeout(() => resolve({ text: `${task} done` }), task === 'first' ? 20 : 0));
      },
    });
    const orchestrator = new Orchestrator({ ...fast, provider: model, retryFailedAgents: false });
    orchestrator.spawnAgent({ agentId: 'solo', config: { enableSelfReflection: false } });
    const [first, second] = await Promise.all([
      orchestrator.executeTask({ agentId: 'solo', taskDescription: 'First job' }),
      orchestrator.executeTask({ agentId: 'solo', taskDescription: 'Second job' }),
    ]);
    expect(first).toMatchObject({ status: 'succeeded', output: 'first done' });
    expect(second).toMatchObject({ status: 'succeeded', output: 'second done' });
    // The second call started only after the first answered.
    expect(model.requests.map(taskOf)).toEqual(['first', 'second']);
    await orchestrator.shutdown();
  });

  it('stopping an agent aborts its model call in flight and the task ends cancelled', async () => {
    let aborted = false;
    const model = createScriptedProvider({
      fallback: (request) =>
        new Promise((resolve) => {
          request.signal?.addEventListener('abort', () => {
            aborted = true;
            resolve({ text: 'late' });
          });
        }),
    });
    const orchestrator = new Orchestrator({ ...fast, provider: model, retryFailedAgents: false });
    orchestrator.spawnAgent({ agentId: 'worker' });
    const pending = orchestrator.executeTask({ agentId: 'worker', taskDescription: 'Long job' });
    await vi.waitFor(() => expect(model.pending).toBe(1));
    orchestrator.stopAgent('worker');
    const result = await pending;
    expect(aborted).toBe(true);
    expect(result.status).toBe('cancelled');
    expect(orchestrator.inspectAgent('worker')?.state).toBe('stopped');
    await orchestrator.shutdown();
  });

  it('survives an agent actor that throws, reports the crash and keeps serving other agents', async () => {
    const crashing = createMachine({
      id: 'crashing',
      on: {
        'agent.task': {
          actions: () => {
            throw new Error('custom agent bug');
          },
        },
      },
    });
    const orchestrator = new Orchestrator(fast);
    orchestrator.registerAgentType('crashing', crashing);
    const crashes: string[] = [];
    orchestrator.events.on('agent.crashed', (event) => crashes.push(`${event.agentId}: ${event.error.message}`));
    orchestrator.spawnAgent({ agentId: 'fragile', agentType: 'crashing' });
    const failed = await orchestrator.executeTask({ agentId: 'fragile', taskDescription: 'anything' });
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toContain('custom agent bug');
    expect(crashes).toEqual([expect.stringContaining('fragile: custom agent bug')]);
    expect(orchestrator.actor.getSnapshot().status).toBe('active');
    const healthy = await orchestrator.executeTask({ agentId: 'healthy', taskDescription: 'Still working?' });
    expect(healthy.status).toBe('succeeded');
    await orchestrator.shutdown();
  });

  it('delivers a custom agent type its tasks and takes its reply', async () => {
    const echo = createMachine({
      types: {} as {
        events: { type: 'agent.task'; task: { taskId: string; task: string }; replyTo: import('xstate').AnyActorRef };
      },
      on: {
        'agent.task': {
          actions: sendTo(
            ({ event }) => event.replyTo,
            ({ event }) => ({
              type: 'agent.result',
              agentId: 'echo',
              taskId: event.task.taskId,
              result: {
                output: `echo: ${event.task.task}`,
                thinkingProcess: '',
                confidence: 1,
                critique: '',
                alternatives: [],
                usage: { inputTokens: 0, outputTokens: 0, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
                costCents: 0,
                durationSeconds: 0,
                modelCalls: 0,
                simulated: false,
              },
            }),
          ),
        },
      },
    });
    const orchestrator = new Orchestrator(fast);
    orchestrator.registerAgentType('echo', echo);
    orchestrator.spawnAgent({ agentId: 'echo', agentType: 'echo' });
    const result = await orchestrator.executeTask({ agentId: 'echo', taskDescription: 'ping' });
    expect(result.output).toBe('echo: ping');
    await orchestrator.shutdown();
  });
});

describe('shutdown', () => {
  it('leaves no timers or actors running and cancels pending work', async () => {
    vi.useFakeTimers();
    const orchestrator = new Orchestrator({ ...fast, simulated: { latencyMs: 60_000 }, retryFailedAgents: false });
    const pending = orchestrator.executeTask({ agentId: 'slow', taskDescription: 'Takes a minute' });
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    const agent = orchestrator.actor.system.get('agent:slow');
    await orchestrator.shutdown();
    const result = await pending;
    expect(result.status).toBe('cancelled');
    expect(vi.getTimerCount()).toBe(0);
    expect(orchestrator.actor.getSnapshot().status).toBe('stopped');
    expect(agent?.getSnapshot().status).toBe('stopped');
    expect(() => orchestrator.spawnAgent({ agentId: 'late' })).toThrow(/shut down/);
    await orchestrator.shutdown(); // idempotent
  });
});

describe('main demo', () => {
  it('runs the hierarchical workflow offline and prints the summary, duration and cost', async () => {
    let text = '';
    const result = await runMainDemo({ latencyMs: 0, out: { write: (chunk: string) => (text += chunk), isTTY: false } });
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.results)).toEqual(
      expect.arrayContaining(['market_researcher', 'competitor_analyst', 'strategy_synthesizer', 'senior_reviewer']),
    );
    expect(text).toContain('Workflow summary:');
    expect(text).toMatch(/Total duration: \d+\.\d+s/);
    expect(text).toMatch(/Total cost: \$\d+\.\d{4}/);
    expect(text).toContain('simulated model');
    expect(text).toContain('strategy_synthesizer');
    // Every task's model output streamed into the live view.
    expect(text).toMatch(/✔ market_researcher succeeded .*· streamed \d+ chars/);
  });

  it('shows the streaming text in its live (terminal) view', async () => {
    let text = '';
    await runMainDemo({ latencyMs: 0, out: { write: (chunk: string) => (text += chunk), isTTY: true } });
    expect(text).toContain('streaming');
    expect(text).toMatch(/market_researcher .*(thinking|acting|reflecting): \S/);
  });
});
