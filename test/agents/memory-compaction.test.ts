import { describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';

describe('agent memory in a running system', () => {
  it('keeps an agent\'s earlier tasks in its memory and compacts it past the token threshold with a costed call', async () => {
    const longAnswer = 'A detailed finding about the market. '.repeat(30);
    const model = createScriptedProvider({
      fallback: (request) =>
        JSON.stringify(request.messages).includes('Summarize') || JSON.stringify(request.system ?? '').includes('summar')
          ? { text: 'SUMMARY: earlier findings about the market' }
          : { text: longAnswer },
    });
    const orchestrator = new Orchestrator({
      provider: model,
      enableThinkingAgents: false,
      memoryConfig: { tokenThreshold: 300, preserveLastNMessages: 2 },
    });
    orchestrator.registerTemplate('writer', { enableSelfReflection: false });
    orchestrator.spawnAgent({ agentId: 'writer', template: 'writer' });
    const calls: Array<{ purpose: string; costCents: number }> = [];
    orchestrator.events.on('model.call.finished', (event) => calls.push({ purpose: event.purpose, costCents: event.costCents }));

    await orchestrator.executeTask({ agentId: 'writer', taskDescription: 'First report' });
    // The first task starts from an empty memory: its prompt is the task alone.
    expect(model.requests[0]?.messages).toHaveLength(1);
    await orchestrator.executeTask({ agentId: 'writer', taskDescription: 'Second report' });
    // The second task's prompt carries the first task and its answer.
    expect(JSON.stringify(model.requests[1]?.messages)).toContain('Task: First report');
    await orchestrator.executeTask({ agentId: 'writer', taskDescription: 'Third report' });

    const compactions = calls.filter((call) => call.purpose === 'compaction');
    expect(compactions.length).toBeGreaterThan(0);
    for (const compaction of compactions) expect(compaction.costCents).toBeGreaterThan(0);
    const last = model.requests[model.requests.length - 1];
    expect(JSON.stringify(last?.system)).toContain('SUMMARY: earlier findings');
    // The agent's cost includes the compaction calls.
    const total = calls.reduce((sum, call) => sum + call.costCents, 0);
    expect(orchestrator.inspectAgent('writer')?.costCents).toBeCloseTo(total, 9);
    await orchestrator.shutdown();
  });
});
