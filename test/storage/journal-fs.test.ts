import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_USAGE, FsJournalStorage, Orchestrator, WorkflowRunningError } from '../../src/index.js';
import type { ModelProvider } from '../../src/index.js';

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('FsJournalStorage.list', () => {
  it('lists the logs it wrote, ids with reserved characters included, and skips files it could not have written', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'troupe-journal-'));
    dirs.push(directory);
    const storage = new FsJournalStorage({ directory });
    for (const workflowId of ['wf_1', 'a/b%c', '../up']) {
      await storage.append(workflowId, '{}');
      storage.close(workflowId);
    }
    // Strays: not URI-decodable, not canonically encoded, not a log, and the names '' and '.' cannot have.
    for (const name of ['50%.jsonl', 'a%2fb.jsonl', 'notes.txt', '.jsonl', '..jsonl']) await writeFile(join(directory, name), '{}\n');
    expect((await storage.list()).sort()).toEqual(['../up', 'a/b%c', 'wf_1']);
    expect((await storage.read('a/b%c'))).toBe('{}\n');
  });
});

describe('FsJournalStorage: one appender a run', () => {
  async function directory(): Promise<string> {
    const made = await mkdtemp(join(tmpdir(), 'troupe-journal-lock-'));
    dirs.push(made);
    return made;
  }

  it('refuses a second storage appending to a run another holds open, with WORKFLOW_RUNNING naming the holder, until it closes', async () => {
    const dir = await directory();
    const first = new FsJournalStorage({ directory: dir });
    const second = new FsJournalStorage({ directory: dir });
    await first.append('wf_1', '{"n":1}');
    const refused = second.append('wf_1', '{"n":2}');
    await expect(refused).rejects.toBeInstanceOf(WorkflowRunningError);
    await expect(refused).rejects.toMatchObject({ code: 'WORKFLOW_RUNNING', holder: { pid: process.pid } });
    // Other runs are not held.
    await second.append('wf_2', '{"n":1}');
    first.close('wf_1');
    await second.append('wf_1', '{"n":2}');
    second.close('wf_1');
    second.close('wf_2');
    expect(await first.read('wf_1')).toBe('{"n":1}\n{"n":2}\n');
    // The lock files are gone with their holders, and never listed as logs.
    expect((await readdir(dir)).sort()).toEqual(['wf_1.jsonl', 'wf_2.jsonl']);
  });

  it('recovers the lock of a dead process', async () => {
    const dir = await directory();
    // A pid far above any pid_max: no such process.
    await writeFile(join(dir, 'wf_1.jsonl.lock'), JSON.stringify({ pid: 2 ** 30, host: hostname(), startedAt: 1, token: 'dead' }));
    const storage = new FsJournalStorage({ directory: dir });
    await storage.append('wf_1', '{}');
    storage.close('wf_1');
    expect(await storage.read('wf_1')).toBe('{}\n');
  });

  it('makes a second orchestrator on the same workspace refuse to run a workflow id the first is running', async () => {
    const workspacePath = await directory();
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let called = (): void => undefined;
    const calling = new Promise<void>((resolve) => (called = resolve));
    // Every call waits for the gate: the first run stays under way until the test opens it.
    const slow: ModelProvider = {
      name: 'slow',
      complete: async (request) => {
        called();
        await gate;
        return { text: 'done', toolCalls: [], usage: EMPTY_USAGE, model: request.model, stopReason: 'end_turn' };
      },
    };
    const a = new Orchestrator({ provider: slow, workspacePath, enableThinkingAgents: false });
    const b = new Orchestrator({ provider: slow, workspacePath, enableThinkingAgents: false });
    try {
      const tasks = [{ agentId: 'solo', taskDescription: 'Wait' }];
      const running = a.executeWorkflow({ workflowId: 'wf_shared', tasks });
      await calling; // the first run is under way: its journal is open
      await expect(b.executeWorkflow({ workflowId: 'wf_shared', tasks })).rejects.toMatchObject({ code: 'WORKFLOW_RUNNING' });
      release();
      expect((await running).status).toBe('succeeded');
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()]);
    }
  });
});
