/**
 * A troupe config module as `troupe mcp --config` loads it: the default
 * export is an async function returning an Orchestrator. Offline: a scripted
 * model answers every task with "done: <task>"; the shared context holds one
 * artifact that `reader` may read and `outsider` may not.
 */
import { Orchestrator } from '../../../src/index.js';
import { createScriptedProvider, MemoryJournalStorage } from '../../../src/testing.js';

export default async function createOrchestrator(): Promise<Orchestrator> {
  const model = createScriptedProvider({
    fallback: (request) => {
      const last = request.messages[request.messages.length - 1];
      const text = typeof last?.content === 'string' ? last.content : '';
      const task = /Task: (.*)/.exec(text)?.[1] ?? text.split('\n')[0] ?? '';
      return { text: `done: ${task}` };
    },
  });
  const orchestrator = new Orchestrator({
    provider: model,
    enableThinkingAgents: false,
    enableSharedContext: true,
    sharedContext: { storage: 'memory' },
    agentPermissions: { writer: ['read', 'write'], reader: ['read'], outsider: [] },
    journal: { storage: new MemoryJournalStorage() },
  });
  orchestrator.registerTemplate('analyst', { role: 'analyst', enableSelfReflection: false });
  await orchestrator.context?.storeArtifact({ artifactId: 'plan', content: { steps: ['measure', 'cut'] }, agentId: 'writer' });
  return orchestrator;
}
