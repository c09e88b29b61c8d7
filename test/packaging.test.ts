/**
 * The published package works as a user installs it: `npm pack` builds dist/
 * (the `prepare` script) and ships it; the tarball installs into a fresh
 * project offline; `troupe` and `troupe/testing` load with plain node as ESM,
 * through `require()` and under the `development` condition; a strict
 * TypeScript consumer with only the ES2023 library type-checks against the
 * published declarations with `skipLibCheck: false`.
 *
 * Installing offline: the npm cache holds every dependency's tarball (they
 * were installed into this repo) but not the registry's package metadata, so
 * the consumer project gets a lockfile built from this repo's lockfile (the
 * runtime dependencies and @types/node) and is installed with
 * `npm ci --offline`, which needs only the cached tarballs. Any failure to
 * pack, install or load fails the test.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const SLOW = 600_000;

interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly [field: string]: unknown;
}

interface Lockfile {
  readonly packages: Record<string, LockEntry>;
}

interface PackageJson {
  readonly dependencies?: Record<string, string>;
  readonly exports?: Record<string, Record<string, string> | string>;
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

function isLockfile(value: unknown): value is Lockfile {
  return typeof value === 'object' && value !== null && 'packages' in value && typeof value.packages === 'object';
}

function isPackageJson(value: unknown): value is PackageJson {
  return typeof value === 'object' && value !== null;
}

/**
 * The registry URL of a package's tarball (where npm caches it), so that
 * `npm ci` fetches it by URL and integrity from the cache instead of asking
 * the registry for the package's metadata.
 */
function registryTarball(path: string, version: string): string {
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const base = name.slice(name.indexOf('/') + 1);
  return `https://registry.npmjs.org/${name}/-/${base}-${version}.tgz`;
}

/** A consumer lockfile: troupe from the tarball, its runtime dependencies and @types/node as this repo's lockfile pins them. */
function consumerLock(repoLock: Lockfile, tarball: string, integrity: string, manifest: PackageJson, typesNode: string): unknown {
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { troupe: `file:${tarball}`, '@types/node': typesNode } },
    'node_modules/troupe': {
      version: '0.1.0',
      resolved: `file:${tarball}`,
      integrity,
      dependencies: manifest.dependencies ?? {},
    },
  };
  const devOnly = new Set(['node_modules/@types/node', 'node_modules/undici-types']);
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path === '' || !path.startsWith('node_modules/')) continue;
    if (entry.dev === true && !devOnly.has(path)) continue;
    const { dev: _dev, devOptional: _devOptional, ...rest } = entry;
    packages[path] = { ...rest, resolved: registryTarball(path, entry.version ?? '') };
  }
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

const consumerSource = `
import { Orchestrator, ExecutionMode, startInspectorRelay } from 'troupe';
import type { WorkflowResult, StatelyInspectionEvent } from 'troupe';
import { createScriptedProvider } from 'troupe/testing';

const orchestrator: Orchestrator = new Orchestrator({ provider: 'simulated' });
const mode: ExecutionMode = ExecutionMode.Parallel;
const relay: typeof startInspectorRelay = startInspectorRelay;
const provider: ReturnType<typeof createScriptedProvider> | undefined = undefined;
export type Seen = [WorkflowResult | undefined, StatelyInspectionEvent | undefined];
export { orchestrator, mode, relay, provider };
`;

const consumerTsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  },
  files: ['consumer.ts'],
};

describe('the repo\'s private source condition', () => {
  it('resolves troupe and troupe/testing to src/ in tests (`troupe-source`), so tests never need a build', async () => {
    const [byName, bySource, testingByName, testingBySource] = await Promise.all([
      import('troupe'),
      import('../src/index.js'),
      import('troupe/testing'),
      import('../src/testing.js'),
    ]);
    expect(byName.Orchestrator).toBe(bySource.Orchestrator);
    expect(testingByName.createScriptedProvider).toBe(testingBySource.createScriptedProvider);
  });
});

describe('the repository', () => {
  it('tracks no node_modules, no build output and no symbolic link, so a clean clone installs from scratch', async () => {
    const { stdout } = await run('git', ['ls-files', '-s'], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });
    const entries = stdout.split('\n').filter((line) => line !== '');
    expect(entries.length).toBeGreaterThan(100);
    const paths = entries.map((line) => line.slice(line.indexOf('\t') + 1));
    expect(paths.filter((path) => /^(node_modules|dist)(\/|$)/.test(path))).toEqual([]);
    expect(entries.filter((line) => line.startsWith('120000 '))).toEqual([]);
  });
});

describe('the packed package', () => {
  let work = '';
  let project = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'troupe-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
    const packed: unknown = JSON.parse(stdout);
    const name = Array.isArray(packed) && typeof packed[0]?.filename === 'string' ? String(packed[0].filename) : '';
    expect(name).toMatch(/^troupe-.*\.tgz$/);
    const tarball = join(work, name);

    project = join(work, 'consumer');
    await mkdir(project, { recursive: true });
    const repoLock = await readJson(join(repo, 'package-lock.json'));
    const manifest = await readJson(join(repo, 'package.json'));
    if (!isLockfile(repoLock) || !isPackageJson(manifest)) throw new Error('unreadable package.json or package-lock.json');
    const typesNode = repoLock.packages['node_modules/@types/node']?.version ?? '';
    const integrity = `sha512-${createHash('sha512').update(await readFile(tarball)).digest('base64')}`;
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { troupe: `file:${tarball}`, '@types/node': typesNode } }),
    );
    await writeFile(join(project, 'package-lock.json'), JSON.stringify(consumerLock(repoLock, tarball, integrity, manifest, typesNode)));
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, maxBuffer: 64 * 1024 * 1024 });
  }, SLOW);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships the built code and declarations, and no sources', async () => {
    const files = await readdir(join(project, 'node_modules', 'troupe', 'dist'));
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'testing.js', 'testing.d.ts']));
    await expect(readdir(join(project, 'node_modules', 'troupe', 'src'))).rejects.toThrow();
  });

  it('has no export condition that points at files the package lacks (no `development` → src/)', async () => {
    const manifest = await readJson(join(project, 'node_modules', 'troupe', 'package.json'));
    if (!isPackageJson(manifest)) throw new Error('no manifest');
    expect(JSON.stringify(manifest.exports)).not.toContain('"development"');
  });

  it('loads troupe and troupe/testing with plain node: ESM import, require(), and the development condition', async () => {
    const esm = `import { Orchestrator } from 'troupe'; import * as testing from 'troupe/testing';
      const o = new Orchestrator({ provider: 'simulated' });
      const r = await o.executeTask('say hi');
      await o.shutdown();
      console.log(JSON.stringify({ status: r.status, testing: Object.keys(testing).length > 0 }));`;
    const out = await run('node', ['--input-type=module', '-e', esm], { cwd: project });
    expect(JSON.parse(out.stdout.trim().split('\n').pop() ?? '')).toEqual({ status: 'succeeded', testing: true });

    const cjs = `const troupe = require('troupe'); const testing = require('troupe/testing');
      console.log(typeof troupe.Orchestrator, typeof testing, Object.keys(testing).length > 0);`;
    const required = await run('node', ['--input-type=commonjs', '-e', cjs], { cwd: project });
    expect(required.stdout.trim()).toBe('function object true');

    const dev = await run('node', ['--conditions=development', '--input-type=module', '-e', `import { Orchestrator } from 'troupe'; console.log(typeof Orchestrator);`], {
      cwd: project,
    });
    expect(dev.stdout.trim()).toBe('function');
  }, SLOW);

  it('loads no optional SDK until it is used: a task runs without them, an inspector relay or a provider call loads its own', async () => {
    // A resolve hook notes every package a module is loaded from, synchronously, in a file.
    await writeFile(
      join(project, 'note-packages.mjs'),
      `import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        const match = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url);
        if (match) appendFileSync(${JSON.stringify(join(project, 'packages.log'))}, match[1] + '\\n');
        return resolved;
      }`,
    );
    await writeFile(join(project, 'register-note.mjs'), `import { register } from 'node:module'; register('./note-packages.mjs', import.meta.url);`);
    const script = `import { readFileSync } from 'node:fs';
      const loaded = () => [...new Set(readFileSync('packages.log', 'utf8').split('\\n').filter(Boolean))];
      const { Orchestrator, startInspectorRelay, createOpenAIProvider } = await import('troupe');
      const o = new Orchestrator({ provider: 'simulated' });
      await o.executeTask('say hi');
      await o.shutdown();
      const afterTask = loaded();
      const relay = await startInspectorRelay();
      await relay.stop();
      const afterRelay = loaded();
      const provider = createOpenAIProvider({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1' });
      await provider.complete({ model: 'm', messages: [{ role: 'user', content: 'hi' }], maxTokens: 8 }).catch(() => undefined);
      console.log(JSON.stringify({ afterTask, afterRelay, afterCall: loaded() }));`;
    await writeFile(join(project, 'packages.log'), '');
    const out = await run('node', ['--import', './register-note.mjs', '--input-type=module', '-e', script], { cwd: project });
    const seen: { afterTask: string[]; afterRelay: string[]; afterCall: string[] } = JSON.parse(out.stdout.trim().split('\n').pop() ?? '');
    const optional = ['openai', '@anthropic-ai/sdk', '@modelcontextprotocol/sdk', '@statelyai/inspect', 'ws', 'bullmq', 'ioredis'];
    expect(seen.afterTask).toEqual(expect.arrayContaining(['troupe', 'xstate']));
    expect(seen.afterTask.filter((name) => optional.includes(name))).toEqual([]);
    expect(seen.afterRelay).toEqual(expect.arrayContaining(['ws', '@statelyai/inspect']));
    expect(seen.afterRelay).not.toContain('openai');
    expect(seen.afterCall).toContain('openai');
    expect(seen.afterCall.filter((name) => ['@anthropic-ai/sdk', '@modelcontextprotocol/sdk', 'bullmq', 'ioredis'].includes(name))).toEqual([]);
  }, SLOW);

  it('type-checks a strict consumer with lib ES2023 and skipLibCheck false', async () => {
    await writeFile(join(project, 'consumer.ts'), consumerSource);
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(consumerTsconfig));
    const result = await run('node', [tsc, '-p', 'tsconfig.json'], { cwd: project }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe('');
  }, SLOW);
});
