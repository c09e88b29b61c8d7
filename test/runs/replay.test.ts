import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Orchestrator } from '../../src/index.js';
import { MemoryJournalStorage } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { createRecordingProvider } from '../../src/testing.js';
import { createReplayProvider } from '../../src/testing.js';
import { ConfigError, ProviderError, ReplayMismatchError, WorkflowNotFoundError } from '../../src/index.js';
import type { SubAgentTaskSpec, WorkflowResult } from '../../src/index.js';
import type { ModelProvider } from '../../src/index.js';
import { countingProvider, deterministicModel } from '../support/journal-fixtures.js';
import { trackedForEachTest } from '../support/tracked.js';
import { agentOf } from '../support/requests.js';

const { orchestrator, tempDir } = trackedForEachTest();

const TASKS: SubAgentTaskSpec[] = [
  { agentId: 'analyst', taskDescription: 'Analyse the quarterly numbers' },
  { agentId: 'critic', taskDescription: 'Find weaknesses in the analysis', dependencies: ['analyst'] },
  {
    agentId: 'editor',
    taskDescription: 'Edit the final memo',
    dependencies: ['analyst', 'critic'],
    condition: (results) => (results.critic?.confidence ?? 0) > 0.5,
  },
  {
    agentId: 'skipped_one',
    taskDescription: 'Only runs on low confidence',
    dependencies: ['analyst'],
    condition: (results) => (results.analyst?.confidence ?? 1) < 0.1,
  },
];

/** The parts of a result a replay must reproduce (timestamps differ by nature). */
function essence(result: WorkflowResult) {
  return {
    status: result.status,
    totalCostCents: result.totalCostCents,
    usage: result.usage,
    summary: result.summary,
    results: Object.fromEntries(
      Object.entries(result.results).map(([id, r]) => [
        id,
        { status: r.status, output: r.output, confidence: r.confidence, costCents: r.costCents, usage: r.usage, attempts: r.attempts, reason: r.reason },
      ]),
    ),
  };
}

describe('replayWorkflow without modifications', () => {
  it('reproduces the original results from the recording with zero model calls', async () => {
    const storage = new MemoryJournalStorage();
    const model = countingProvider(deterministicModel());
    const original = orchestrator({ provider: model, journal: { storage } });
    const run = await original.executeWorkflow({ tasks: TASKS, generateSummary: true });
    expect(run.results.skipped_one?.status).toBe('skipped');
    const callsBefore = model.calls;
    expect(callsBefore).toBeGreaterThan(0);

    // A new orchestrator (another process) on the same journals, same provider name.
    const fresh = countingProvider(deterministicModel());
    const replayer = orchestrator({ provider: fresh, journal: { storage } });
    const replay = await replayer.replayWorkflow({ workflowId: run.workflowId, strict: true });
    expect(fresh.calls).toBe(0);
    expect(essence(replay)).toEqual(essence(run));
    expect(replay.workflowId).not.toBe(run.workflowId);
    expect(replay).toMatchObject({ replayOf: run.workflowId, modified: false, mismatches: [] });
    expect(replay.diff.changed).toEqual([]);
    expect((await replayer.getWorkflow(replay.workflowId))).toMatchObject({ replayOf: run.workflowId, status: run.status, modelCalls: 0 });

    // In the same orchestrator too.
    const again = await original.replayWorkflow({ workflowId: run.workflowId, strict: true });
    expect(model.calls).toBe(callsBefore);
    expect(essence(again)).toEqual(essence(run));
  });

  it('reproduces a retried provider failure from the recording', async () => {
    const storage = new MemoryJournalStorage();
    const model = deterministicModel();
    model.enqueue(new ProviderError('PROVIDER_OVERLOADED', 'scripted', 'busy'));
    const config = { provider: model, journal: { storage }, retry: { baseDelayMs: 0, maxDelayMs: 0, jitter: 0 } };
    const run = await orchestrator(config).executeWorkflow({ tasks: [{ agentId: 'flaky', taskDescription: 'Try twice' }] });
    expect(run.results.flaky).toMatchObject({ status: 'succeeded', attempts: 2 });
    const fresh = countingProvider(deterministicModel());
    const replay = await orchestrator({ ...config, provider: fresh }).replayWorkflow({ workflowId: run.workflowId });
    expect(fresh.calls).toBe(0);
    expect(essence(replay)).toEqual(essence(run));
  });

  it('fails with REPLAY_MISMATCH when a call is not in the recording', async () => {
    const storage = new MemoryJournalStorage();
    const run = await orchestrator({ provider: deterministicModel(), journal: { storage } }).executeWorkflow({ tasks: TASKS.slice(0, 2) });
    const text = (await storage.read(run.workflowId)) ?? '';
    storage.setRaw(run.workflowId, text.split('\n').filter((line) => !(line.includes('"model.call"') && line.includes('"critic"') && line.includes('"acting"'))).join('\n'));
    const fresh = countingProvider(deterministicModel());
    const replayer = orchestrator({ provider: fresh, journal: { storage } });
    const replay = replayer.replayWorkflow({ workflowId: run.workflowId });
    await expect(replay).rejects.toBeInstanceOf(ReplayMismatchError);
    await expect(replay).rejects.toMatchObject({ code: 'REPLAY_MISMATCH', callKey: expect.stringContaining('/critic#1#1/1:acting') });
    expect(fresh.calls).toBe(0);
  });

  it('reports requests that differ from the recording, or refuses them when strict', async () => {
    const storage = new MemoryJournalStorage();
    const o = orchestrator({ provider: deterministicModel(), journal: { storage } });
    o.registerTemplate('writer', { systemPrompt: 'You write plainly.' });
    const tasks = [{ agentId: 'w', template: 'writer', taskDescription: 'Write a line' }];
    const run = await o.executeWorkflow({ tasks });
    o.registerTemplate('writer', { systemPrompt: 'You write in verse.' });
    const lenient = await o.replayWorkflow({ workflowId: run.workflowId });
    expect(lenient.mismatches.length).toBeGreaterThan(0);
    expect(lenient.mismatches[0]?.recordedHash).not.toBe(lenient.mismatches[0]?.actualHash);
    expect(essence(lenient)).toEqual(essence(run));
    await expect(o.replayWorkflow({ workflowId: run.workflowId, strict: true })).rejects.toMatchObject({ code: 'REPLAY_MISMATCH' });
  });

  it('refuses unknown and unfinished runs', async () => {
    const storage = new MemoryJournalStorage();
    const o = orchestrator({ provider: deterministicModel(), journal: { storage } });
    await expect(o.replayWorkflow({ workflowId: 'wf_nope' })).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const run = await o.executeWorkflow({ tasks: TASKS.slice(0, 1) });
    const text = (await storage.read(run.workflowId)) ?? '';
    storage.setRaw('wf_unfinished', text.split('\n').filter((line) => !line.includes('"workflow.finished"')).join('\n'));
    await expect(o.replayWorkflow({ workflowId: 'wf_unfinished' })).rejects.toMatchObject({ code: 'WORKFLOW_VALIDATION' });
  });

  it('replays a consultation inside a task from the recording too: the consulted agent\'s answer is not asked again', async () => {
    const consultingModel = () =>
      countingProvider(
        createScriptedProvider({
          fallback: (request) => {
            const text = JSON.stringify(request.messages);
            if (agentOf(request) === 'expert') return { text: 'EXPERT-ANSWER: hedge with options' };
            if ((request.tools ?? []).some((tool) => tool.name === 'consult_agent') && !text.includes('tool_result')) {
              return { toolCalls: [{ id: 'c1', name: 'consult_agent', input: { agentId: 'expert', question: 'How to hedge?' } }] };
            }
            return { text: `final, informed by ${text.includes('EXPERT-ANSWER') ? 'the expert' : 'nobody'}` };
          },
        }),
      );
    const withExpert = (provider: ModelProvider, storage: MemoryJournalStorage): Orchestrator => {
      const created = orchestrator({ provider, enableThinkingAgents: false, journal: { storage } });
      created.registerTemplate('plain', { enableSelfReflection: false });
      created.spawnAgent({ agentId: 'expert', template: 'plain' });
      return created;
    };
    const storage = new MemoryJournalStorage();
    const model = consultingModel();
    const run = await withExpert(model, storage).executeWorkflow({
      tasks: [{ agentId: 'analyst', template: 'plain', taskDescription: 'Plan the hedge', availableAgents: ['expert'] }],
    });
    expect(run.results.analyst?.output).toBe('final, informed by the expert');
    expect(model.requests.filter((request) => agentOf(request) === 'expert')).toHaveLength(1);

    const fresh = consultingModel();
    const replay = await withExpert(fresh, storage).replayWorkflow({ workflowId: run.workflowId, strict: true });
    expect(fresh.calls).toBe(0);
    expect(essence(replay)).toEqual(essence(run));
    expect(replay.mismatches).toEqual([]);
  });
});

describe('replayWorkflow with modifications', () => {
  it('re-runs with the new model and temperature and diffs every task against the original', async () => {
    const storage = new MemoryJournalStorage();
    const model = deterministicModel();
    const o = orchestrator({ provider: model, journal: { storage } });
    const run = await o.executeWorkflow({ tasks: TASKS.slice(0, 2) });
    const before = model.requests.length;
    const replay = await o.replayWorkflow({ workflowId: run.workflowId, modifications: { agentModel: 'gpt-4o', temperature: 0.3 } });
    const replayRequests = model.requests.slice(before);
    expect(replayRequests.length).toBe(before);
    for (const request of replayRequests) expect(request).toMatchObject({ model: 'gpt-4o', temperature: 0.3 });
    expect(replay.modified).toBe(true);
    expect([...replay.diff.changed].sort()).toEqual(['analyst', 'critic']);
    expect(replay.diff.tasks.analyst).toMatchObject({
      statusBefore: 'succeeded',
      statusAfter: 'succeeded',
      outputChanged: true,
      confidenceBefore: 0.65,
      confidenceAfter: 0.85,
      costCentsBefore: run.results.analyst?.costCents,
      costCentsAfter: replay.results.analyst?.costCents,
    });
    expect(replay.diff.tasks.analyst?.costCentsAfter).not.toBe(replay.diff.tasks.analyst?.costCentsBefore);
    expect(replay.diff.totalCostCentsBefore).toBe(run.totalCostCents);
    expect(replay.results.analyst?.output).toContain('gpt-4o@0.3');
    expect((await o.getWorkflow(replay.workflowId))?.modifications).toEqual({ agentModel: 'gpt-4o', temperature: 0.3 });
  });

  it('changes only the agents a per-agent override names, and leaves no modified agent behind', async () => {
    const storage = new MemoryJournalStorage();
    const model = deterministicModel();
    const o = orchestrator({ provider: model, journal: { storage } });
    const tasks = [
      { agentId: 'left', taskDescription: 'Left side' },
      { agentId: 'right', taskDescription: 'Right side' },
    ];
    const run = await o.executeWorkflow({ tasks });
    const replay = await o.replayWorkflow({ workflowId: run.workflowId, modifications: { agents: { right: { temperature: 1.2 } } } });
    expect(replay.diff.tasks.left).toMatchObject({ outputChanged: false, confidenceBefore: 0.65, confidenceAfter: 0.65 });
    expect(replay.diff.tasks.right).toMatchObject({ outputChanged: true, confidenceBefore: 0.65, confidenceAfter: 0.4 });
    expect(replay.diff.changed).toEqual(['right']);
    const after = model.requests.length;
    await o.executeWorkflow({ tasks });
    expect(model.requests.slice(after).every((request) => request.temperature === 0.7)).toBe(true);
  });

  it('re-decides conditions on the new results when the tasks are given again', async () => {
    const storage = new MemoryJournalStorage();
    const o = orchestrator({ provider: deterministicModel(), journal: { storage } });
    const run = await o.executeWorkflow({ tasks: TASKS });
    expect(run.results.editor?.status).toBe('succeeded');
    // temperature 1.2 gives confidence 0.4: the editor's condition (critic > 0.5) no longer holds.
    const modifications = { temperature: 1.2 };
    const reused = await o.replayWorkflow({ workflowId: run.workflowId, modifications });
    expect(reused.results.editor?.status).toBe('succeeded');
    const reevaluated = await o.replayWorkflow({ workflowId: run.workflowId, modifications, tasks: TASKS });
    expect(reevaluated.results.editor).toMatchObject({ status: 'skipped', reason: 'its condition was false' });
    expect(reevaluated.diff.tasks.editor).toMatchObject({ statusBefore: 'succeeded', statusAfter: 'skipped' });
  });

  it('refuses modifications for agents the run does not have, or that are live', async () => {
    const storage = new MemoryJournalStorage();
    const o = orchestrator({ provider: deterministicModel(), journal: { storage } });
    o.spawnAgent({ agentId: 'resident' });
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'resident', taskDescription: 'Work' }] });
    await expect(o.replayWorkflow({ workflowId: run.workflowId, modifications: { agents: { ghost: { temperature: 0 } } } })).rejects.toBeInstanceOf(ConfigError);
    await expect(o.replayWorkflow({ workflowId: run.workflowId, modifications: { temperature: 0 } })).rejects.toMatchObject({
      field: 'modifications.agents.resident',
    });
  });
});

describe('recording and replay providers (cassettes)', () => {
  it('records answers to a cassette and serves them offline; an unknown request is a REPLAY_MISMATCH', async () => {
    const dir = tempDir('troupe-cassette-');
    const cassettePath = join(dir, 'cassettes', 'memo.json');
    const live = countingProvider(deterministicModel('anthropic'));
    const recording = createRecordingProvider(live, { cassettePath });
    const first = await orchestrator({ provider: recording, journal: false }).executeWorkflow({ tasks: TASKS.slice(0, 2) });
    expect(recording.recorded).toBe(live.calls);

    const replaying = createReplayProvider({ cassettePath });
    expect(replaying.name).toBe('anthropic');
    const second = await orchestrator({ provider: replaying, journal: false }).executeWorkflow({ tasks: TASKS.slice(0, 2) });
    expect(replaying.served).toBe(live.calls);
    expect(essence(second).results).toEqual(essence(first).results);
    await expect(replaying.complete({ model: 'x', maxTokens: 5, messages: [{ role: 'user', content: 'never recorded' }] })).rejects.toBeInstanceOf(
      ReplayMismatchError,
    );
  });

  it('serves a request recorded several times in the recorded order', async () => {
    const dir = tempDir('troupe-cassette-');
    const cassettePath = join(dir, 'twice.json');
    const inner = createScriptedProvider().enqueue({ text: 'one' }, { text: 'two' });
    const recording = createRecordingProvider(inner, { cassettePath });
    const request = { model: 'm', maxTokens: 5, messages: [{ role: 'user' as const, content: 'same' }] };
    await recording.complete(request);
    await recording.complete(request);
    const replaying = createReplayProvider({ cassettePath });
    expect((await replaying.complete(request)).text).toBe('one');
    expect((await replaying.complete(request)).text).toBe('two');
    expect((await replaying.complete(request)).text).toBe('two');
  });
});
