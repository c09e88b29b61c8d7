import { describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { agentOf } from '../support/requests.js';


describe('consultation inside a workflow', () => {
  it('gives a task with availableAgents the consult_agent tool and folds the peer\'s answer (and cost) into the task', async () => {
    const model = createScriptedProvider({
      fallback: (request) => {
        const agent = agentOf(request);
        const text = JSON.stringify(request.messages);
        if (agent === 'expert') return { text: 'EXPERT-ANSWER: hedge with options' };
        const tools = (request.tools ?? []).map((tool) => tool.name);
        if (tools.includes('consult_agent') && !text.includes('tool_result')) {
          return { toolCalls: [{ id: 'c1', name: 'consult_agent', input: { agentId: 'expert', question: 'How to hedge?' } }] };
        }
        return { text: `final, informed by ${text.includes('EXPERT-ANSWER') ? 'the expert' : 'nobody'}` };
      },
    });
    const orchestrator = new Orchestrator({ provider: model, enableThinkingAgents: false });
    orchestrator.registerTemplate('plain', { enableSelfReflection: false });
    orchestrator.spawnAgent({ agentId: 'expert', template: 'plain' });
    const states: string[] = [];
    const charged: { agentId: string; costCents: number }[] = [];
    orchestrator.events.on('model.call.finished', ({ agentId, costCents }) => charged.push({ agentId, costCents }));
    orchestrator.events.on('agent.spawned', ({ agentId }) => {
      if (agentId !== 'analyst') return;
      orchestrator.actor.system.get('agent:analyst')?.subscribe((snapshot: { value: unknown }) => states.push(JSON.stringify(snapshot.value)));
    });
    const run = await orchestrator.executeWorkflow({
      tasks: [{ agentId: 'analyst', template: 'plain', taskDescription: 'Plan the hedge', availableAgents: ['expert'] }],
    });
    const result = run.results.analyst;
    expect(result?.status).toBe('succeeded');
    expect(result?.output).toBe('final, informed by the expert');
    expect(states).toContain('{"working":"consulting"}');
    const expertCalls = model.requests.filter((request) => agentOf(request) === 'expert');
    expect(expertCalls).toHaveLength(1);
    // The task's cost is its own calls plus the expert's answer (charged to the asker's task).
    const expertCost = charged.filter((call) => call.agentId === 'expert').reduce((sum, call) => sum + call.costCents, 0);
    expect(expertCost).toBeGreaterThan(0);
    expect(result?.costCents).toBeCloseTo(charged.reduce((sum, call) => sum + call.costCents, 0), 10);
    await orchestrator.shutdown();
  });

  it('refuses an empty agent id in availableAgents before any model call', async () => {
    const model = createScriptedProvider();
    const orchestrator = new Orchestrator({ provider: model });
    await expect(
      orchestrator.executeWorkflow({
        tasks: [{ agentId: 'a', taskDescription: 'x', availableAgents: ['ok', ''] }],
      }),
    ).rejects.toMatchObject({ code: 'WORKFLOW_VALIDATION' });
    expect(model.requests).toHaveLength(0);
    await orchestrator.shutdown();
  });
});
