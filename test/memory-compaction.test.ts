import { describe, expect, it } from 'vitest';
import { Orchestrator } from '../src/index.js';
import { createScriptedProvider } from '../src/providers/scripted.js';

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
    const purposes: string[] = [];
    orchestrator.events.on('model.call.finished', (event) => purposes.push(event.purpose));

    await orchestrator.executeTask({ agentId: 'writer', taskDescription: 'First report' });
    expect(JSON.stringify(model.requests[0]?.messages)).not.toContain('First report\\"');
    await orchestrator.executeTask({ agentId: 'writer', taskDescription: 'Second report' });
    // The second task's prompt carries the first task and its answer.
    expect(JSON.stringify(model.requests[1]?.messages)).toContain('Task: First report');
    await orchestrator.executeTask({ agentId: 'writer', taskDescription: 'Third report' });

    expect(purposes).toContain('compaction');
    const last = model.requests[model.requests.length - 1];
    expect(JSON.stringify(last?.system)).toContain('SUMMARY: earlier findings');
    const inspection = orchestrator.inspectAgent('writer');
    expect(inspection?.costCents).toBeGreaterThan(0);
    await orchestrator.shutdown();
  });
});
