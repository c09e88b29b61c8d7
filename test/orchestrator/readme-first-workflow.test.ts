/**
 * The README's first workflow runs exactly as printed: its code block is
 * taken from README.md, only `from 'troupe'` pointed at this checkout's
 * src/index.ts, and run as a script (`tsx`) in an empty directory, offline on
 * the simulated model (no API keys).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** The first ```ts block after the "A first workflow" heading. */
async function firstWorkflowCode(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A first workflow'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README.md has no ts block under "A first workflow"');
  return match[1];
}

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("the README's first workflow", () => {
  it('runs as printed on the simulated model, exits 0 and prints the summary and totals', async () => {
    const code = await firstWorkflowCode();
    expect(code).toContain("fallbackAgent: 'expert_consultant'"); // the fallback has no template
    const source = code.replace("from 'troupe'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`);
    expect(source).not.toBe(code);
    const dir = await mkdtemp(join(tmpdir(), 'troupe-readme-'));
    made.push(dir);
    await writeFile(join(dir, 'first-workflow.mts'), source);
    const env = { ...process.env, ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '' };
    const { exitCode, stdout, stderr } = await new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolve) => {
      execFile(tsx, ['first-workflow.mts'], { cwd: dir, env, timeout: 90_000 }, (error, out, err) => {
        resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: out, stderr: err });
      });
    });
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^Total duration: [\d.]+s, cost: \$\d+\.\d\d$/m);
    expect(stdout).toMatch(/strategy_synthesizer/);
  }, 120_000);
});
