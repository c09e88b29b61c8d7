import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import superjson from 'superjson';
import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { journalsFromSetting, parseJournal } from '../../src/journal/index.js';
import type { JournalRecord } from '../../src/index.js';
import { FsJournalStorage } from '../../src/index.js';
import { MemoryJournalStorage } from '../../src/index.js';
import type { JournalStorage } from '../../src/index.js';
import { hashModelRequest } from '../../src/index.js';
import { ConfigError } from '../../src/index.js';
import { EMPTY_USAGE } from '../../src/index.js';
import type { TaskResult } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { REDACTED } from '../../src/index.js';
import { deterministicModel } from '../support/journal-fixtures.js';

const orchestrators: Orchestrator[] = [];
const directories: string[] = [];
function orchestrator(config: ConstructorParameters<typeof Orchestrator>[0]): Orchestrator {
  const created = new Orchestrator(config);
  orchestrators.push(created);
  return created;
}
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-journal-'));
  directories.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(orchestrators.splice(0).map((o) => o.shutdown()));
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const TWO_TASKS = [
  { agentId: 'researcher', taskDescription: 'Research the market' },
  {
    agentId: 'writer',
    taskDescription: 'Write the report',
    dependencies: ['researcher'],
    condition: (results: Readonly<Record<string, { confidence: number | null }>>) => (results.researcher?.confidence ?? 0) > 0.5,
  },
];

async function records(storage: JournalStorage, workflowId: string): Promise<JournalRecord[]> {
  return [...parseJournal(workflowId, (await storage.read(workflowId)) ?? '').records];
}

describe('the workflow journal', () => {
  it('records a run in order: start, task starts, model calls, condition decisions, results, end', async () => {
    const storage = new MemoryJournalStorage();
    const o = orchestrator({ provider: deterministicModel(), journal: { storage } });
    const run = await o.executeWorkflow({ tasks: TWO_TASKS });
    const journal = (await records(storage, run.workflowId));
    const types = journal.map((r) => r.type);
    expect(types[0]).toBe('workflow.started');
    expect(types.at(-1)).toBe('workflow.finished');
    expect(journal.map((r) => r.seq)).toEqual(journal.map((_, index) => index + 1));
    const started = journal[0];
    expect(started?.type === 'workflow.started' && started.tasks.map((t) => [t.agentId, t.hasCondition])).toEqual([
      ['researcher', false],
      ['writer', true],
    ]);
    const writerStart = types.indexOf('task.started', types.indexOf('task.finished'));
    expect(journal.filter((r) => r.type === 'model.call').map((r) => r.type === 'model.call' && `${r.agentId}:${r.purpose}`)).toEqual([
      'researcher:thinking',
      'researcher:acting',
      'researcher:reflecting',
      'writer:thinking',
      'writer:acting',
      'writer:reflecting',
    ]);
    expect(journal.find((r) => r.type === 'condition.decided')).toMatchObject({ agentId: 'writer', proceed: true });
    // The researcher's result is journaled before the writer starts.
    expect(types.indexOf('task.finished')).toBeLessThan(writerStart);
    const finished = journal.at(-1);
    expect(finished?.type === 'workflow.finished' && finished.result.results.writer?.output).toBe(run.results.writer?.output);
  });

  it('stores each model request without its signal, with a hash of the request for replay checks', async () => {
    const storage = new MemoryJournalStorage();
    const model = deterministicModel();
    const o = orchestrator({ provider: model, journal: { storage } });
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'solo', taskDescription: 'Answer briefly' }] });
    const calls = (await records(storage, run.workflowId)).filter((r) => r.type === 'model.call');
    expect(calls).toHaveLength(model.requests.length);
    calls.forEach((call, index) => {
      if (call.type !== 'model.call') throw new Error('not a model call');
      const sent = model.requests[index];
      if (!sent) throw new Error('no request');
      expect(sent.signal).toBeInstanceOf(AbortSignal);
      expect('signal' in call.request).toBe(false);
      expect(call.requestHash).toBe(hashModelRequest(sent));
      expect(call.callKey).toMatch(new RegExp(`^${run.workflowId}/solo#1#1/\\d:`));
      expect(call.relativeKey).toBe(call.callKey?.slice(run.workflowId.length));
      expect(call.response.text).toBeTypeOf('string');
    });
  });

  it('writes superjson lines to <workspacePath>/journals/<workflowId>.jsonl, and nothing before a workflow runs', async () => {
    const workspacePath = tempDir();
    const o = orchestrator({ provider: deterministicModel(), workspacePath });
    await o.executeTask({ agentId: 'one_off', taskDescription: 'Not a workflow' });
    expect(existsSync(join(workspacePath, 'journals'))).toBe(false);
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'solo', taskDescription: 'Answer' }] });
    const text = readFileSync(join(workspacePath, 'journals', `${run.workflowId}.jsonl`), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(7);
    for (const line of lines) expect(superjson.parse<{ type: string }>(line).type).toBeTypeOf('string');
  });

  it('keeps workflow ids inside the journal directory', async () => {
    const workspacePath = tempDir();
    const o = orchestrator({ provider: deterministicModel(), workspacePath });
    await o.executeWorkflow({ tasks: [{ agentId: 'solo', taskDescription: 'Answer' }], workflowId: '../escape/attempt' });
    expect(existsSync(join(workspacePath, 'escape'))).toBe(false);
    expect((await o.listWorkflows()).map((run) => run.workflowId)).toEqual(['../escape/attempt']);
  });

  it('ignores a torn last line and skips an undecodable one without failing', () => {
    const good = superjson.stringify({ seq: 1, at: 1, type: 'task.started', agentId: 'a', attempt: 1 });
    const reading = parseJournal('wf', `${good}\nnot json at all\n${good}\n{"json":{"seq":4,"ty`);
    expect(reading.records).toHaveLength(2);
    expect(reading.skippedLines).toEqual([2]);
    expect(reading.tornTail).toBe(true);
  });

  it('holds prompts but never an API key, even one pasted into a task and echoed by the model', async () => {
    const key = 'sk-journal-test-KEY-0123456789abcdef';
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = key;
    try {
      const storage = new MemoryJournalStorage();
      const model = createScriptedProvider({ fallback: (request) => ({ text: JSON.stringify(request.messages).includes(key) ? `Rotated ${key}` : 'no key' }) });
      const o = orchestrator({ provider: model, journal: { storage }, enableThinkingAgents: false });
      const run = await o.executeWorkflow({ tasks: [{ agentId: 'solo', taskDescription: `Rotate the key ${key} today` }] });
      expect(run.results.solo?.output).toBe(`Rotated ${key}`); // the run itself had the key
      const text = (await storage.read(run.workflowId)) ?? '';
      expect(text).toContain(`Rotate the key ${REDACTED} today`);
      expect(text).toContain(`Rotated ${REDACTED}`);
      expect(text).not.toContain(key);
      expect(parseJournal(run.workflowId, text).skippedLines).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });

  it('cuts a key set in the orchestrator config (anthropic.apiKey) out of a run\'s journal', async () => {
    const key = 'sk-ant-config-KEY-0123456789abcdef';
    const storage = new MemoryJournalStorage();
    const model = createScriptedProvider({ fallback: () => ({ text: `echo ${key}` }) });
    const o = orchestrator({ provider: model, anthropic: { apiKey: key }, journal: { storage }, enableThinkingAgents: false });
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'solo', taskDescription: `Use ${key}` }] });
    const text = (await storage.read(run.workflowId)) ?? '';
    expect(text).toContain(`echo ${REDACTED}`);
    expect(text).not.toContain(key);
    // The run's stored summary (what listing reads) is cut the same way.
    expect((await storage.readSummary(run.workflowId)) ?? '').toContain(`echo ${REDACTED}`);
    expect(JSON.stringify(await o.getWorkflow(run.workflowId))).not.toContain(key);
  });

  it('cuts the configured keys it is given out of every line', async () => {
    const key = 'sk-configured-KEY-0123456789abcdef';
    const journals = journalsFromSetting({ storage: 'memory' }, tempDir(), () => 1, [key, undefined]);
    const run = journals?.open('wf_keys');
    const result: TaskResult = { agentId: 'a', status: 'succeeded', output: `uses ${key}`, confidence: null, attempts: 1, costCents: 0, usage: EMPTY_USAGE, startedAt: 0, finishedAt: 1, durationSeconds: 0, alternatives: [], simulated: false };
    await run?.append({ type: 'task.finished', agentId: 'a', result });
    const text = (await journals?.storage.read('wf_keys')) ?? '';
    expect(text).toContain(`uses ${REDACTED}`);
    expect(text).not.toContain(key);
  });

  it('skips decodable lines of the wrong shape when listing, and resume refuses them with JOURNAL_CORRUPT', async () => {
    const storage = new MemoryJournalStorage();
    const o = orchestrator({ provider: deterministicModel(), journal: { storage } });
    const run = await o.executeWorkflow({ tasks: TWO_TASKS });
    const lines = ((await storage.read(run.workflowId)) ?? '').split('\n');
    const cut = lines.findIndex((line) => line.includes('"type":"task.started"') && line.includes('"writer"'));
    const damaged = [
      superjson.stringify({ seq: 90, at: 1, type: 'task.finished', agentId: 'writer', result: {} }),
      superjson.stringify({ seq: 91, at: 1, type: 'workflow.started', workflowId: 'wf_damaged', tasks: [null], options: {} }),
    ];
    storage.setRaw('wf_damaged', `${[...lines.slice(0, cut + 1), ...damaged].join('\n')}\n`);

    const reading = parseJournal('wf_damaged', (await storage.read('wf_damaged')) ?? '');
    expect(reading.skippedLines).toEqual([cut + 2, cut + 3]);
    expect((await o.getWorkflow('wf_damaged'))).toMatchObject({ status: 'interrupted', tasks: { researcher: 'succeeded', writer: 'running' } });
    expect((await o.listWorkflows())).toHaveLength(2);
    await expect(o.resumeWorkflow({ workflowId: 'wf_damaged', tasks: TWO_TASKS })).rejects.toMatchObject({
      code: 'JOURNAL_CORRUPT',
      details: { line: cut + 2, field: 'result.agentId' },
    });
  });

  it('cuts a torn last line off before appending again, so no line is glued to a fragment', async () => {
    const directory = tempDir();
    writeFileSync(join(directory, 'wf.jsonl'), 'first\nsecond\n{"json":{"half');
    const storage = new FsJournalStorage({ directory, fsync: true });
    await storage.append('wf', 'third');
    storage.close('wf');
    expect(readFileSync(join(directory, 'wf.jsonl'), 'utf8')).toBe('first\nsecond\nthird\n');
    const memory = new MemoryJournalStorage();
    memory.setRaw('wf', 'first\n{"json"');
    await memory.append('wf', 'second');
    expect(await memory.read('wf')).toBe('first\nsecond\n');
  });

  it('reads runs back: id, status, start and end, task statuses and cost', async () => {
    const storage = new MemoryJournalStorage();
    const o = orchestrator({ provider: deterministicModel(), journal: { storage } });
    const run = await o.executeWorkflow({ tasks: TWO_TASKS });
    // A second journal cut after the researcher finished: the process died there.
    const lines = ((await storage.read(run.workflowId)) ?? '').split('\n');
    const cut = lines.findIndex((line) => line.includes('"type":"task.started"') && line.includes('"writer"'));
    storage.setRaw('wf_cut', `${lines.slice(0, cut + 2).join('\n')}\n`);

    const record = (await o.getWorkflow(run.workflowId));
    expect(record).toMatchObject({
      workflowId: run.workflowId,
      status: 'succeeded',
      tasks: { researcher: 'succeeded', writer: 'succeeded' },
      totalCostCents: run.totalCostCents,
      modelCalls: 6,
    });
    expect(record?.finishedAt).toBeGreaterThanOrEqual(record?.startedAt ?? Infinity);
    const interrupted = (await o.getWorkflow('wf_cut'));
    expect(interrupted).toMatchObject({ status: 'interrupted', finishedAt: null, tasks: { researcher: 'succeeded', writer: 'running' } });
    expect(interrupted?.totalCostCents).toBeCloseTo(run.results.researcher?.costCents ?? -1, 10);
    expect((await o.listWorkflows()).map((r) => r.workflowId).sort()).toEqual([run.workflowId, 'wf_cut'].sort());
    expect((await o.getWorkflow('wf_unknown'))).toBeUndefined();
  });

  it('records nothing with journal: false, and says so when asked for runs', async () => {
    const workspacePath = tempDir();
    const o = orchestrator({ provider: deterministicModel(), workspacePath, journal: false });
    await o.executeWorkflow({ tasks: [{ agentId: 'solo', taskDescription: 'Answer' }] });
    expect(existsSync(join(workspacePath, 'journals'))).toBe(false);
    await expect(o.listWorkflows()).rejects.toThrow(ConfigError);
  });

  it('cancels a run whose journal cannot be written, since it could not be resumed', async () => {
    const inner = new MemoryJournalStorage();
    let appends = 0;
    const failing: JournalStorage = {
      append: async (id, line) => {
        if (++appends > 3) throw new Error('disk full');
        await inner.append(id, line);
      },
      read: (id) => inner.read(id),
      list: () => inner.list(),
      close: () => undefined,
    };
    const o = orchestrator({ provider: deterministicModel(), journal: { storage: failing } });
    const run = await o.executeWorkflow({ tasks: TWO_TASKS });
    expect(run.status).toBe('cancelled');
    expect(Object.values(run.results).some((r) => r.reason?.includes('disk full'))).toBe(true);
  });
});
