import { describe, expect, it } from 'vitest';
import { assign, enqueueActions, setup } from 'xstate';
import type { AnyActorRef } from 'xstate';
import { CollaborativeAgent } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { AgentMachineInput } from '../../src/index.js';
import { DEFAULT_MAX_CONSULTATION_DEPTH } from '../../src/index.js';
import type { DeliverEvent } from '../../src/index.js';
import type { AgentInboundEvent, ConsultReplyEvent } from '../../src/index.js';
import { consultReply } from '../../src/index.js';
import type { ModelRequest } from '../../src/index.js';
import { messageText } from '../../src/index.js';
import { AgentNotFoundError, CancelledError, ConsultationCycleError, ConsultationTimeoutError, CrossAgentQueriesDisabledError } from '../../src/index.js';
import type { TroupeEvent } from '../../src/index.js';
import { systemText } from '../../src/index.js';
import { plain, poolOrchestrators } from '../support/pool-orchestrator.js';

const orchestrator = poolOrchestrators();

function lastUserText(request: ModelRequest): string {
  const last = request.messages[request.messages.length - 1];
  return last ? messageText(last) : '';
}

/**
 * A protocol agent that answers a consultation by consulting the next agent of
 * `next` (through the supervisor, extending the chain), or answers itself at the end.
 */
function relayMachine(next: Readonly<Record<string, string>>) {
  type Held = { readonly replyTo: AnyActorRef | undefined; readonly requestId: string };
  return setup({
    types: {
      context: {} as { agentId: string; held: Record<string, Held> },
      events: {} as AgentInboundEvent | ConsultReplyEvent,
      input: {} as AgentMachineInput,
    },
  }).createMachine({
    context: ({ input }) => ({ agentId: input.agentId, held: {} }),
    on: {
      'agent.consult': {
        actions: enqueueActions(({ context, event, enqueue, self }) => {
          const target = next[context.agentId];
          if (!target) {
            if (event.replyTo) enqueue.sendTo(event.replyTo, consultReply(event, context.agentId, { answer: `${context.agentId} knows` }));
            return;
          }
          const relayId = `relay:${context.agentId}:${event.requestId}`;
          enqueue.assign({ held: { ...context.held, [relayId]: { replyTo: event.replyTo, requestId: event.requestId } } });
          const ask: DeliverEvent = {
            type: 'supervisor.deliver',
            agentId: target,
            event: {
              type: 'agent.consult',
              requestId: relayId,
              fromAgent: context.agentId,
              question: event.question,
              chain: [...event.chain, context.agentId],
              replyTo: self,
            },
          };
          enqueue.sendTo(({ system }) => system.get('supervisor'), ask);
        }),
      },
      'agent.consult.reply': {
        actions: enqueueActions(({ context, event, enqueue }) => {
          const held = context.held[event.requestId];
          if (!held) return;
          const reply: ConsultReplyEvent = { ...event, requestId: held.requestId, agentId: context.agentId };
          if (held.replyTo) enqueue.sendTo(held.replyTo, reply);
        }),
      },
    },
  });
}

/** A protocol agent that holds consultations until told to answer them. */
const slowMachine = setup({
  types: {
    context: {} as { agentId: string; held: { replyTo: AnyActorRef | undefined; requestId: string }[] },
    events: {} as AgentInboundEvent | { type: 'test.release' },
    input: {} as AgentMachineInput,
  },
}).createMachine({
  context: ({ input }) => ({ agentId: input.agentId, held: [] }),
  on: {
    'agent.consult': {
      actions: assign(({ context, event }) => ({ held: [...context.held, { replyTo: event.replyTo, requestId: event.requestId }] })),
    },
    'test.release': {
      actions: enqueueActions(({ context, enqueue }) => {
        for (const held of context.held) {
          if (!held.replyTo) continue;
          enqueue.sendTo(held.replyTo, {
            type: 'agent.consult.reply',
            requestId: held.requestId,
            agentId: context.agentId,
            answer: 'late',
            usage: { inputTokens: 0, outputTokens: 0, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
            costCents: 0,
          });
        }
        enqueue.assign({ held: [] });
      }),
    },
  },
});

describe('routeMessage: one agent consults another', () => {
  it("returns the target's answer, from a model call with the question and the sender's context", async () => {
    const model = createScriptedProvider().enqueue({ text: 'Use a B-tree index.' });
    const o = orchestrator(model);
    o.spawnAgent({ agentId: 'analyst', config: plain });
    o.spawnAgent({ agentId: 'dba', config: { ...plain, systemPrompt: 'You are a database expert.' } });
    const purposes: string[] = [];
    o.events.on('model.call.finished', (e) => purposes.push(`${e.agentId}:${e.purpose}`));

    const reply = await o.routeMessage({
      fromAgent: 'analyst',
      toAgent: 'dba',
      message: { type: 'consultation', question: 'How should we index orders?', context: { table: 'orders', rows: 1e9 } },
    });

    expect(reply.answer).toBe('Use a B-tree index.');
    expect(reply.agentId).toBe('dba');
    expect(reply.costCents).toBeGreaterThan(0);
    expect(purposes).toEqual(['dba:consultation']);
    const request = model.requests[0];
    if (!request) throw new Error('no model call');
    expect(lastUserText(request)).toContain('Agent "analyst" consults you');
    expect(lastUserText(request)).toContain('How should we index orders?');
    expect(lastUserText(request)).toContain('"table": "orders"');
    expect(systemText(request.system)).toContain('You are a database expert.');
  });

  it('accepts a plain question string', async () => {
    const model = createScriptedProvider().enqueue({ text: 'yes' });
    const o = orchestrator(model);
    o.spawnAgent({ agentId: 'a', config: plain });
    o.spawnAgent({ agentId: 'b', config: plain });
    await expect(o.routeMessage({ fromAgent: 'a', toAgent: 'b', message: 'Is it sound?' })).resolves.toMatchObject({ answer: 'yes' });
  });

  it('answers while the target is busy with a task of its own', async () => {
    let releaseTask!: () => void;
    const taskGate = new Promise<void>((resolve) => (releaseTask = resolve));
    const model = createScriptedProvider({
      fallback: async (request) => {
        if (lastUserText(request).includes('consults you')) return { text: 'advice while busy' };
        await taskGate;
        return { text: 'task done' };
      },
    });
    const o = orchestrator(model);
    o.spawnAgent({ agentId: 'a', config: plain });
    o.spawnAgent({ agentId: 'b', config: plain });
    const task = o.runOn('b', { taskId: 't1', task: 'A long task' });
    await expect(o.routeMessage({ fromAgent: 'a', toAgent: 'b', message: 'Quick question?' })).resolves.toMatchObject({
      answer: 'advice while busy',
    });
    expect(o.inspectAgent('b')?.state).toBe('working.acting');
    releaseTask();
    await expect(task).resolves.toMatchObject({ ok: true });
  });

  it('refuses an unknown target with AgentNotFoundError', async () => {
    const o = orchestrator(createScriptedProvider());
    o.spawnAgent({ agentId: 'a', config: plain });
    await expect(o.routeMessage({ fromAgent: 'a', toAgent: 'ghost', message: 'hello?' })).rejects.toBeInstanceOf(AgentNotFoundError);
  });

  it('refuses a stopped target with AgentNotFoundError', async () => {
    const o = orchestrator(createScriptedProvider());
    o.spawnAgent({ agentId: 'a', config: plain });
    o.spawnAgent({ agentId: 'b', config: plain });
    o.stopAgent('b');
    const error = await o.routeMessage({ fromAgent: 'a', toAgent: 'b', message: 'hello?' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentNotFoundError);
    expect(error).toMatchObject({ code: 'AGENT_NOT_FOUND' });
  });

  it('fails a consultation in flight when its target is stopped', async () => {
    const model = createScriptedProvider({ fallback: () => new Promise(() => undefined) });
    const o = orchestrator(model);
    o.spawnAgent({ agentId: 'a', config: plain });
    o.spawnAgent({ agentId: 'b', config: plain });
    const pending = o.routeMessage({ fromAgent: 'a', toAgent: 'b', message: 'slow?' });
    await Promise.resolve();
    o.stopAgent('b');
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });

  it('times out with ConsultationTimeoutError, then drops the late reply without harm', async () => {
    const o = orchestrator(createScriptedProvider());
    o.registerAgentType('slow', slowMachine);
    o.spawnAgent({ agentId: 'a', config: plain });
    const slow = o.spawnAgent({ agentId: 'slow', agentType: 'slow' });
    const finished: TroupeEvent<'consultation.finished'>[] = [];
    o.events.on('consultation.finished', (e) => finished.push(e));

    const error = await o.routeMessage({ fromAgent: 'a', toAgent: 'slow', message: 'hello?', timeoutSeconds: 0.02 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsultationTimeoutError);
    expect(finished).toMatchObject([{ fromAgent: 'a', toAgent: 'slow', ok: false, error: { code: 'CONSULTATION_TIMEOUT' } }]);

    slow.actor?.send({ type: 'test.release' }); // the late reply reaches the inbox and is dropped
    const next = o.routeMessage({ fromAgent: 'a', toAgent: 'slow', message: 'again?', timeoutSeconds: 30 });
    await Promise.resolve();
    slow.actor?.send({ type: 'test.release' });
    await expect(next).resolves.toMatchObject({ answer: 'late' });
    expect(o.listAgents()).toEqual(['a', 'slow']);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a timeoutSeconds of %s with ConfigError, asking nobody', async (timeoutSeconds) => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'answer' }) });
    const o = orchestrator(model);
    o.spawnAgent({ agentId: 'a', config: plain });
    o.spawnAgent({ agentId: 'b', config: plain });
    await expect(o.routeMessage({ fromAgent: 'a', toAgent: 'b', message: 'hello?', timeoutSeconds })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(model.requests).toHaveLength(0);
  });

  it('refuses a cycle A → B → A with ConsultationCycleError', async () => {
    const o = orchestrator(createScriptedProvider());
    o.registerAgentType('relay', relayMachine({ b: 'a' }));
    o.spawnAgent({ agentId: 'a', agentType: 'relay' });
    o.spawnAgent({ agentId: 'b', agentType: 'relay' });
    const error = await o.routeMessage({ fromAgent: 'a', toAgent: 'b', message: 'loop?' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsultationCycleError);
    expect(error).toMatchObject({ details: { chain: ['a', 'b', 'a'], reason: 'cycle' } });
  });

  it('refuses an agent consulting itself', async () => {
    const o = orchestrator(createScriptedProvider());
    o.spawnAgent({ agentId: 'a', config: plain });
    await expect(o.routeMessage({ fromAgent: 'a', toAgent: 'a', message: 'me?' })).rejects.toBeInstanceOf(ConsultationCycleError);
  });

  it(`refuses a chain longer than the maximum depth (${DEFAULT_MAX_CONSULTATION_DEPTH})`, async () => {
    const o = orchestrator(createScriptedProvider());
    // user → a1 → a2 → ... : each relay asks the next one.
    const ids = Array.from({ length: DEFAULT_MAX_CONSULTATION_DEPTH + 2 }, (_, i) => `a${i + 1}`);
    const next: Record<string, string> = {};
    ids.forEach((id, i) => {
      const following = ids[i + 1];
      if (following) next[id] = following;
    });
    o.registerAgentType('relay', relayMachine(next));
    for (const id of ids) o.spawnAgent({ agentId: id, agentType: 'relay' });
    o.spawnAgent({ agentId: 'user', config: plain });

    const tooDeep = await o.routeMessage({ fromAgent: 'user', toAgent: 'a1', message: 'deep?' }).catch((e: unknown) => e);
    expect(tooDeep).toBeInstanceOf(ConsultationCycleError);
    expect(tooDeep).toMatchObject({ details: { reason: 'depth' } });

    // A chain exactly at the bound is answered by its last agent.
    const atBound = ids[ids.length - DEFAULT_MAX_CONSULTATION_DEPTH];
    if (!atBound) throw new Error('bad fixture');
    await expect(o.routeMessage({ fromAgent: 'user', toAgent: atBound, message: 'deep?' })).resolves.toMatchObject({
      answer: `${ids[ids.length - 1]} knows`,
    });
  });

  it('maxConsultationDepth sets the bound: at 1, A → B is answered and A → B → C is refused', async () => {
    const o = orchestrator(createScriptedProvider(), { maxConsultationDepth: 1 });
    o.registerAgentType('relay', relayMachine({ b: 'c' }));
    for (const id of ['b', 'c']) o.spawnAgent({ agentId: id, agentType: 'relay' });
    o.spawnAgent({ agentId: 'a', config: plain });
    await expect(o.routeMessage({ fromAgent: 'a', toAgent: 'c', message: 'one hop?' })).resolves.toMatchObject({ answer: 'c knows' });
    await expect(o.routeMessage({ fromAgent: 'a', toAgent: 'b', message: 'two hops?' })).rejects.toMatchObject({
      code: 'CONSULTATION_CYCLE',
      details: { reason: 'depth' },
    });
  });

  it('refuses with CrossAgentQueriesDisabledError when enableCrossAgentQueries is off', async () => {
    const off = orchestrator(createScriptedProvider(), { enableCrossAgentQueries: false });
    off.spawnAgent({ agentId: 'a', config: plain });
    off.spawnAgent({ agentId: 'b', config: plain });
    await expect(off.routeMessage({ fromAgent: 'a', toAgent: 'b', message: 'hi' })).rejects.toBeInstanceOf(
      CrossAgentQueriesDisabledError,
    );

    const model = createScriptedProvider();
    const on = orchestrator(model);
    on.spawnAgent({ agentId: 'quiet', config: { ...plain, enableCrossAgentQueries: false } });
    on.spawnAgent({ agentId: 'b', config: plain });
    const error = await on.routeMessage({ fromAgent: 'quiet', toAgent: 'b', message: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrossAgentQueriesDisabledError);
    expect(String(error)).toContain('enableCrossAgentQueries is off');
    expect(model.requests).toHaveLength(0);
  });

  it("supports the seed's CollaborativeAgent.consultPeer pattern", async () => {
    const model = createScriptedProvider().enqueue({ text: 'Revenue grew 4%.' }, { text: 'The growth figure is plausible.' });
    const o = orchestrator(model);
    o.spawnAgent({ agentId: 'domain_specialist', config: plain });
    const analyst = new CollaborativeAgent({ orchestrator: o, agentId: 'analyst', config: plain });
    await analyst.executeTask('Analyse the Q3 figures');
    const opinion = await analyst.consultPeer('domain_specialist', 'Please review this analysis');
    expect(opinion.answer).toBe('The growth figure is plausible.');
    expect(lastUserText(model.requests[1] ?? { model: '', maxTokens: 1, messages: [] })).toContain('Revenue grew 4%.');
  });
});

describe('CollaborativeAgent options', () => {
  it('spawns its agent from `template`, and keeps its latest task and answer as the context it consults with', async () => {
    const model = createScriptedProvider().enqueue({ text: 'Looks fine.' }, { text: 'Agreed.' });
    const o = orchestrator(model);
    o.registerTemplate('reviewer', { ...plain, systemPrompt: 'You are a meticulous reviewer.' });
    o.spawnAgent({ agentId: 'peer', config: plain });
    const reviewer = new CollaborativeAgent({ orchestrator: o, agentId: 'rev', template: 'reviewer' });
    await reviewer.executeTask('Review the Q3 memo');
    expect(systemText(model.requests[0]?.system)).toContain('You are a meticulous reviewer.');
    expect(reviewer.currentContext).toEqual({ task: 'Review the Q3 memo', output: 'Looks fine.', confidence: expect.any(Number) });
    await reviewer.consultPeer('peer', 'Do you agree?');
    expect(JSON.stringify(model.requests[1]?.messages)).toContain('Review the Q3 memo');
  });
});

describe('agents consulting on their own (consult_agent)', () => {
  it('offers consult_agent listing availableAgents, waits in consulting, then acts on the answer', async () => {
    const model = createScriptedProvider().enqueue(
      { toolCalls: [{ id: 'c1', name: 'consult_agent', input: { agentId: 'dba', question: 'Index type?' } }] },
      { text: 'B-tree.' },
      { text: 'We will add a B-tree index.' },
    );
    const o = orchestrator(model);
    const dev = o.spawnAgent({ agentId: 'dev', config: plain });
    o.spawnAgent({ agentId: 'dba', config: plain });
    const states: string[] = [];
    dev.actor?.subscribe((s) => states.push(JSON.stringify(s.value)));

    const outcome = await o.runOn('dev', { taskId: 't1', task: 'Plan the migration', availableAgents: ['dba', 'dev'] });

    expect(outcome).toMatchObject({ ok: true, result: { output: 'We will add a B-tree index.' } });
    expect(states).toContain('{"working":"consulting"}');
    const [acting, consultation, followUp] = model.requests;
    const tool = acting?.tools?.find((t) => t.name === 'consult_agent');
    expect(JSON.stringify(tool?.inputSchema)).toContain('"enum":["dba"]');
    expect(lastUserText(consultation ?? { model: '', maxTokens: 1, messages: [] })).toContain('Index type?');
    expect(JSON.stringify(followUp?.messages)).toContain('B-tree.');
    if (outcome.ok) expect(outcome.result.costCents).toBeGreaterThan(0);
  });

  it('is not offered the tool when cross-agent queries are off for the agent', async () => {
    const model = createScriptedProvider().enqueue({ text: 'alone' });
    const o = orchestrator(model);
    o.spawnAgent({ agentId: 'dev', config: { ...plain, enableCrossAgentQueries: false } });
    o.spawnAgent({ agentId: 'dba', config: plain });
    await o.runOn('dev', { taskId: 't1', task: 'Plan', availableAgents: ['dba'] });
    expect(model.requests[0]?.tools).toBeUndefined();
  });

  it('tells the model when the agent it asked does not exist', async () => {
    const model = createScriptedProvider().enqueue(
      { toolCalls: [{ id: 'c1', name: 'consult_agent', input: { agentId: 'gone', question: 'hi?' } }] },
      { text: 'carried on' },
    );
    const o = orchestrator(model);
    o.spawnAgent({ agentId: 'dev', config: plain });
    const outcome = await o.runOn('dev', { taskId: 't1', task: 'Plan', availableAgents: ['gone'] });
    expect(outcome.ok).toBe(true);
    expect(JSON.stringify(model.requests[1]?.messages)).toContain('No live agent \\"gone\\"');
  });

  it('runs 100 agents that consult each other at the same time without deadlock', async () => {
    const count = 100;
    const ids = Array.from({ length: count }, (_, i) => `agent_${i}`);
    let asked = 0;
    let allAsking!: () => void;
    const everyoneIsConsulting = new Promise<void>((resolve) => (allAsking = resolve));
    const model = createScriptedProvider({
      fallback: async (request) => {
        const text = lastUserText(request);
        if (text.includes('consults you')) {
          // Answer only once every agent is itself waiting on a consultation.
          await everyoneIsConsulting;
          const self = /You are (agent_\d+)/.exec(systemText(request.system))?.[1] ?? '?';
          return { text: `${self} answers` };
        }
        const toolResult = request.messages.at(-1);
        if (toolResult && typeof toolResult.content !== 'string' && toolResult.content.some((b) => b.type === 'tool_result')) {
          return { text: `final after: ${messageText(toolResult)}` };
        }
        const peer = request.tools?.find((t) => t.name === 'consult_agent')?.description.match(/consult: (agent_\d+)/)?.[1] ?? '';
        if (++asked === count) allAsking();
        return { toolCalls: [{ id: `c_${asked}`, name: 'consult_agent', input: { agentId: peer, question: 'status?' } }] };
      },
    });
    const o = orchestrator(model, { maxParallelAgents: count });
    for (const id of ids) o.spawnAgent({ agentId: id, config: plain });

    const outcomes = await Promise.all(
      ids.map((id, i) => o.runOn(id, { taskId: `t_${id}`, task: 'Coordinate', availableAgents: [ids[(i + 1) % count] ?? ''] })),
    );

    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) expect(outcome.result.output).toBe(`final after: ${ids[(i + 1) % count]} answers`);
    });
  });
});
