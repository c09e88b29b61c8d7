/**
 * Journals do not pile up: `deleteWorkflow` removes one run's journal (never
 * a run in progress here), `journalRetention` keeps a bounded number of
 * finished runs, and `listWorkflows` reads each finished run's stored summary
 * instead of decoding its whole journal.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, WorkflowNotFoundError, WorkflowRunningError } from '../../src/index.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../../src/index.js';
import { EMPTY_USAGE } from '../../src/index.js';
import { MemoryJournalStorage } from '../../src/index.js';
import type { JournalStorage } from '../../src/index.js';
import { WorkflowJournals } from '../../src/index.js';
import { Orchestrator } from '../../src/index.js';
import { deterministicModel } from '../support/journal-fixtures.js';

const TASKS = [
  { agentId: 'researcher', taskDescription: 'Research the market' },
  { agentId: 'writer', taskDescription: 'Write the report', dependencies: ['researcher'] },
];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-retention-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
function orchestrator(config: ConstructorParameters<typeof Orchestrator>[0]): Orchestrator {
  const created = new Orchestrator({ provider: deterministicModel(), ...config });
  cleanups.unshift(() => created.shutdown());
  return created;
}
const journalFiles = (workspacePath: string): string[] => readdirSync(join(workspacePath, 'journals')).sort();

/** A provider whose first answer waits until `release` is called. */
function gatedProvider(): ModelProvider & { entered: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  let enter = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const entered = new Promise<void>((resolve) => (enter = resolve));
  return {
    name: 'gated',
    entered,
    release: () => release(),
    async complete(request: ModelRequest): Promise<ModelResponse> {
      enter();
      await gate;
      return { text: `answer for ${request.model}`, toolCalls: [], usage: EMPTY_USAGE, model: request.model, stopReason: 'end_turn' };
    },
  };
}

describe('deleteWorkflow', () => {
  it('deletes a finished run: journal and summary files, listing, resume', async () => {
    const ws = tempDir();
    const o = orchestrator({ workspacePath: ws });
    const kept = await o.executeWorkflow({ tasks: TASKS });
    const doomed = await o.executeWorkflow({ tasks: TASKS });
    expect(journalFiles(ws)).toHaveLength(4); // two journals, two summaries
    await o.deleteWorkflow(doomed.workflowId);
    expect(journalFiles(ws).every((name) => name.startsWith(encodeURIComponent(kept.workflowId)))).toBe(true);
    expect((await o.listWorkflows()).map((run) => run.workflowId)).toEqual([kept.workflowId]);
    expect((await o.getWorkflow(doomed.workflowId))).toBeUndefined();
    await expect(o.resumeWorkflow({ workflowId: doomed.workflowId })).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(o.deleteWorkflow(doomed.workflowId)).rejects.toThrow(WorkflowNotFoundError);
  });

  it('refuses a run in progress in this process with WORKFLOW_RUNNING, and deletes it once it ended', async () => {
    const provider = gatedProvider();
    const o = orchestrator({ provider, journal: { storage: 'memory' }, enableThinkingAgents: false });
    const running = o.executeWorkflow({ workflowId: 'wf_live', tasks: [{ agentId: 'a', taskDescription: 'work' }] });
    await provider.entered;
    await expect(o.deleteWorkflow('wf_live')).rejects.toThrow(WorkflowRunningError);
    await expect(o.deleteWorkflow('wf_live')).rejects.toThrow(expect.objectContaining({ code: 'WORKFLOW_RUNNING' }));
    expect((await o.getWorkflow('wf_live'))?.status).toBe('running');
    provider.release();
    expect((await running).status).toBe('succeeded');
    await o.deleteWorkflow('wf_live');
    expect((await o.listWorkflows())).toEqual([]);
  });

  it('is a ConfigError with journaling off, or with a storage that cannot delete', async () => {
    await expect(orchestrator({ journal: false }).deleteWorkflow('wf')).rejects.toThrow(ConfigError);
    const inner = new MemoryJournalStorage();
    const appendOnly: JournalStorage = {
      append: (id, line) => inner.append(id, line),
      read: (id) => inner.read(id),
      list: () => inner.list(),
      close: () => undefined,
    };
    const o = orchestrator({ journal: { storage: appendOnly } });
    const run = await o.executeWorkflow({ tasks: TASKS });
    await expect(o.deleteWorkflow(run.workflowId)).rejects.toThrow(ConfigError);
    expect(() => orchestrator({ journal: { storage: appendOnly }, journalRetention: { maxWorkflows: 1 } })).toThrow(ConfigError);
  });
});

describe('journalRetention', () => {
  it('keeps the latest maxWorkflows finished runs after each run, and never an interrupted one', async () => {
    const storage = new MemoryJournalStorage();
    const o = orchestrator({ journal: { storage }, journalRetention: { maxWorkflows: 2 } });
    const first = await o.executeWorkflow({ tasks: TASKS });
    // An interrupted copy of the first run: resumable, so retention keeps it.
    const lines = ((await storage.read(first.workflowId)) ?? '').split('\n');
    const cut = lines.findIndex((line) => line.includes('"task.started"') && line.includes('"writer"'));
    storage.setRaw('wf_interrupted', `${lines.slice(0, cut + 1).join('\n')}\n`);
    const ids = [first.workflowId];
    for (let index = 0; index < 3; index++) ids.push((await o.executeWorkflow({ tasks: TASKS })).workflowId);
    const listed = (await o.listWorkflows());
    expect(listed.filter((run) => run.status === 'succeeded').map((run) => run.workflowId).sort()).toEqual(ids.slice(-2).sort());
    expect(listed.find((run) => run.workflowId === 'wf_interrupted')?.status).toBe('interrupted');
    expect((await storage.list()).sort()).toEqual([...ids.slice(-2), 'wf_interrupted'].sort());
  });

  it('applies at startup to journals already in the workspace', async () => {
    const ws = tempDir();
    const before = orchestrator({ workspacePath: ws });
    for (let index = 0; index < 3; index++) await before.executeWorkflow({ tasks: TASKS });
    const newest = (await before.listWorkflows())[0]?.workflowId;
    await before.shutdown();
    const after = orchestrator({ workspacePath: ws, journalRetention: { maxWorkflows: 1 } });
    expect((await after.listWorkflows()).map((run) => run.workflowId)).toEqual([newest]);
    expect(journalFiles(ws)).toHaveLength(2);
  });

  it('deletes finished runs older than maxAgeHours', async () => {
    const storage = new MemoryJournalStorage();
    let clock = 0;
    const journals = new WorkflowJournals({ storage, now: () => clock, retention: { maxAgeHours: 1 } });
    const finish = async (workflowId: string): Promise<void> => {
      const run = journals.open(workflowId);
      await run.append({
        type: 'workflow.started', workflowId, tasks: [],
        options: { continueOnFailure: false, collectThinkingTraces: false, generateSummary: false, maxParallelAgents: 1 },
      });
      await run.append({
        type: 'workflow.finished',
        result: { workflowId, status: 'succeeded', results: {}, summary: '', durationSeconds: 0, totalCostCents: 0, thinkingTraces: {}, usage: EMPTY_USAGE, simulated: true },
      });
      await journals.close(workflowId);
    };
    await finish('old');
    clock = 30 * 60_000;
    await finish('recent');
    expect((await storage.list()).sort()).toEqual(['old', 'recent']);
    clock = 61 * 60_000; // 'old' finished 61 minutes ago, 'recent' 31
    await finish('newest');
    expect((await storage.list()).sort()).toEqual(['newest', 'recent']);
    expect((await journals.applyRetention())).toEqual([]);
  });

  it('validates its values and needs the journal on', () => {
    expect(() => orchestrator({ journalRetention: { maxWorkflows: -1 } })).toThrow(ConfigError);
    expect(() => orchestrator({ journalRetention: { maxAgeHours: 0 } })).toThrow(ConfigError);
    expect(() => orchestrator({ journal: false, journalRetention: { maxWorkflows: 5 } })).toThrow(ConfigError);
  });
});

describe('cheap listing', () => {
  it('reads a finished run from its summary, without decoding its journal', async () => {
    const ws = tempDir();
    const o = orchestrator({ workspacePath: ws });
    const run = await o.executeWorkflow({ tasks: TASKS });
    const full = (await o.getWorkflow(run.workflowId));
    await o.shutdown();
    // Overwrite the journal with bytes of the same length: only a summary can still tell the run.
    const path = join(ws, 'journals', `${run.workflowId}.jsonl`);
    writeFileSync(path, 'x'.repeat(readFileSync(path).length));
    const reader = orchestrator({ workspacePath: ws });
    expect((await reader.getWorkflow(run.workflowId))).toEqual(full);
    expect((await reader.listWorkflows())).toEqual([full]);
    expect(full).toMatchObject({ status: 'succeeded', tasks: { researcher: 'succeeded', writer: 'succeeded' }, result: { status: 'succeeded' } });
  });

  it('matches a full read, and ignores a summary once the journal has grown (the id ran again)', async () => {
    const storage = new MemoryJournalStorage();
    const o = orchestrator({ journal: { storage } });
    await o.executeWorkflow({ workflowId: 'wf_again', tasks: TASKS });
    const fromSummary = (await o.getWorkflow('wf_again'));
    const fullRead = await new WorkflowJournals({ storage: withoutSummaries(storage), now: Date.now }).get('wf_again');
    expect(fromSummary).toEqual(fullRead);
    const second = await o.executeWorkflow({ workflowId: 'wf_again', tasks: [{ agentId: 'solo', taskDescription: 'Only task' }] });
    expect(second.status).toBe('succeeded');
    expect(Object.keys((await o.getWorkflow('wf_again'))?.tasks ?? {})).toEqual(['solo']);
  });

  it('stores a run\'s summary as it closes without reading its journal back', async () => {
    const storage = new MemoryJournalStorage();
    const reads: string[] = [];
    const counting: JournalStorage = {
      ...withoutSummaries(storage),
      read: (id) => {
        reads.push(id);
        return storage.read(id);
      },
      size: (id) => storage.size(id),
      readSummary: (id) => storage.readSummary(id),
      writeSummary: (id, text) => storage.writeSummary(id, text),
    };
    const o = orchestrator({ journal: { storage: counting } });
    await o.executeWorkflow({ workflowId: 'wf_counted', tasks: TASKS });
    // One read when the run began (a log to continue?), none when it closed.
    expect(reads).toEqual(['wf_counted']);
    const fromSummary = await o.getWorkflow('wf_counted');
    expect(reads).toEqual(['wf_counted']);
    expect(fromSummary).toEqual(await new WorkflowJournals({ storage: withoutSummaries(storage), now: Date.now }).get('wf_counted'));
  });

  it('summarises a resumed run as a full read of its journal does', async () => {
    const storage = new MemoryJournalStorage();
    const first = orchestrator({ journal: { storage } });
    await first.executeWorkflow({ workflowId: 'wf_cut', tasks: TASKS });
    await first.shutdown();
    const lines = ((await storage.read('wf_cut')) ?? '').split('\n').filter(Boolean);
    const cut = lines.findIndex((line) => line.includes('"task.finished"'));
    const interrupted = new MemoryJournalStorage();
    await interrupted.append('wf_cut', lines.slice(0, cut + 1).join('\n'));
    const second = orchestrator({ journal: { storage: interrupted } });
    expect((await second.resumeWorkflow({ workflowId: 'wf_cut', tasks: TASKS })).status).toBe('succeeded');
    const fromSummary = await second.getWorkflow('wf_cut');
    const fullRead = await new WorkflowJournals({ storage: withoutSummaries(interrupted), now: Date.now }).get('wf_cut');
    expect(fromSummary).toEqual(fullRead);
    expect(fromSummary).toMatchObject({ status: 'succeeded', resumedAt: [expect.any(Number)], tasks: { researcher: 'succeeded', writer: 'succeeded' } });
  });

  it('removes no journal file when there is nothing to delete', () => {
    const ws = tempDir();
    orchestrator({ workspacePath: ws, journalRetention: { maxWorkflows: 0 } });
    expect(existsSync(join(ws, 'journals'))).toBe(false);
  });
});

/** The same logs, without summary support: every read decodes the journal. */
function withoutSummaries(storage: MemoryJournalStorage): JournalStorage {
  return { append: (id, line) => storage.append(id, line), read: (id) => storage.read(id), list: () => storage.list(), close: () => undefined };
}
