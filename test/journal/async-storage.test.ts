import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { parseJournal } from '../../src/index.js';
import { MemoryJournalStorage } from '../../src/index.js';
import type { JournalStorage } from '../../src/index.js';
import { deterministicModel } from '../support/journal-fixtures.js';

/** A storage that answers every call a few turns of the event loop later, as a networked one does. */
function laggingStorage(inner: MemoryJournalStorage, writes: string[]): JournalStorage {
  const later = () => new Promise((resolve) => setImmediate(resolve));
  return {
    append: async (id, line) => {
      await later();
      writes.push(line);
      await inner.append(id, line);
    },
    read: async (id) => {
      await later();
      return inner.read(id);
    },
    list: async () => {
      await later();
      return inner.list();
    },
    close: () => undefined,
  };
}

const open: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.shutdown()));
});

describe('an async journal storage', () => {
  it('receives a run\'s lines in sequence order, each model response before the agent moves on', async () => {
    const inner = new MemoryJournalStorage();
    const writes: string[] = [];
    const o = new Orchestrator({ provider: deterministicModel(), journal: { storage: laggingStorage(inner, writes) } });
    open.push(o);
    const tasks = Array.from({ length: 6 }, (_, i) => ({
      agentId: `t${i}`,
      taskDescription: `step ${i}`,
      ...(i > 1 ? { dependencies: [`t${i - 1}`, `t${i - 2}`] } : {}),
    }));
    const run = await o.executeWorkflow({ tasks });
    expect(run.status).toBe('succeeded');
    const { records, malformedLines } = parseJournal(run.workflowId, (await inner.read(run.workflowId)) ?? '');
    expect(malformedLines).toEqual([]);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect(records.at(-1)?.type).toBe('workflow.finished');
    // Each task's model calls are journaled before the task's result.
    for (const task of tasks) {
      const finished = records.findIndex((r) => r.type === 'task.finished' && r.agentId === task.agentId);
      const calls = records.flatMap((r, i) => (r.type === 'model.call' && r.agentId === task.agentId ? [i] : []));
      expect(calls.length).toBeGreaterThan(0);
      expect(Math.max(...calls)).toBeLessThan(finished);
    }
    const listed = await o.getWorkflow(run.workflowId);
    expect(listed?.status).toBe('succeeded');
    expect(writes.length).toBe(records.length);
  });
});
