import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelRequest } from '../../src/index.js';
import { createRecordingProvider } from '../../src/testing.js';
import { createReplayProvider } from '../../src/testing.js';
import { createScriptedProvider } from '../../src/testing.js';

const request: ModelRequest = { model: 'm', maxTokens: 5, messages: [{ role: 'user', content: 'Hi' }] };
const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('scripted provider options', () => {
  it('is named by `name` (default "scripted"), and answers from `fallback` once the queue is empty', async () => {
    expect(createScriptedProvider().name).toBe('scripted');
    const model = createScriptedProvider({ name: 'house', fallback: (_request, index) => ({ text: `fallback #${index}` }) });
    expect(model.name).toBe('house');
    model.enqueue({ text: 'queued' });
    expect((await model.complete(request)).text).toBe('queued');
    expect((await model.complete(request)).text).toBe('fallback #1');
  });

  it('without a fallback, rejects a request nothing was queued for', async () => {
    await expect(createScriptedProvider().complete(request)).rejects.toThrow('no response queued for request #0');
  });
});

describe('replay provider options', () => {
  it("takes the recorded provider's name unless `name` overrides it", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'troupe-cassette-'));
    directories.push(directory);
    const cassettePath = join(directory, 'named.json');
    await createRecordingProvider(createScriptedProvider({ name: 'recorded' }).enqueue({ text: 'one' }), { cassettePath }).complete(request);
    expect(createReplayProvider({ cassettePath }).name).toBe('recorded');
    const renamed = createReplayProvider({ cassettePath, name: 'anthropic' });
    expect(renamed.name).toBe('anthropic');
    expect((await renamed.complete(request)).text).toBe('one');
  });
});
