/**
 * A run's progress events reach listeners added while it runs, not only those
 * present when it started (monitoring can be enabled mid-run).
 */
import { afterEach, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';

const open: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((orchestrator) => orchestrator.shutdown()));
});

it('a task.finished listener added after the run started gets the tasks that finish after it', async () => {
  const model = createScriptedProvider({ fallback: () => ({ text: 'ok', structured: { confidence: 0.9, critique: '' } }) });
  const orchestrator = new Orchestrator({ enableThinkingAgents: false, provider: model, maxParallelAgents: 1 });
  open.push(orchestrator);
  const finished: string[] = [];
  let listening = false;
  orchestrator.events.on('task.started', () => {
    if (listening) return;
    listening = true;
    orchestrator.events.on('task.finished', ({ agentId }) => finished.push(agentId));
  });
  await orchestrator.executeWorkflow({
    tasks: [
      { agentId: 'a', taskDescription: 'x' },
      { agentId: 'b', taskDescription: 'x', dependencies: ['a'] },
    ],
  });
  expect(finished).toEqual(['a', 'b']);
});
