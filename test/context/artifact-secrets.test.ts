/**
 * A model that saw the key writes it into a shared artifact: as content, as a
 * tag, as an object key and as the artifact's id (a directory name on disk).
 * Nothing in the workspace may hold the key afterwards, and the agent can still
 * read back what it wrote by the id it chose.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { SharedContextStore } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ModelRequest } from '../../src/index.js';
import { REDACTED_ID_PART } from '../../src/context/index.js';

const KEY = 'sk-ant-artifact-5ecret.KEY-0123456789abcdef';

/** Every path and file under `dir`, concatenated. */
function filesUnder(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    text += `${path}\n${statSync(path).isDirectory() ? filesUnder(path) : readFileSync(path, 'utf8')}\n`;
  }
  return text;
}

const lastMessage = (request: ModelRequest): string => JSON.stringify(request.messages[request.messages.length - 1]);

let workspace: string;
let orchestrator: Orchestrator | undefined;
let store: SharedContextStore | undefined;
beforeEach(() => {
  vi.stubEnv('ANTHROPIC_API_KEY', '');
  vi.stubEnv('OPENAI_API_KEY', '');
  workspace = mkdtempSync(join(tmpdir(), 'troupe-artifact-secrets-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await orchestrator?.shutdown();
  await store?.close();
  orchestrator = undefined;
  store = undefined;
  rmSync(workspace, { recursive: true, force: true });
});

describe('artifacts written by agents', () => {
  it('hold no configured key on disk: not in content, metadata, object keys or the id', async () => {
    const artifactId = `notes-${KEY}`;
    const content = { note: `the key is ${KEY}`, [KEY]: [KEY, { deeper: `x${KEY}y`, at: new Date(1) }], when: new Date(0), seen: new Map([[KEY, new Set([KEY])]]) };
    let readBack = '';
    const model = createScriptedProvider({
      fallback: (request) => {
        const last = lastMessage(request);
        if (last.includes('"toolUseId":"r1"')) {
          readBack = last;
          return { text: 'done' };
        }
        if (last.includes('"toolUseId":"w1"')) return { toolCalls: [{ id: 'r1', name: 'read_artifact', input: { artifactId } }] };
        return { toolCalls: [{ id: 'w1', name: 'write_artifact', input: { artifactId, content, tags: [`tag-${KEY}`] } }] };
      },
    });
    orchestrator = new Orchestrator({
      provider: model,
      anthropic: { apiKey: KEY },
      workspacePath: workspace,
      journal: true,
      enableThinkingAgents: false,
      enableSharedContext: true,
      agentPermissions: { writer: ['read', 'write'] },
    });
    orchestrator.registerTemplate('writer', { sharedContextAccess: true, enableSelfReflection: false });
    const result = await orchestrator.executeWorkflow({ tasks: [{ agentId: 'writer', template: 'writer', taskDescription: 'Write notes' }] });
    expect(result.status).toBe('succeeded');

    // The agent read its artifact back by the id it wrote, and got the scrubbed content.
    expect(readBack).toContain('the key is [redacted]');
    const storedId = `notes-${REDACTED_ID_PART}`;
    const artifact = await orchestrator.context?.getArtifact({ artifactId: storedId, agentId: 'writer' });
    expect(artifact?.artifactId).toBe(storedId);
    expect(artifact?.content).toEqual({
      note: 'the key is [redacted]',
      '[redacted]': ['[redacted]', { deeper: 'x[redacted]y', at: new Date(1) }],
      when: new Date(0),
      seen: new Map([['[redacted]', new Set(['[redacted]'])]]),
    });
    expect(artifact?.metadata['tags']).toEqual(['tag-[redacted]']);
    await orchestrator.shutdown();
    orchestrator = undefined;

    const onDisk = filesUnder(workspace);
    expect(onDisk).toContain(storedId); // the artifact is there, under its scrubbed id
    expect(onDisk).not.toContain(KEY);
    expect(onDisk).not.toContain(KEY.replace('.', '\\.'));
  });

  it('scrub the environment keys in a standalone store too, and reads by the original id find the write', async () => {
    vi.stubEnv('OPENAI_API_KEY', KEY);
    store = new SharedContextStore({ workspacePath: workspace, agentPermissions: { a: ['read', 'write', 'delete'] } });
    const receipt = await store.storeArtifact({ artifactId: `id.${KEY}`, content: `secret ${KEY}`, agentId: 'a', metadata: { by: KEY } });
    expect(receipt.artifactId).toBe(`id.${REDACTED_ID_PART}`);
    const read = await store.getArtifact({ artifactId: `id.${KEY}`, agentId: 'a' });
    expect(read.content).toBe('secret [redacted]');
    expect(read.metadata).toEqual({ by: '[redacted]' });
    expect((await store.listVersions({ artifactId: `id.${KEY}`, agentId: 'a' })).map((v) => v.version)).toEqual([1]);
    await store.close();
    store = undefined;
    expect(filesUnder(workspace)).not.toContain(KEY);
  });
});
