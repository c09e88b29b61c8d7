/**
 * Every ported seed example runs as a script (`npx tsx examples/NAME.ts`),
 * offline on the simulated model, exits 0 and prints what the seed prints.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

function runExample(name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // No API keys: the examples must run on the simulated model.
  const env = { ...process.env, ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '' };
  return new Promise((resolve) => {
    execFile(tsx, [`examples/${name}.ts`], { cwd: root, env, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const examples: [name: string, keyLines: RegExp[]][] = [
  ['hierarchical-workflow', [/^strategy_synthesizer: succeeded/m, /^Workflow summary: /m, /^Total duration: [\d.]+s$/m, /^Total cost: \$\d+\.\d\d$/m]],
  ['dynamic-agents', [/^Spawned agents: researcher_[0-9a-f]{8} \(template researcher\), analyst_[0-9a-f]{8} \(template analyst\), generic_cryptography/m]],
  ['map-reduce', [/^Map-reduce over 3 documents: succeeded/m, /^Final result: \[simulated\]/m]],
  ['pipeline', [/^data_cleaner: /m, /^feature_extractor: /m, /^reporter: /m, /^Pipeline (succeeded|partial)/m]],
  ['consensus', [/^expert_5: (yes|no) \(confidence/m, /^Consensus: (Decision|No consensus)/m]],
  ['thinking-agent', [/^Thinking process: \[simulated thinking\]/m, /^Confidence: [\d.]+$/m, /^Alternative approaches: \[/m]],
];

describe('the seed examples', () => {
  it.concurrent.each(examples)('%s runs offline, exits 0 and prints its key lines', async (name, keyLines) => {
    const { code, stdout, stderr } = await runExample(name);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const line of keyLines) expect(stdout).toMatch(line);
  }, 120_000);
});
