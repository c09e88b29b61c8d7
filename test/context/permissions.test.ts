import { afterEach, describe, expect, it } from 'vitest';
import { ArtifactNotFoundError, ConfigError, PermissionDeniedError } from '../../src/index.js';
import type { ArtifactOperation } from '../../src/index.js';
import { MemoryArtifactStorage } from '../../src/index.js';
import { SharedContextStore } from '../../src/index.js';
import { PermissionTable } from '../../src/index.js';
import type { AgentPermissions } from '../../src/context/index.js';

describe('PermissionTable: who may do what', () => {
  const table = new PermissionTable({
    agentPermissions: {
      '*': ['read'],
      'analyst_*': ['read', 'write'],
      'analyst_senior_*': ['read', 'write', 'delete'],
      analyst_intern: [],
      '*_bot': ['write'],
      'x*': ['delete'],
    },
  });

  it('lets an exact agent id beat every pattern that matches it', () => {
    expect(table.operationsOf('analyst_intern')).toEqual([]);
    expect(table.decidingEntry('analyst_intern')).toBe('analyst_intern');
  });

  it('among matching patterns, lets the longest literal part win', () => {
    expect(table.operationsOf('analyst_senior_ann')).toEqual(['read', 'write', 'delete']);
    expect(table.operationsOf('analyst_bob')).toEqual(['read', 'write']);
    expect(table.operationsOf('reviewer')).toEqual(['read']);
    expect(table.decidingEntry('reviewer')).toBe('*');
  });

  it('breaks a tie between equally specific patterns by the order they are listed in', () => {
    // 'x_bot' matches 'x*' (listed first, 1 literal character) and '*_bot' (4): specificity beats order.
    expect(table.decidingEntry('x_bot')).toBe('*_bot');
    const tied = new PermissionTable({ agentPermissions: { 'a*': ['read'], '*a': ['write'] } });
    expect(tied.operationsOf('aa')).toEqual(['read']);
    const reversed = new PermissionTable({ agentPermissions: { '*a': ['write'], 'a*': ['read'] } });
    expect(reversed.operationsOf('aa')).toEqual(['write']);
  });

  it('lets "*" match any run of characters, including none, and nothing else be special', () => {
    const patterns = new PermissionTable({ agentPermissions: { 'a*b': ['read'], 'c.d': ['write'] } });
    expect(patterns.allows('ab', 'read')).toBe(true);
    expect(patterns.allows('a-anything-b', 'read')).toBe(true);
    expect(patterns.allows('a-b-c', 'read')).toBe(false);
    expect(patterns.allows('c.d', 'write')).toBe(true);
    expect(patterns.allows('cxd', 'write')).toBe(false);
  });

  it('gives an agent matched by nothing the defaultPermissions, which default to none', () => {
    const none = new PermissionTable({ agentPermissions: { reviewer: ['read'] } });
    expect(none.operationsOf('stranger')).toEqual([]);
    expect(none.decidingEntry('stranger')).toBeUndefined();
    const readers = new PermissionTable({ agentPermissions: { reviewer: ['read'] }, defaultPermissions: ['read', 'write'] });
    expect(readers.operationsOf('stranger')).toEqual(['read', 'write']);
    expect(readers.operationsOf('reviewer')).toEqual(['read']);
  });

  it('rejects unknown operations and empty keys with a ConfigError naming the entry', () => {
    // As it would arrive from a JSON config file.
    const fromJson: AgentPermissions = JSON.parse('{ "writer": ["read", "admin"] }');
    expect(() => new PermissionTable({ agentPermissions: fromJson })).toThrow(ConfigError);
    expect(() => new PermissionTable({ agentPermissions: fromJson })).toThrow(/agentPermissions\.writer.*"admin"/);
    expect(() => new PermissionTable({ agentPermissions: { '': ['read'] } })).toThrow(ConfigError);
  });
});

/** The store under test: every agent below resolves through a different rule. */
const AGENT_PERMISSIONS: AgentPermissions = {
  supervisor: ['read', 'write', 'delete'],
  reviewer: ['read'],
  'analyst_*': ['read', 'write'],
  'analyst_lead_*': ['read', 'write', 'delete'],
  analyst_intern: [],
  '*_bot': ['write'],
};

type Operation = 'get' | 'listVersions' | 'list' | 'store' | 'delete';
const OPERATIONS: readonly Operation[] = ['get', 'listVersions', 'list', 'store', 'delete'];
const NEEDS: Record<Operation, ArtifactOperation> = {
  get: 'read',
  listVersions: 'read',
  list: 'read',
  store: 'write',
  delete: 'delete',
};

/** Expected permissions per agent, with no defaults and with read as the default. */
const MATRIX: ReadonlyArray<{ agent: string; none: ArtifactOperation[]; readDefault: ArtifactOperation[] }> = [
  { agent: 'supervisor', none: ['read', 'write', 'delete'], readDefault: ['read', 'write', 'delete'] },
  { agent: 'reviewer', none: ['read'], readDefault: ['read'] },
  { agent: 'analyst_ann', none: ['read', 'write'], readDefault: ['read', 'write'] },
  { agent: 'analyst_lead_bo', none: ['read', 'write', 'delete'], readDefault: ['read', 'write', 'delete'] },
  { agent: 'analyst_intern', none: [], readDefault: [] },
  { agent: 'build_bot', none: ['write'], readDefault: ['write'] },
  { agent: 'stranger', none: [], readDefault: ['read'] },
];

const stores: SharedContextStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

async function seededStore(defaultPermissions: readonly ArtifactOperation[] | undefined) {
  const storage = new MemoryArtifactStorage();
  const store = new SharedContextStore({
    storage,
    agentPermissions: AGENT_PERMISSIONS,
    ...(defaultPermissions ? { defaultPermissions } : {}),
  });
  stores.push(store);
  await store.storeArtifact({ artifactId: 'report', content: 'original', agentId: 'supervisor' });
  return { store, storage };
}

function run(store: SharedContextStore, operation: Operation, agentId: string): Promise<unknown> {
  switch (operation) {
    case 'get':
      return store.getArtifact({ artifactId: 'report', agentId });
    case 'listVersions':
      return store.listVersions({ artifactId: 'report', agentId });
    case 'list':
      return store.listArtifacts({ agentId });
    case 'store':
      return store.storeArtifact({ artifactId: 'report', content: `by ${agentId}`, agentId });
    case 'delete':
      return store.deleteArtifact({ artifactId: 'report', agentId });
  }
}

describe.each([
  { label: 'no defaultPermissions', defaults: undefined, column: 'none' as const },
  { label: "defaultPermissions ['read']", defaults: ['read'] as const, column: 'readDefault' as const },
])('SharedContextStore permission matrix, $label', ({ defaults, column }) => {
  const cases = MATRIX.flatMap((row) =>
    OPERATIONS.map((operation) => ({ agent: row.agent, operation, allowed: row[column].includes(NEEDS[operation]) })),
  );

  it.each(cases)('$agent $operation → allowed: $allowed', async ({ agent, operation, allowed }) => {
    const { store, storage } = await seededStore(defaults);
    const outcome = await run(store, operation, agent).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const record = await storage.get('report');
    if (allowed) {
      expect(outcome.ok).toBe(true);
      if (operation === 'store') expect(record?.version).toBe(2);
      if (operation === 'delete') expect(record).toBeUndefined();
      return;
    }
    expect(outcome.ok).toBe(false);
    const error = outcome.ok ? undefined : outcome.error;
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { agentId: agent, operation: NEEDS[operation], artifactId: operation === 'list' ? '*' : 'report' },
    });
    // A refusal changes nothing: same version, same content, same lineage.
    expect(record?.version).toBe(1);
    expect(record?.modifications).toHaveLength(1);
    const check = await store.getArtifact({ artifactId: 'report', agentId: 'supervisor' });
    expect(check.content).toBe('original');
  });
});

describe('SharedContextStore permissions: refusals', () => {
  it('checks permission before existence, so a refused agent learns nothing', async () => {
    const { store } = await seededStore(undefined);
    await expect(store.getArtifact({ artifactId: 'missing', agentId: 'stranger' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(store.getArtifact({ artifactId: 'missing', agentId: 'reviewer' })).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });

  it('does not create an artifact for a refused writer, even with expectedVersion 0', async () => {
    const { store, storage } = await seededStore(undefined);
    await expect(
      store.storeArtifact({ artifactId: 'fresh', content: 1, agentId: 'reviewer', expectedVersion: 0 }),
    ).rejects.toThrow('Agent "reviewer" may not write artifact "fresh"');
    expect(await storage.get('fresh')).toBeUndefined();
  });
});
