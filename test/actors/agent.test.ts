import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromCallback, fromPromise } from 'xstate';
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import { createAgentMachine } from '../../src/index.js';
import { createSupervisorMachine } from '../../src/index.js';
import { createWorkflowMachine } from '../../src/actors/workflow/index.js';
import type { AgentMachineInput } from '../../src/index.js';
import { resolveAgentConfig, STANDALONE_DEFAULTS } from '../../src/index.js';
import { createModelGateway } from '../../src/testing.js';
import { DEFAULT_PRICES } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedProvider } from '../../src/testing.js';
import type { AgentConfig } from '../../src/index.js';
import type { AgentFailureEvent, AgentResultEvent } from '../../src/index.js';
import { ThinkingAgent } from '../../src/index.js';
import { AgentTimeoutError } from '../../src/index.js';

function startAgent(model: ScriptedProvider, config: AgentConfig = {}) {
  const gateway = createModelGateway({ resolveProvider: () => model, prices: DEFAULT_PRICES });
  const machine = createAgentMachine({ gateway, now: Date.now });
  const input: AgentMachineInput = {
    agentId: 'analyst',
    template: 'default',
    config: resolveAgentConfig({ provider: 'scripted', model: 'claude-3-5-sonnet', ...config }, STANDALONE_DEFAULTS),
  };
  const actor = createActor(machine, { input });
  const states: string[] = [];
  actor.subscribe((snapshot) => states.push(JSON.stringify(snapshot.value)));
  actor.start();
  const outcome = new Promise<AgentResultEvent | AgentFailureEvent>((resolve) => {
    actor.on('agent.result', resolve);
    actor.on('agent.failure', resolve);
  });
  return { actor, states, outcome };
}

const reflection = (confidence: number, critique = 'fine') => ({ structured: { confidence, critique } });

afterEach(() => {
  vi.useRealTimers();
});

describe('the thinking agent machine', () => {
  it('moves idle → thinking → acting → reflecting → done and returns the answer with its confidence', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'plan', thinking: 'I should weigh both sides' },
      { text: 'The answer' },
      reflection(0.9, 'well argued'),
    );
    const { actor, states, outcome } = startAgent(model);
    actor.send({ type: 'agent.task', task: { taskId: 't1', task: 'Assess the risk' } });
    const event = await outcome;
    expect(event.type).toBe('agent.result');
    if (event.type !== 'agent.result') return;
    expect(states).toEqual([
      '"idle"',
      '{"working":"thinking"}',
      '{"working":"acting"}',
      '{"working":"reflecting"}',
      '"done"',
    ]);
    expect(event.result.output).toBe('The answer');
    expect(event.result.thinkingProcess).toBe('I should weigh both sides');
    expect(event.result.confidence).toBe(0.9);
    expect(event.result.critique).toBe('well argued');
    expect(event.result.modelCalls).toBe(3);
    expect(event.result.costCents).toBeGreaterThan(0);
  });

  it('asks for extended thinking with the configured budget, and the thinking style changes the prompt', async () => {
    const model = createScriptedProvider().enqueue({ text: 'plan' }, { text: 'answer' }, reflection(0.9));
    const { actor, outcome } = startAgent(model, { maxThinkingTokens: 3000, thinkingStyle: 'creative' });
    actor.send({ type: 'agent.task', task: { taskId: 't1', task: 'Invent a product', thinkingDirectives: ['Be bold'] } });
    await outcome;
    const thinking = model.requests[0];
    expect(thinking?.thinkingBudgetTokens).toBe(3000);
    expect(JSON.stringify(thinking?.messages)).toContain('Think creatively');
    expect(JSON.stringify(thinking?.messages)).toContain('Be bold');
    expect(model.requests[2]?.structuredOutput?.name).toBe('self_reflection');
  });

  it('skips thinking and reflection when they are disabled', async () => {
    const model = createScriptedProvider().enqueue({ text: 'direct answer' });
    const { actor, states, outcome } = startAgent(model, { enableExtendedThinking: false, enableSelfReflection: false });
    actor.send({ type: 'agent.task', task: { taskId: 't1', task: 'Say hi' } });
    const event = await outcome;
    expect(states).toEqual(['"idle"', '{"working":"acting"}', '"done"']);
    expect(event.type === 'agent.result' && event.result.output).toBe('direct answer');
    expect(model.requests).toHaveLength(1);
  });

  it('explores alternatives below the confidence threshold, keeps the best and returns the others', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'first try' },
      reflection(0.3, 'shallow'),
      { text: 'second try' },
      reflection(0.85, 'strong'),
    );
    const { actor, states, outcome } = startAgent(model, {
      enableExtendedThinking: false,
      enableAlternativeExploration: true,
      confidenceThreshold: 0.8,
    });
    actor.send({ type: 'agent.task', task: { taskId: 't1', task: 'Find the root cause' } });
    const event = await outcome;
    if (event.type !== 'agent.result') throw new Error('expected a result');
    expect(states).toContain('{"working":"exploring"}');
    expect(event.result.output).toBe('second try');
    expect(event.result.confidence).toBe(0.85);
    expect(event.result.alternatives).toEqual([{ output: 'first try', confidence: 0.3, critique: 'shallow', round: 0 }]);
    expect(JSON.stringify(model.requests[2]?.messages)).toContain('shallow');
  });

  it('stops exploring after maxAlternativeRounds and keeps the best answer seen', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'a' },
      reflection(0.5),
      { text: 'b' },
      reflection(0.2),
      { text: 'c' },
      reflection(0.4),
    );
    const { actor, outcome } = startAgent(model, {
      enableExtendedThinking: false,
      enableAlternativeExploration: true,
      confidenceThreshold: 0.9,
      maxAlternativeRounds: 2,
    });
    actor.send({ type: 'agent.task', task: { taskId: 't1', task: 'Hard problem' } });
    const event = await outcome;
    if (event.type !== 'agent.result') throw new Error('expected a result');
    expect(model.requests).toHaveLength(6);
    expect(event.result.output).toBe('a');
    expect(event.result.alternatives.map((a) => a.output)).toEqual(['b', 'c']);
  });

  it('does not explore when exploration is off, even at low confidence', async () => {
    const model = createScriptedProvider().enqueue({ text: 'meh' }, reflection(0.1));
    const { actor, outcome } = startAgent(model, { enableExtendedThinking: false, confidenceThreshold: 0.9 });
    actor.send({ type: 'agent.task', task: { taskId: 't1', task: 'x' } });
    const event = await outcome;
    expect(event.type === 'agent.result' && event.result.alternatives).toEqual([]);
    expect(model.requests).toHaveLength(2);
  });

  it('fails the attempt with AgentTimeoutError at the deadline and aborts the call in flight', async () => {
    vi.useFakeTimers();
    let aborted = false;
    const model = createScriptedProvider().enqueue(
      (request) =>
        new Promise((resolve) => {
          request.signal?.addEventListener('abort', () => {
            aborted = true;
            resolve({ text: 'too late' });
          });
        }),
    );
    const { actor, outcome } = startAgent(model, { timeoutSeconds: 30, enableExtendedThinking: false });
    actor.send({ type: 'agent.task', task: { taskId: 't1', task: 'slow work' } });
    expect(actor.getSnapshot().context.deadline).toBe(Date.now() + 30_000);
    await vi.advanceTimersByTimeAsync(30_000);
    const event = await outcome;
    expect(event.type).toBe('agent.failure');
    if (event.type !== 'agent.failure') return;
    expect(event.failure.error.code).toBe(new AgentTimeoutError('analyst', 30).code);
    expect(event.failure.error.message).toContain('timed out after 30s');
    expect(aborted).toBe(true);
    expect(actor.getSnapshot().value).toBe('failed');
  });

  it('reports a provider error as a failure with its typed code and can take the next task', async () => {
    const failure = Object.assign(new Error('boom'), { name: 'BoomError' });
    const model = createScriptedProvider().enqueue(failure, { text: 'recovered' });
    const { actor, outcome } = startAgent(model, { enableExtendedThinking: false, enableSelfReflection: false });
    actor.send({ type: 'agent.task', task: { taskId: 't1', task: 'x' } });
    const first = await outcome;
    expect(first.type).toBe('agent.failure');
    const second = new Promise<AgentResultEvent>((resolve) => actor.on('agent.result', resolve));
    actor.send({ type: 'agent.task', task: { taskId: 't2', task: 'y' } });
    expect((await second).result.output).toBe('recovered');
  });

  it('answers a task sent while busy with AGENT_BUSY instead of dropping it', async () => {
    const model = createScriptedProvider().enqueue(() => new Promise(() => undefined));
    const { actor } = startAgent(model, { enableExtendedThinking: false });
    const busy = new Promise<AgentFailureEvent>((resolve) => actor.on('agent.failure', resolve));
    actor.send({ type: 'agent.task', task: { taskId: 't1', task: 'long' } });
    actor.send({ type: 'agent.task', task: { taskId: 't2', task: 'second' } });
    const event = await busy;
    expect(event.taskId).toBe('t2');
    expect(event.failure.error.code).toBe('AGENT_BUSY');
    actor.stop();
  });

  it('runs tool calls and feeds their results back before answering', async () => {
    const model = createScriptedProvider().enqueue(
      { toolCalls: [{ id: 'c1', name: 'lookup', input: { q: 'rates' } }] },
      { text: 'Rates are 5%' },
    );
    const gateway = createModelGateway({ resolveProvider: () => model, prices: DEFAULT_PRICES });
    const machine = createAgentMachine({
      gateway,
      now: Date.now,
      runTool: async (call) => ({ content: `result for ${JSON.stringify(call.input)}` }),
    });
    const actor = createActor(machine, {
      input: {
        agentId: 'a',
        template: 'default',
        config: resolveAgentConfig(
          { provider: 'scripted', enableExtendedThinking: false, enableSelfReflection: false },
          STANDALONE_DEFAULTS,
        ),
        tools: [{ name: 'lookup', description: 'Look up', inputSchema: { type: 'object' } }],
      },
    }).start();
    const result = new Promise<AgentResultEvent>((resolve) => actor.on('agent.result', resolve));
    actor.send({ type: 'agent.task', task: { taskId: 't', task: 'What are rates?' } });
    expect((await result).result.output).toBe('Rates are 5%');
    const followUp = JSON.stringify(model.requests[1]?.messages);
    expect(followUp).toContain('tool_result');
    expect(followUp).toContain('result for {\\"q\\":\\"rates\\"}');
  });
  it('stops running tools after maxToolRounds and answers with the last acting turn', async () => {
    const lookup = { toolCalls: [{ id: 'c', name: 'lookup', input: {} }] };
    const model = createScriptedProvider().enqueue(lookup, lookup, { ...lookup, text: 'best effort' });
    const gateway = createModelGateway({ resolveProvider: () => model, prices: DEFAULT_PRICES });
    let toolRuns = 0;
    const machine = createAgentMachine({
      gateway,
      now: Date.now,
      runTool: async () => ({ content: `run ${++toolRuns}` }),
    });
    const actor = createActor(machine, {
      input: {
        agentId: 'a',
        template: 'default',
        config: resolveAgentConfig(
          { provider: 'scripted', enableExtendedThinking: false, enableSelfReflection: false, maxToolRounds: 2 },
          STANDALONE_DEFAULTS,
        ),
        tools: [{ name: 'lookup', description: 'Look up', inputSchema: { type: 'object' } }],
      },
    }).start();
    const result = new Promise<AgentResultEvent>((resolve) => actor.on('agent.result', resolve));
    actor.send({ type: 'agent.task', task: { taskId: 't', task: 'Keep looking' } });
    expect((await result).result.output).toBe('best effort');
    expect(toolRuns).toBe(2);
    expect(model.requests).toHaveLength(3);
  });
});

describe('ThinkingAgent (standalone, seed API)', () => {
  it('executes a task and returns output, thinkingProcess, confidence, alternatives, usage, cost and duration', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'plan', thinking: 'considering impacts' },
      { text: 'Quantum threatens RSA' },
      reflection(0.82),
    );
    const agent = new ThinkingAgent({ agentId: 'researcher', config: { provider: model, model: 'claude-3-5-sonnet' } });
    const result = await agent.executeTask({
      task: 'Analyze the implications of quantum computing on cryptography',
      thinkingDirectives: ['Consider both near-term and long-term impacts'],
      availableAgents: ['security_expert'],
    });
    expect(result).toMatchObject({ output: 'Quantum threatens RSA', thinkingProcess: 'considering impacts', confidence: 0.82 });
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(model.requests[1]?.messages)).toContain('security_expert');
    agent.stop();
  });

  it('rejects with the typed error when the task fails', async () => {
    vi.useFakeTimers();
    const model = createScriptedProvider().enqueue(() => new Promise(() => undefined));
    const agent = new ThinkingAgent({ agentId: 'slow', config: { provider: model, timeoutSeconds: 5 } });
    const run = agent.executeTask({ task: 'never ends' });
    const assertion = expect(run).rejects.toMatchObject({ code: 'AGENT_TIMEOUT' });
    await vi.advanceTimersByTimeAsync(5_000);
    await assertion;
    agent.stop();
  });
});

describe('agent shards', () => {
  function startSupervisor(agentTypes: ReadonlyMap<string, AnyActorLogic>) {
    const gateway = createModelGateway({ resolveProvider: () => createScriptedProvider(), prices: DEFAULT_PRICES });
    const supervisor = createActor(
      createSupervisorMachine({
        agentMachine: createAgentMachine({ gateway, now: Date.now }),
        workflowMachine: createWorkflowMachine({
          runTask: () => Promise.reject(new Error('unused')),
          evaluateCondition: () => true,
          now: Date.now,
        }),
        agentTypes,
        shards: 1,
      }),
      { systemId: 'supervisor' },
    ).start();
    const input: AgentMachineInput = {
      agentId: 'custom',
      template: 'default',
      config: resolveAgentConfig({ provider: 'scripted' }, STANDALONE_DEFAULTS),
    };
    const shardChildren = () => {
      const shard: AnyActorRef | undefined = supervisor.system.get('shard:0');
      const snapshot: unknown = shard?.getSnapshot();
      const context: unknown = typeof snapshot === 'object' && snapshot !== null && 'context' in snapshot ? snapshot.context : undefined;
      return typeof context === 'object' && context !== null && 'customChildren' in context ? context.customChildren : undefined;
    };
    return { supervisor, input, shardChildren };
  }

  it('forgets a custom agent once it is stopped or has crashed, so the mapping does not grow with churn', async () => {
    const crashes: string[] = [];
    const { supervisor, input, shardChildren } = startSupervisor(
      new Map<string, AnyActorLogic>([
        ['quiet', fromCallback(() => undefined)],
        ['crashing', fromPromise(() => Promise.reject(new Error('boom')))],
      ]),
    );
    supervisor.on('agent.crashed', ({ agentId }) => crashes.push(agentId));
    supervisor.send({ type: 'supervisor.spawn', agentId: 'custom', agentType: 'quiet', input });
    expect(Object.values(shardChildren() ?? {})).toEqual(['custom']);
    supervisor.send({ type: 'supervisor.stop', agentId: 'custom' });
    expect(shardChildren()).toEqual({});
    expect(supervisor.system.get('agent:custom')).toBeUndefined();

    supervisor.send({ type: 'supervisor.spawn', agentId: 'custom', agentType: 'crashing', input });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(crashes).toEqual(['custom']);
    expect(shardChildren()).toEqual({});
    supervisor.stop();
  });
});
