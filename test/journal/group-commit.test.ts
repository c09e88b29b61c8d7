/**
 * Group commit: lines appended while a journal write is in flight go to the
 * storage together, as one write, and every append still resolves only once
 * its own line is durable.
 */
import { describe, expect, it } from 'vitest';
import { MemoryJournalStorage, parseJournal, WorkflowJournals } from '../../src/index.js';
import type { JournalStorage } from '../../src/index.js';

/** A storage that records each write's lines and, with `failAt`, fails that write. */
function countingStorage(inner: MemoryJournalStorage, options: { failAt?: number; batches?: boolean } = {}) {
  const writes: string[][] = [];
  const write = async (id: string, lines: readonly string[]): Promise<void> => {
    writes.push([...lines]);
    // A turn of the event loop, as a networked storage takes: appends meanwhile queue up.
    await new Promise((resolve) => setImmediate(resolve));
    if (writes.length === options.failAt) throw new Error('disk full');
    for (const line of lines) await inner.append(id, line);
  };
  const storage: JournalStorage = {
    append: (id, line) => write(id, [line]),
    ...(options.batches === false ? {} : { appendMany: write }),
    read: (id) => inner.read(id),
    list: () => inner.list(),
    close: () => undefined,
  };
  return { storage, writes };
}

const entry = (i: number) => ({ type: 'task.started' as const, agentId: `a${i}`, attempt: 1 });

describe('journal group commit', () => {
  it('writes the lines appended together, and those that arrive during a write, as one batch each, in sequence order', async () => {
    const inner = new MemoryJournalStorage();
    const { storage, writes } = countingStorage(inner);
    const run = new WorkflowJournals({ storage, now: () => 1 }).open('wf_g');
    const durable: boolean[] = [];
    const append = async (i: number): Promise<void> => {
      await run.append(entry(i));
      // Resolved only once its own line is in the storage.
      durable.push(((await inner.read('wf_g')) ?? '').includes(`"agentId":"a${i}"`));
    };
    const first = Array.from({ length: 10 }, (_, i) => append(i));
    await Promise.resolve(); // the first batch's write has started
    await Promise.resolve();
    expect(writes).toHaveLength(1);
    const second = Array.from({ length: 40 }, (_, i) => append(10 + i));
    await Promise.all([...first, ...second]);
    expect(durable).toEqual(Array.from({ length: 50 }, () => true));
    expect(writes.map((lines) => lines.length)).toEqual([10, 40]);
    const { records } = parseJournal('wf_g', (await inner.read('wf_g')) ?? '');
    expect(records.map((record) => record.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('appends one by one to a storage without appendMany', async () => {
    const inner = new MemoryJournalStorage();
    const { storage, writes } = countingStorage(inner, { batches: false });
    const run = new WorkflowJournals({ storage, now: () => 1 }).open('wf_s');
    await Promise.all(Array.from({ length: 5 }, (_, i) => run.append(entry(i))));
    expect(writes.map((lines) => lines.length)).toEqual([1, 1, 1, 1, 1]);
    expect(parseJournal('wf_s', (await inner.read('wf_s')) ?? '').records).toHaveLength(5);
  });

  it('fails every append of a failed batch and refuses later ones', async () => {
    const inner = new MemoryJournalStorage();
    const { storage, writes } = countingStorage(inner, { failAt: 2 });
    const run = new WorkflowJournals({ storage, now: () => 1 }).open('wf_f');
    const first = Promise.allSettled(Array.from({ length: 3 }, (_, i) => run.append(entry(i))));
    await Promise.resolve();
    await Promise.resolve();
    const second = Promise.allSettled(Array.from({ length: 4 }, (_, i) => run.append(entry(3 + i))));
    const outcomes = [...(await first), ...(await second)].map((outcome) => outcome.status);
    expect(writes.map((lines) => lines.length)).toEqual([3, 4]);
    expect(outcomes).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'rejected']);
    await expect(run.append(entry(10))).rejects.toThrow('disk full');
    expect(parseJournal('wf_f', (await inner.read('wf_f')) ?? '').records).toHaveLength(3);
  });
});
