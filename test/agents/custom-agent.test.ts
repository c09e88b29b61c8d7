import { afterEach, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { Orchestrator } from '../../src/index.js';
import type { AgentRunOutcome } from '../../src/agents/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedProvider } from '../../src/testing.js';
import type { AgentMachineInput } from '../../src/index.js';
import type { AgentInboundEvent } from '../../src/index.js';
import type { AgentTask } from '../../src/index.js';
import { agentTaskResult, messageText } from '../../src/index.js';
import { ConfigError } from '../../src/index.js';
import type { TroupeEvent } from '../../src/index.js';
import { createGlossaryAgent, runCustomAgentExample } from '../../examples/custom-agent.js';

class TestOrchestrator extends Orchestrator {
  runOn(agentId: string, task: AgentTask): Promise<AgentRunOutcome> {
    return this.runtime.pool.run(agentId, task);
  }
}

const open: Orchestrator[] = [];
function orchestrator(model: ScriptedProvider): TestOrchestrator {
  const o = new TestOrchestrator({ provider: model, model: 'claude-3-5-sonnet', enableThinkingAgents: false });
  open.push(o);
  o.registerAgentType('myType', createGlossaryAgent({ churn: 'customers lost in a period', ARR: 'annual recurring revenue' }));
  return o;
}
afterEach(async () => {
  for (const o of open.splice(0)) await o.shutdown();
});

const plain = { enableSelfReflection: false, enableExtendedThinking: false };

function contextOf(actor: { getSnapshot(): unknown } | undefined): Record<string, unknown> {
  const snapshot = actor?.getSnapshot();
  if (typeof snapshot !== 'object' || snapshot === null || !('context' in snapshot)) return {};
  const context: unknown = snapshot.context;
  return typeof context === 'object' && context !== null ? { ...context } : {};
}

describe('custom agent actors (registerAgentType)', () => {
  it('take part in a workflow: their result feeds the tasks that depend on them', async () => {
    const model = createScriptedProvider().enqueue({ text: 'Board summary written.' });
    const o = orchestrator(model);
    o.spawnAgent({ agentId: 'glossary', agentType: 'myType' });
    o.spawnAgent({ agentId: 'writer', config: plain });

    const run = await o.executeWorkflow({
      tasks: [
        { agentId: 'glossary', taskDescription: 'Define churn for the board' },
        { agentId: 'writer', taskDescription: 'Write the summary', dependencies: ['glossary'] },
      ],
    });

    expect(run.status).toBe('succeeded');
    expect(run.results.glossary).toMatchObject({ status: 'succeeded', output: 'churn: customers lost in a period', confidence: 1 });
    expect(run.results.writer?.output).toBe('Board summary written.');
    expect(model.requests).toHaveLength(1); // only the thinking agent called a model
    expect(JSON.stringify(model.requests[0]?.messages)).toContain('churn: customers lost in a period');
    expect(o.listAgents()).toContain('glossary'); // spawned explicitly, so it outlives its task
  });

  it('are consulted through routeMessage like built-in agents', async () => {
    const o = orchestrator(createScriptedProvider());
    o.spawnAgent({ agentId: 'glossary', agentType: 'myType' });
    o.spawnAgent({ agentId: 'writer', config: plain });
    const reply = await o.routeMessage({ fromAgent: 'writer', toAgent: 'glossary', message: 'What is ARR?' });
    expect(reply).toEqual({
      agentId: 'glossary',
      answer: 'ARR: annual recurring revenue',
      usage: { inputTokens: 0, outputTokens: 0, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      costCents: 0,
    });
  });

  it("are consulted by a thinking agent's consult_agent tool mid-task", async () => {
    const model = createScriptedProvider().enqueue(
      { toolCalls: [{ id: 'c1', name: 'consult_agent', input: { agentId: 'glossary', question: 'Define churn' } }] },
      (request) => ({ text: `Using: ${messageText(request.messages.at(-1) ?? { role: 'user', content: '' })}` }),
    );
    const o = orchestrator(model);
    o.spawnAgent({ agentId: 'glossary', agentType: 'myType' });
    o.spawnAgent({ agentId: 'writer', config: plain });
    const outcome = await o.runOn('writer', { taskId: 't1', task: 'Explain churn', availableAgents: ['glossary'] });
    expect(outcome).toMatchObject({ ok: true, result: { output: 'Using: churn: customers lost in a period' } });
  });

  it('receive the broadcasts they subscribed to, filtered by their descriptor', async () => {
    const o = orchestrator(createScriptedProvider());
    const glossary = o.spawnAgent({ agentId: 'glossary', agentType: 'myType', config: { role: 'librarian' } });
    const other = o.spawnAgent({ agentId: 'other', agentType: 'myType', config: { role: 'clerk' } });
    o.subscribe({ agentId: 'glossary', eventTypes: ['terms.*'] });
    o.subscribe({ agentId: 'other', eventTypes: ['terms.*'] });

    await o.broadcast({
      fromAgent: 'writer',
      eventType: 'terms.added',
      data: { term: 'NRR' },
      subscriberFilter: (agent) => agent.role === 'librarian',
    });

    expect(contextOf(glossary.actor).observations).toEqual(['terms.added from writer: {"term":"NRR"}']);
    expect(contextOf(other.actor).observations).toEqual([]);
  });

  it('that crash fail their task with AgentFailedError and leave the system running', async () => {
    const crashing = setup({ types: { events: {} as AgentInboundEvent, input: {} as AgentMachineInput } }).createMachine({
      on: {
        'agent.task': {
          actions: () => {
            throw new Error('custom machine bug');
          },
        },
      },
    });
    const o = orchestrator(createScriptedProvider());
    o.registerAgentType('crashing', crashing);
    o.spawnAgent({ agentId: 'buggy', agentType: 'crashing' });
    const crashes: TroupeEvent<'agent.crashed'>[] = [];
    o.events.on('agent.crashed', (e) => crashes.push(e));

    const outcome = await o.runOn('buggy', { taskId: 't1', task: 'anything' });

    expect(outcome).toMatchObject({ ok: false, error: { code: 'AGENT_FAILED' } });
    expect(crashes.map((c) => c.agentId)).toEqual(['buggy']);
    o.spawnAgent({ agentId: 'glossary', agentType: 'myType' });
    await expect(o.routeMessage({ fromAgent: 'x', toAgent: 'glossary', message: 'churn?' })).resolves.toMatchObject({
      answer: 'churn: customers lost in a period',
    });
  });

  it('must be registered before they are spawned', () => {
    const o = orchestrator(createScriptedProvider());
    expect(() => o.spawnAgent({ agentId: 'x', agentType: 'unregistered' })).toThrow(ConfigError);
    expect(() => o.registerAgentType('thinking', createGlossaryAgent({}))).toThrow(ConfigError);
  });

  it('examples/custom-agent.ts runs offline', async () => {
    const lines: string[] = [];
    await runCustomAgentExample((line) => lines.push(line));
    expect(lines[0]).toBe('workflow succeeded');
    expect(lines).toContain('consultation → cohort: customers who started in the same period');
    expect(lines.at(-1)).toBe('glossary observations → ["terms.added from writer: {\\"term\\":\\"NRR\\"}"]');
  });

  it('a custom agent that never answers fails its task with AGENT_TIMEOUT after its timeoutSeconds, instead of hanging the run', async () => {
    const o = orchestrator(createScriptedProvider());
    o.registerAgentType('mute', setup({ types: { events: {} as AgentInboundEvent, input: {} as AgentMachineInput } }).createMachine({}));
    o.spawnAgent({ agentId: 'mute', agentType: 'mute', config: { timeoutSeconds: 0.01 } });
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'mute', taskDescription: 'Say something' }] });
    expect(run.results.mute).toMatchObject({ status: 'failed', error: { code: 'AGENT_TIMEOUT' } });
  });

  it('a custom agent replying with a malformed result fails its task with AGENT_FAILED naming the field, and the journal stays well formed', async () => {
    /** Replies to every task with `result` (JSON text, so the test can send what the type forbids). */
    const replying = (result: string) =>
      setup({ types: { events: {} as AgentInboundEvent, input: {} as AgentMachineInput } }).createMachine({
        on: {
          'agent.task': {
            actions: ({ event }) => {
              event.replyTo?.send({ type: 'agent.result', agentId: 'odd', taskId: event.task.taskId, result: JSON.parse(result) });
            },
          },
        },
      });
    const o = new Orchestrator({ provider: createScriptedProvider(), journal: { storage: 'memory' } });
    open.push(o);
    const wellFormed = JSON.stringify(agentTaskResult('fine'));
    o.registerAgentType('odd', replying(JSON.stringify({ ...JSON.parse(wellFormed), confidence: 'high' })));
    o.spawnAgent({ agentId: 'odd', agentType: 'odd' });
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'odd', taskDescription: 'Answer' }] });
    expect(run.results.odd).toMatchObject({ status: 'failed', error: { code: 'AGENT_FAILED', message: expect.stringContaining('malformed result: field confidence') } });
    // The failure, not a journal refusal, ended the run: its journal reads back as a finished run.
    expect((await o.getWorkflow(run.workflowId))?.status).toBe('failed');
  });
});

