import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../src/index.js';
import type { JournalRecord } from '../../src/index.js';
import { MemoryJournalStorage } from '../../src/index.js';
import { createSimulatedProvider } from '../../src/index.js';
import { ProviderError, WorkflowNotFoundError } from '../../src/index.js';
import type { SubAgentTaskSpec } from '../../src/index.js';
import { countingProvider, deterministicModel } from '../support/journal-fixtures.js';
import { trackedForEachTest } from '../support/tracked.js';
import { crashArtifactStore, CRASH_WORKFLOW_ID, CRASH_WRITER, crashTasks, storeResultArtifacts } from '../support/crash-tasks.js';

const { orchestrator, tempDir } = trackedForEachTest();

const CHAIN: SubAgentTaskSpec[] = [
  { agentId: 'collect', taskDescription: 'Collect the facts' },
  { agentId: 'check', taskDescription: 'Check the facts', dependencies: ['collect'] },
  { agentId: 'draft', taskDescription: 'Draft the memo', dependencies: ['check'] },
  { agentId: 'never', taskDescription: 'Runs only when its condition holds', dependencies: ['collect'], condition: () => false },
];

/** The journal text up to and including the line `keep` says to stop at: the process died right after it. */
function cutJournal(text: string, keep: (line: string, index: number) => boolean): string {
  const lines = text.split('\n');
  const stop = lines.findIndex(keep);
  if (stop < 0) throw new Error('cut point not found');
  return `${lines.slice(0, stop + 1).join('\n')}\n`;
}

async function recordsOf(storage: MemoryJournalStorage, workflowId: string): Promise<JournalRecord[]> {
  return [...parseJournal(workflowId, (await storage.read(workflowId)) ?? '').records];
}

describe('resumeWorkflow', () => {
  it('continues an interrupted run: finished tasks keep their results, recorded calls are reused, the rest runs once', async () => {
    const storage = new MemoryJournalStorage();
    const original = await orchestrator({ provider: deterministicModel(), journal: { storage } }).executeWorkflow({ tasks: CHAIN });
    // The process died after `check` made its thinking call, before it finished.
    const text = (await storage.read(original.workflowId)) ?? '';
    storage.setRaw('wf_cut', cutJournal(text, (line) => line.includes('"model.call"') && line.includes('"check"') && line.includes('"thinking"')));

    const model = countingProvider(deterministicModel());
    const resumer = orchestrator({ provider: model, journal: { storage } });
    expect((await resumer.getWorkflow('wf_cut'))).toMatchObject({ status: 'interrupted', tasks: { collect: 'succeeded', check: 'running', draft: 'pending' } });
    const replayed: string[] = [];
    resumer.events.on('model.call.finished', (event) => {
      if (event.replayed) replayed.push(`${event.agentId}:${event.purpose}`);
    });
    const resumed = await resumer.resumeWorkflow({ workflowId: 'wf_cut', tasks: CHAIN });

    expect(resumed.workflowId).toBe('wf_cut');
    expect(resumed.status).toBe('succeeded');
    expect(resumed.results.collect).toEqual(original.results.collect);
    expect(resumed.results.never).toEqual(original.results.never);
    expect(resumed.results.check?.output).toBe(original.results.check?.output);
    expect(resumed.results.draft?.output).toBe(original.results.draft?.output);
    expect(replayed).toEqual(['check:thinking']);
    // collect's 3 calls are not repeated; check's thinking call is served: 2 + 3 remain.
    expect(model.calls).toBe(5);
    const keys = (await recordsOf(storage, 'wf_cut')).flatMap((r) => (r.type === 'model.call' && !r.replayed ? [r.callKey] : []));
    expect(new Set(keys).size).toBe(keys.length);
    expect((await resumer.getWorkflow('wf_cut'))).toMatchObject({ status: 'succeeded', resumedAt: [expect.any(Number)] });
  });

  it('restores conditions only from the tasks given: without them an undecided conditional task runs', async () => {
    const storage = new MemoryJournalStorage();
    const original = await orchestrator({ provider: deterministicModel(), journal: { storage } }).executeWorkflow({ tasks: CHAIN });
    expect(original.results.never?.status).toBe('skipped');
    const beforeDecision = cutJournal((await storage.read(original.workflowId)) ?? '', (line) => line.includes('"task.started"'));
    storage.setRaw('wf_a', beforeDecision);
    storage.setRaw('wf_b', beforeDecision);
    const resumer = orchestrator({ provider: deterministicModel(), journal: { storage } });
    expect((await resumer.resumeWorkflow({ workflowId: 'wf_a', tasks: CHAIN })).results.never?.status).toBe('skipped');
    expect((await resumer.resumeWorkflow({ workflowId: 'wf_b' })).results.never?.status).toBe('succeeded');

    // A decision journaled before the crash stands, with or without the functions.
    storage.setRaw('wf_c', cutJournal((await storage.read(original.workflowId)) ?? '', (line) => line.includes('"condition.decided"')));
    expect((await resumer.resumeWorkflow({ workflowId: 'wf_c' })).results.never?.status).toBe('skipped');
  });

  it('stops a resumed run as the original stopped when a finished task had failed (continueOnFailure off)', async () => {
    const storage = new MemoryJournalStorage();
    const model = deterministicModel();
    model.enqueue(new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', 'refused'));
    const tasks = [
      { agentId: 'first', taskDescription: 'Fails' },
      { agentId: 'second', taskDescription: 'Would run later', dependencies: ['first'] },
      { agentId: 'third', taskDescription: 'Independent', priority: 'low' as const },
    ];
    const original = await orchestrator({ provider: model, journal: { storage }, maxParallelAgents: 1 }).executeWorkflow({ tasks });
    expect(original.status).toBe('failed');
    storage.setRaw('wf_failed', cutJournal((await storage.read(original.workflowId)) ?? '', (line) => line.includes('"task.finished"')));
    const fresh = countingProvider(deterministicModel());
    const resumed = await orchestrator({ provider: fresh, journal: { storage } }).resumeWorkflow({ workflowId: 'wf_failed' });
    expect(resumed.status).toBe('failed');
    expect(fresh.calls).toBe(0);
    expect(resumed.results.second?.status).toBe('skipped');
    expect(resumed.results.third?.status).toBe('cancelled');
  });

  it('returns a finished run’s recorded result without running anything, and refuses unknown ids', async () => {
    const storage = new MemoryJournalStorage();
    const original = await orchestrator({ provider: deterministicModel(), journal: { storage } }).executeWorkflow({ tasks: CHAIN.slice(0, 2) });
    const fresh = countingProvider(deterministicModel());
    const resumer = orchestrator({ provider: fresh, journal: { storage } });
    expect(await resumer.resumeWorkflow({ workflowId: original.workflowId })).toEqual(original);
    expect(fresh.calls).toBe(0);
    await expect(resumer.resumeWorkflow({ workflowId: 'wf_missing' })).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KILL_AFTER_FINISHED = 5;

function finishedTasks(journalPath: string): number {
  if (!existsSync(journalPath)) return 0;
  return readFileSync(journalPath, 'utf8').split('"type":"task.finished"').length - 1;
}

describe('a run whose process is killed', () => {
  it('resumes in another process: every task completes, no finished task calls the model again, artifacts intact', async () => {
    const workspacePath = tempDir('troupe-crash-');
    const journalPath = join(workspacePath, 'journals', `${CRASH_WORKFLOW_ID}.jsonl`);
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/processes/crash-workflow.ts'), workspacePath], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    const deadline = Date.now() + 15_000;
    while (finishedTasks(journalPath) < KILL_AFTER_FINISHED && child.exitCode === null && Date.now() < deadline) await delay(10);
    child.kill('SIGKILL');
    expect(await exited, stderr).toBe('SIGKILL');

    // Simulate a write torn by the kill.
    appendFileSync(journalPath, '{"json":{"at":1,"type":"task.fin');
    const text = readFileSync(journalPath, 'utf8');
    const before = parseJournal(CRASH_WORKFLOW_ID, text);
    expect(before.tornTail).toBe(true);
    const finishedBefore = new Map(
      before.records.flatMap((r) => (r.type === 'task.finished' ? [[r.agentId, r.result] as const] : [])),
    );
    expect(finishedBefore.size).toBeGreaterThanOrEqual(KILL_AFTER_FINISHED);
    expect(finishedBefore.size).toBeLessThan(20);
    const recordedKeys = new Set(before.records.flatMap((r) => (r.type === 'model.call' ? [r.callKey] : [])));

    const model = countingProvider(createSimulatedProvider({ seed: 42 }));
    const resumer = orchestrator({ workspacePath, provider: model, maxParallelAgents: 4 });
    expect((await resumer.getWorkflow(CRASH_WORKFLOW_ID))?.status).toBe('interrupted');
    const store = crashArtifactStore(workspacePath);
    storeResultArtifacts(resumer, store);
    const fresh: { agentId: string; taskId: string | undefined }[] = [];
    resumer.events.on('model.call.finished', (event) => {
      if (!event.replayed) fresh.push({ agentId: event.agentId, taskId: event.taskId });
    });
    const resumed = await resumer.resumeWorkflow({ workflowId: CRASH_WORKFLOW_ID, tasks: crashTasks() });

    expect(resumed.status).toBe('succeeded');
    expect(Object.values(resumed.results).filter((r) => r.status === 'succeeded')).toHaveLength(20);
    for (const [agentId, result] of finishedBefore) expect(resumed.results[agentId]).toEqual(result);
    expect(fresh.filter((call) => finishedBefore.has(call.agentId))).toEqual([]);
    expect(model.calls).toBe(fresh.length);
    // Per callKey: answered by a model at most once across both processes, and never again once recorded.
    const after = parseJournal(CRASH_WORKFLOW_ID, readFileSync(journalPath, 'utf8'));
    expect(after.tornTail).toBe(false);
    expect(after.skippedLines).toEqual([]);
    const answered = after.records.flatMap((r) => (r.type === 'model.call' && !r.replayed ? [r.callKey ?? ''] : []));
    expect(new Set(answered).size).toBe(answered.length);
    expect(answered.filter((key) => recordedKeys.has(key))).toHaveLength(recordedKeys.size);

    // Artifacts: every task's output is stored and readable, including those written by the killed process.
    await delay(0);
    for (const [agentId, result] of Object.entries(resumed.results)) {
      const artifact = await store.getArtifact({ artifactId: `result.${agentId}`, agentId: CRASH_WRITER });
      expect(artifact.content).toBe(result.output);
    }
    await store.close();
  }, 60_000);
});
