import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsJournalStorage } from '../../src/index.js';

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
