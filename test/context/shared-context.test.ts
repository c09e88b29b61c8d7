import { describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ModelRequest } from '../../src/index.js';
import { agentOf } from '../support/requests.js';

const lastUserText = (request: ModelRequest) => JSON.stringify(request.messages[request.messages.length - 1]);

describe('shared context in a running system', () => {
  it('gives agents with sharedContextAccess artifact tools that act under their own permissions', async () => {
    const model = createScriptedProvider({
      fallback: (request) => {
        const agent = agentOf(request);
        const toolNames = (request.tools ?? []).map((tool) => tool.name);
        const afterTool = lastUserText(request).includes('tool_result');
        if (!afterTool && toolNames.includes('write_artifact')) {
          return { toolCalls: [{ id: `w-${agent}`, name: 'write_artifact', input: { artifactId: 'report', content: { by: agent } } }] };
        }
        return { text: afterTool ? `done: ${lastUserText(request)}` : 'no tools' };
      },
    });
    const orchestrator = new Orchestrator({
      provider: model,
      enableThinkingAgents: false,
      enableSharedContext: true,
      sharedContext: { storage: 'memory' },
      agentPermissions: { writer: ['read', 'write'], reader: ['read'] },
    });
    orchestrator.registerTemplate('writer', { sharedContextAccess: true, enableSelfReflection: false });
    orchestrator.registerTemplate('reader', { sharedContextAccess: true, enableSelfReflection: false });

    const written = await orchestrator.executeTask({ agentId: 'writer', template: 'writer', taskDescription: 'Write the report' });
    expect(written.output).toContain('\\"version\\":1');
    const artifact = await orchestrator.context?.getArtifact({ artifactId: 'report', agentId: 'reader', includeLineage: true });
    expect(artifact?.content).toEqual({ by: 'writer' });
    expect(artifact?.lineage?.createdBy).toBe('writer');

    const refused = await orchestrator.executeTask({ agentId: 'reader', template: 'reader', taskDescription: 'Try to write' });
    expect(refused.output).toContain('PERMISSION_DENIED');
    const after = await orchestrator.context?.getArtifact({ artifactId: 'report', agentId: 'writer' });
    expect(after?.version).toBe(1);
    await orchestrator.shutdown();
  });

  it('loads a task\'s sharedArtifacts into its prompt, permission-checked', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'read it' }) });
    const orchestrator = new Orchestrator({
      provider: model,
      enableThinkingAgents: false,
      enableSharedContext: true,
      sharedContext: { storage: 'memory' },
      agentPermissions: { analyst: ['read'], publisher: ['write'] },
    });
    await orchestrator.context?.storeArtifact({ artifactId: 'threat_models', content: { top: 'phishing' }, agentId: 'publisher' });
    const ok = await orchestrator.executeTask({ agentId: 'analyst', taskDescription: 'Assess threats', sharedArtifacts: ['threat_models'] });
    expect(ok.status).toBe('succeeded');
    expect(JSON.stringify(model.requests[0]?.messages)).toContain('phishing');

    const denied = await orchestrator.executeTask({ agentId: 'intruder', taskDescription: 'Peek', sharedArtifacts: ['threat_models'] });
    expect(denied.status).toBe('failed');
    expect(denied.error?.code).toBe('PERMISSION_DENIED');
    expect(model.requests).toHaveLength(2); // the refused task made no model call
    await orchestrator.shutdown();
  });

  it('refuses sharedArtifacts when enableSharedContext is off instead of ignoring them', async () => {
    const orchestrator = new Orchestrator({ enableThinkingAgents: false });
    const result = await orchestrator.executeTask({ agentId: 'a', taskDescription: 'x', sharedArtifacts: ['doc'] });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('CONFIG_INVALID');
    expect(result.error?.message).toContain('enableSharedContext');
    await orchestrator.shutdown();
  });

  it('shares memory summaries across agents with enableCrossAgentMemory', async () => {
    const model = createScriptedProvider({
      fallback: (request) =>
        JSON.stringify(request.system ?? '').toLowerCase().includes('summar')
          ? { text: 'SUMMARY-FROM-SCOUT' }
          : { text: 'Long field notes. '.repeat(40) },
    });
    const orchestrator = new Orchestrator({
      provider: model,
      enableThinkingAgents: false,
      enableSharedContext: true,
      enableCrossAgentMemory: true,
      sharedContext: { storage: 'memory' },
      memoryConfig: { tokenThreshold: 200, preserveLastNMessages: 2 },
    });
    orchestrator.registerTemplate('plain', { enableSelfReflection: false });
    orchestrator.spawnAgent({ agentId: 'scout', template: 'plain' });
    for (const n of [1, 2, 3]) await orchestrator.executeTask({ agentId: 'scout', taskDescription: `Survey ${n}` });
    await orchestrator.executeTask({ agentId: 'planner', template: 'plain', taskDescription: 'Plan' });
    const plannerRequest = model.requests.find((request) => agentOf(request) === 'planner');
    expect(JSON.stringify(plannerRequest?.messages)).toContain('SUMMARY-FROM-SCOUT');
    await orchestrator.shutdown();
  });

  it('shares broadcast observations with enableCrossAgentMemory: an agent that did not subscribe sees them in its prompt', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'ok' }) });
    const orchestrator = new Orchestrator({
      provider: model,
      enableThinkingAgents: false,
      enableSharedContext: true,
      enableCrossAgentMemory: true,
      sharedContext: { storage: 'memory' },
    });
    orchestrator.registerTemplate('plain', { enableSelfReflection: false });
    orchestrator.spawnAgent({ agentId: 'scout', template: 'plain' });
    orchestrator.spawnAgent({ agentId: 'planner', template: 'plain' });
    // Concurrent broadcasts: none may be lost in the shared artifact.
    const reports = await Promise.all(
      ['RISK-ONE', 'RISK-TWO', 'RISK-THREE'].map((note) =>
        orchestrator.broadcast({ fromAgent: 'scout', eventType: 'risk.alert', data: { note } }),
      ),
    );
    expect(reports.map((report) => report.sharingError)).toEqual([undefined, undefined, undefined]);
    expect(reports.every((report) => report.recipients.length === 0)).toBe(true); // nobody subscribed

    await orchestrator.executeTask({ agentId: 'planner', taskDescription: 'Plan' });
    await orchestrator.executeTask({ agentId: 'scout', taskDescription: 'Survey' });
    const prompt = (agent: string) => JSON.stringify(model.requests.find((request) => agentOf(request) === agent)?.messages);
    for (const note of ['RISK-ONE', 'RISK-TWO', 'RISK-THREE']) expect(prompt('planner')).toContain(note);
    expect(prompt('planner')).toContain('risk.alert from scout');
    expect(prompt('scout')).not.toContain('RISK-ONE'); // its own broadcasts are not fed back to it
    await orchestrator.shutdown();
  });

  it('keeps broadcasts out of the store without enableCrossAgentMemory', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'ok' }) });
    const orchestrator = new Orchestrator({ provider: model, enableThinkingAgents: false, enableSharedContext: true, sharedContext: { storage: 'memory' } });
    orchestrator.registerTemplate('plain', { enableSelfReflection: false });
    orchestrator.spawnAgent({ agentId: 'scout', template: 'plain' });
    await orchestrator.broadcast({ fromAgent: 'scout', eventType: 'risk.alert', data: { note: 'RISK-ONE' } });
    await orchestrator.executeTask({ agentId: 'planner', template: 'plain', taskDescription: 'Plan' });
    expect(JSON.stringify(model.requests.at(-1)?.messages)).not.toContain('RISK-ONE');
    await orchestrator.shutdown();
  });
});
