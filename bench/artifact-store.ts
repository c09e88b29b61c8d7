/**
 * Throughput of the shared context store: `storeArtifact` and `getArtifact`
 * ops/s, each awaited before the next, through the whole path (encode, the
 * context actor's queue and worker, permission and version checks, storage).
 * The fs store (every write fsynced: body file, its directory, the lineage
 * line) is reported against the memory store measured in the same run.
 *
 * Writes rotate over 100 artifacts with the default 10 kept versions, so
 * pruning is part of the measured path; the content is a ~1 KB object.
 *
 * Run: `npx tsx bench/artifact-store.ts`
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SharedContextStore } from '../src/context/store.js';
import type { BenchCase, BenchFigure } from './harness.js';
import { opsPerSecond } from './harness.js';

const ARTIFACTS = 100;
/** The memory store must do thousands of operations a second. */
const MEMORY_TARGET_OPS = 1000;

const content = (i: number) => ({
  step: i,
  at: new Date(1_700_000_000_000 + i),
  findings: Array.from({ length: 8 }, (_, k) => `finding ${k} of step ${i}: ${'detail '.repeat(12)}`),
});

interface Throughput {
  readonly store: number;
  readonly get: number;
}

async function measure(kind: 'memory' | 'fs', writes: number, reads: number): Promise<Throughput> {
  const workspacePath = await mkdtemp(join(tmpdir(), 'troupe-bench-artifacts-'));
  const store = new SharedContextStore({ workspacePath, storage: kind, agentPermissions: { '*': ['read', 'write'] } });
  try {
    const id = (i: number) => `artifact-${i % ARTIFACTS}`;
    // Warm up (JIT, first-write directory creation) outside the measured runs.
    await opsPerSecond(ARTIFACTS, (i) => store.storeArtifact({ artifactId: id(i), content: content(i), agentId: 'bench' }));
    const storeOps = await opsPerSecond(writes, (i) =>
      store.storeArtifact({ artifactId: id(i), content: content(i), agentId: 'bench' }),
    );
    const getOps = await opsPerSecond(reads, (i) => store.getArtifact({ artifactId: id(i), agentId: 'bench' }));
    return { store: storeOps, get: getOps };
  } finally {
    await store.close();
    await rm(workspacePath, { recursive: true, force: true });
  }
}

const round = (value: number): number => Math.round(value);

const artifactStore: BenchCase = async ({ quick }) => {
  const memory = await measure('memory', quick ? 500 : 20_000, quick ? 500 : 20_000);
  const fs = await measure('fs', quick ? 60 : 2_000, quick ? 200 : 5_000);
  const figures: BenchFigure[] = [
    {
      case: 'artifact-store/memory',
      metric: 'store ops/s',
      value: round(memory.store),
      unit: 'ops/s',
      target: `>= ${MEMORY_TARGET_OPS} ops/s`,
      met: memory.store >= MEMORY_TARGET_OPS,
    },
    {
      case: 'artifact-store/memory',
      metric: 'get ops/s',
      value: round(memory.get),
      unit: 'ops/s',
      target: `>= ${MEMORY_TARGET_OPS} ops/s`,
      met: memory.get >= MEMORY_TARGET_OPS,
    },
    {
      case: 'artifact-store/fs',
      metric: 'store ops/s',
      value: round(fs.store),
      unit: 'ops/s',
      baseline: { name: 'memory store', value: round(memory.store) },
      notes: 'fsync of body, directory and lineage line on every write',
    },
    {
      case: 'artifact-store/fs',
      metric: 'get ops/s',
      value: round(fs.get),
      unit: 'ops/s',
      baseline: { name: 'memory get', value: round(memory.get) },
      notes: 'one file read and superjson parse per get',
    },
  ];
  return figures;
};

export default artifactStore;

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  for (const figure of await artifactStore({ quick })) console.log(JSON.stringify(figure));
}
