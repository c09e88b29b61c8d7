/**
 * Journal lines that decode but hold wrongly shaped fields are corrupt:
 * resume and replay refuse them with JOURNAL_CORRUPT naming the line and the
 * field, instead of raw TypeErrors or impossible results; listing skips them.
 */
import superjson from 'superjson';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalCorruptError } from '../../src/index.js';
import { MemoryJournalStorage } from '../../src/index.js';
import { parseJournal, WorkflowJournals } from '../../src/index.js';
import { EMPTY_USAGE } from '../../src/index.js';
import { Orchestrator } from '../../src/index.js';
import { deterministicModel } from '../support/journal-fixtures.js';

const TASKS = [
  { agentId: 'researcher', taskDescription: 'Research the market' },
  { agentId: 'writer', taskDescription: 'Write the report', dependencies: ['researcher'] },
];

const orchestrators: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(orchestrators.splice(0).map((o) => o.shutdown()));
});

/** A finished run and an orchestrator over the same memory journals. */
async function recordedRun(): Promise<{ o: Orchestrator; storage: MemoryJournalStorage; lines: string[]; workflowId: string }> {
  const storage = new MemoryJournalStorage();
  const o = new Orchestrator({ provider: deterministicModel(), journal: { storage } });
  orchestrators.push(o);
  const run = await o.executeWorkflow({ tasks: TASKS });
  return { o, storage, lines: ((await storage.read(run.workflowId)) ?? '').trimEnd().split('\n'), workflowId: run.workflowId };
}

type Mutation = (record: Record<string, unknown>) => void;

function nested(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const inner: unknown = record[key];
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw new Error(`no object at ${key}`);
  return Object.fromEntries(Object.entries(inner));
}

/** Each bad shape: which line to damage, how, and the field the error must name. */
const BAD_SHAPES: ReadonlyArray<{ name: string; line: (text: string) => boolean; mutate: Mutation; field: string }> = [
  {
    name: 'a task result without usage',
    line: (text) => text.includes('"task.finished"') && text.includes('"researcher"'),
    mutate: (record) => {
      const { usage: _usage, ...result } = nested(record, 'result');
      record['result'] = result;
    },
    field: 'result.usage',
  },
  {
    name: 'a task output that is a number',
    line: (text) => text.includes('"task.finished"') && text.includes('"researcher"'),
    mutate: (record) => {
      record['result'] = { ...nested(record, 'result'), output: 42 };
    },
    field: 'result.output',
  },
  {
    name: 'a task status "bogus"',
    line: (text) => text.includes('"task.finished"') && text.includes('"researcher"'),
    mutate: (record) => {
      record['result'] = { ...nested(record, 'result'), status: 'bogus' };
    },
    field: 'result.status',
  },
  {
    name: 'a task cost NaN',
    line: (text) => text.includes('"task.finished"') && text.includes('"researcher"'),
    mutate: (record) => {
      record['result'] = { ...nested(record, 'result'), costCents: Number.NaN };
    },
    field: 'result.costCents',
  },
  {
    name: 'a model response whose text is an object',
    line: (text) => text.includes('"model.call"'),
    mutate: (record) => {
      record['response'] = { ...nested(record, 'response'), text: { not: 'text' } };
    },
    field: 'response.text',
  },
  {
    name: 'a model call cost of Infinity',
    line: (text) => text.includes('"model.call"'),
    mutate: (record) => {
      record['costCents'] = Number.POSITIVE_INFINITY;
    },
    field: 'costCents',
  },
  {
    name: 'a task attempt that is a string',
    line: (text) => text.includes('"task.started"'),
    mutate: (record) => {
      record['attempt'] = 'first';
    },
    field: 'attempt',
  },
];

/** The lines with the first one matching `line` decoded, mutated and re-encoded; returns its 1-based number. */
function damage(lines: readonly string[], shape: (typeof BAD_SHAPES)[number]): { text: string; lineNumber: number } {
  const index = lines.findIndex(shape.line);
  if (index < 0) throw new Error(`no line for ${shape.name}`);
  const decoded: unknown = superjson.parse(lines[index] ?? '');
  if (typeof decoded !== 'object' || decoded === null) throw new Error('not a record');
  const record: Record<string, unknown> = Object.fromEntries(Object.entries(decoded));
  shape.mutate(record);
  const damaged = [...lines];
  damaged[index] = superjson.stringify(record);
  return { text: `${damaged.join('\n')}\n`, lineNumber: index + 1 };
}

describe('journal records of the wrong shape', () => {
  it.each(BAD_SHAPES)('resume refuses $name with JOURNAL_CORRUPT naming the line and field', async (shape) => {
    const { o, storage, lines } = await recordedRun();
    // Cut before the writer's result: an interrupted run that resume would continue.
    const cut = lines.findIndex((text) => text.includes('"task.started"') && text.includes('"writer"'));
    const { text, lineNumber } = damage(lines.slice(0, cut + 1), shape);
    storage.setRaw('wf_bad', text);

    const error: unknown = await o.resumeWorkflow({ workflowId: 'wf_bad', tasks: TASKS }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect(error).toMatchObject({ code: 'JOURNAL_CORRUPT', details: { source: 'wf_bad', line: lineNumber, field: shape.field } });
    expect(String(error)).toContain(`line ${lineNumber}, field ${shape.field}`);
    // Listing never crashes: the malformed line is skipped and reported.
    await expect(o.listWorkflows()).resolves.toBeDefined();
    expect(parseJournal('wf_bad', text).malformedLines).toEqual([expect.objectContaining({ line: lineNumber, field: shape.field })]);
  });

  it.each(BAD_SHAPES)('replay refuses $name with JOURNAL_CORRUPT naming the line and field', async (shape) => {
    const { o, storage, lines } = await recordedRun();
    const { text, lineNumber } = damage(lines, shape);
    storage.setRaw('wf_bad', text);

    await expect(o.replayWorkflow({ workflowId: 'wf_bad' })).rejects.toMatchObject({
      code: 'JOURNAL_CORRUPT',
      details: { line: lineNumber, field: shape.field },
    });
  });

  it('rejects a finished result whose status is "bogus" instead of returning it', async () => {
    const { o, storage, lines } = await recordedRun();
    const last = lines.length - 1;
    const decoded: unknown = superjson.parse(lines[last] ?? '');
    if (typeof decoded !== 'object' || decoded === null) throw new Error('not a record');
    const record: Record<string, unknown> = Object.fromEntries(Object.entries(decoded));
    record['result'] = { ...nested(record, 'result'), status: 'bogus' };
    storage.setRaw('wf_bad', `${[...lines.slice(0, last), superjson.stringify(record)].join('\n')}\n`);
    await expect(o.resumeWorkflow({ workflowId: 'wf_bad' })).rejects.toMatchObject({
      code: 'JOURNAL_CORRUPT',
      details: { line: lines.length, field: 'result.status' },
    });
  });

  it('still resumes a well-formed journal (the schemas accept what the journal writes)', async () => {
    const { o, storage, lines, workflowId } = await recordedRun();
    const cut = lines.findIndex((text) => text.includes('"task.started"') && text.includes('"writer"'));
    storage.setRaw('wf_cut', `${lines.slice(0, cut + 1).join('\n')}\n`);
    expect(parseJournal(workflowId, `${lines.join('\n')}\n`).malformedLines).toEqual([]);
    const resumed = await o.resumeWorkflow({ workflowId: 'wf_cut', tasks: TASKS });
    expect(resumed.status).toBe('succeeded');
  });

  it('never writes a malformed record: the append fails with JOURNAL_CORRUPT and is remembered as the run\'s failure', async () => {
    const storage = new MemoryJournalStorage();
    const run = new WorkflowJournals({ storage, now: () => 1 }).open('wf_w');
    const result = {
      agentId: 'a', status: 'succeeded' as const, output: 'x', confidence: 1, attempts: 1, costCents: Number.NaN, usage: EMPTY_USAGE,
      startedAt: 1, finishedAt: 2, durationSeconds: 1, alternatives: [], simulated: true,
    };
    let failed: unknown;
    run.onFailure = (error) => (failed = error);
    await expect(run.append({ type: 'task.finished', agentId: 'a', result })).rejects.toThrow(JournalCorruptError);
    expect(failed).toBeInstanceOf(JournalCorruptError);
    expect(String(failed)).toContain('field result.costCents');
    expect((await storage.read('wf_w'))).toBeUndefined();
  });
});
