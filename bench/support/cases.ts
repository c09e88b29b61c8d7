/**
 * Finds the bench cases: every `bench/*.ts` whose default export is a
 * BenchCase, except the harness, the runner and child-process entry points.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase } from '../harness.js';

/** Files in bench/ that are not cases. */
// distributed.ts needs redis-server and worker processes: it runs alone (npx tsx bench/distributed.ts).
export const NOT_CASES: ReadonlySet<string> = new Set(['harness.ts', 'run.ts', 'distributed.ts']);

/** Child-process entry points (`*-child.ts`) are run by their case, not by the runner. */
const CHILD_ENTRY = /-child\.ts$/;

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Case names (file names without `.ts`), sorted. */
export async function benchCaseNames(dir = BENCH_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => entry.name)
    .filter((name) => !NOT_CASES.has(name) && !CHILD_ENTRY.test(name))
    .map((name) => name.slice(0, -'.ts'.length))
    .sort();
}

function isBenchCase(value: unknown): value is BenchCase {
  return typeof value === 'function';
}

/**
 * Imports one case module.
 * @throws Error when the module has no function as its default export.
 */
export async function loadBenchCase(name: string, dir = BENCH_DIR): Promise<BenchCase> {
  const module: unknown = await import(pathToFileURL(join(dir, `${name}.ts`)).href);
  const candidate: unknown = typeof module === 'object' && module !== null && 'default' in module ? module.default : undefined;
  if (!isBenchCase(candidate)) throw new Error(`bench/${name}.ts has no BenchCase as its default export`);
  return candidate;
}
