import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createAgentMachine } from '../../src/index.js';
import type { AgentMachineInput } from '../../src/index.js';
import { resolveAgentConfig, STANDALONE_DEFAULTS } from '../../src/index.js';
import { createModelGateway } from '../../src/testing.js';
import { DEFAULT_PRICES } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ApprovalAsk, ApprovalDecision } from '../../src/index.js';
import type { AgentResultEvent, AgentFailureEvent } from '../../src/index.js';
import type { ToolCall } from '../../src/index.js';

const CALL: ToolCall = { id: 'c1', name: 'wipe', input: { disk: 'prod' } };

/** An agent machine whose `wipe` tool is gated; `requestApproval` as given (or absent). */
function start(requestApproval?: (ask: ApprovalAsk) => Promise<ApprovalDecision>) {
  const model = createScriptedProvider().enqueue({ toolCalls: [CALL] }, { text: 'done' });
  const gateway = createModelGateway({ resolveProvider: () => model, prices: DEFAULT_PRICES });
  const ran: string[] = [];
  const machine = createAgentMachine({
    gateway,
    now: Date.now,
    runTool: async (call) => (ran.push(call.name), { content: 'wiped' }),
    needsApproval: (call) => call.name === 'wipe',
    ...(requestApproval ? { requestApproval } : {}),
  });
  const input: AgentMachineInput = {
    agentId: 'ops',
    template: 'default',
    config: resolveAgentConfig({ provider: 'scripted', model: 'claude-3-5-sonnet', enableSelfReflection: false, enableExtendedThinking: false }, STANDALONE_DEFAULTS),
  };
  const actor = createActor(machine, { input });
  const states: string[] = [];
  actor.subscribe((snapshot) => states.push(JSON.stringify(snapshot.value)));
  actor.start();
  const outcome = new Promise<AgentResultEvent | AgentFailureEvent>((resolve) => {
    actor.on('agent.result', resolve);
    actor.on('agent.failure', resolve);
  });
  actor.send({ type: 'agent.task', task: { taskId: 't1', task: 'Clean up', workflowId: 'wf' } });
  return { model, ran, states, outcome, actor };
}

describe('the agent machine and approvals', () => {
  it('moves acting → awaitingApproval → usingTools → acting, asking with the call’s key', async () => {
    const asks: ApprovalAsk[] = [];
    const { ran, states, outcome } = start(async (ask) => (asks.push(ask), { outcome: 'approved' }));
    expect((await outcome).type).toBe('agent.result');
    expect(states).toEqual(['"idle"', '{"working":"acting"}', '"awaitingApproval"', '{"working":"usingTools"}', '{"working":"acting"}', '"done"']);
    expect(asks).toHaveLength(1);
    expect(asks[0]).toMatchObject({ kind: 'tool', tool: 'wipe', input: { disk: 'prod' }, workflowId: 'wf', agentId: 'ops', taskId: 't1', key: 't1#1/1:tool:0' });
    expect(ran).toEqual(['wipe']);
  });

  it('fails closed without requestApproval: the gated tool never runs and the model reads why', async () => {
    const { model, ran, states, outcome } = start();
    expect((await outcome).type).toBe('agent.result');
    expect(states).not.toContain('"awaitingApproval"');
    expect(ran).toEqual([]);
    expect(model.requests[1]?.messages.at(-1)?.content).toEqual([
      { type: 'tool_result', toolUseId: 'c1', content: "Tool \"wipe\" needs a person's approval, and none was given", isError: true },
    ]);
  });

  it('an abort while waiting fails the task with CANCELLED and cancels the wait', async () => {
    let signal: AbortSignal | undefined;
    const { actor, outcome } = start((ask) => {
      signal = ask.signal;
      return new Promise(() => undefined);
    });
    await new Promise<void>((resolve) => {
      const sub = actor.subscribe((snapshot) => snapshot.value === 'awaitingApproval' && (sub.unsubscribe(), resolve()));
    });
    actor.send({ type: 'agent.abort', reason: 'stop' });
    const event = await outcome;
    expect(event.type === 'agent.failure' && event.failure.error.code).toBe('CANCELLED');
    expect(signal?.aborted).toBe(true);
  });
});
