import { describe, expect, it } from 'vitest';
import { isBenchFigure } from '../bench/harness.js';
import type { BenchCaseResult } from '../bench/harness.js';
import { formatTable, runBenchCase } from '../bench/run.js';
import { benchCaseNames } from '../bench/support/cases.js';
import { criticalPath, randomDag } from '../bench/support/dag.js';
import { markedTask, stripCacheMarkers, taskMarker } from '../bench/support/providers.js';

const names = await benchCaseNames();

describe('the bench harness', () => {
  it('finds the cases in bench/ and leaves out the harness, the runner and child entry points', () => {
    expect(names).toEqual(
      expect.arrayContaining(['workflow-overhead', 'parallel-efficiency', 'critical-path', 'scale', 'prompt-caching']),
    );
    expect(names).not.toContain('harness');
    expect(names).not.toContain('run');
    expect(names).not.toContain('scale-child');
  });

  describe.each(names)('case %s in quick mode', (name) => {
    it('returns well-formed figures', { timeout: 120_000 }, async () => {
      const result = await runBenchCase(name, true);
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('ok');
      expect(result.figures.length).toBeGreaterThan(0);
      for (const figure of result.figures) expect(isBenchFigure(figure), JSON.stringify(figure)).toBe(true);
    });
  });

  it('reports a case that cannot run as failed instead of throwing', async () => {
    const result = await runBenchCase('no-such-case', true);
    expect(result.status).toBe('failed');
    expect(result.figures).toEqual([]);
    expect(result.error).toMatch(/no-such-case/);
  });

  it('prints a failed case as a row of the table, next to the figures of the others', () => {
    const results: BenchCaseResult[] = [
      { name: 'broken', status: 'failed', durationMs: 1, figures: [], error: 'Error: boom\n    at somewhere' },
      {
        name: 'fine',
        status: 'ok',
        durationMs: 1,
        figures: [{ case: 'fine', metric: 'ops', value: 50, unit: 'ops/s', baseline: { name: 'raw', value: 100 }, target: '>= 0.5', met: true }],
      },
    ];
    const table = formatTable(results);
    expect(table).toMatch(/broken\s+FAILED\s+Error: boom/);
    expect(table).toMatch(/fine\s+ops\s+50 ops\/s\s+100 \(raw\)\s+0\.500×\s+>= 0\.5\s+✓/);
  });

  it('computes a critical path as the heaviest dependency chain', () => {
    // 0 → 2, 1 → 2, 2 → 3: the chain 1, 2, 3 weighs 5 + 1 + 2.
    expect(criticalPath([[], [], [0, 1], [2]], (i) => [3, 5, 1, 2][i] ?? 0)).toBe(8);
    const dag = randomDag({ tasks: 50, maxDependencies: 3, window: 10, seed: 1 });
    expect(dag.every((deps, i) => deps.every((dep) => dep < i && dep >= i - 10))).toBe(true);
    expect(randomDag({ tasks: 50, maxDependencies: 3, window: 10, seed: 1 })).toEqual(dag);
  });

  it('strips every prompt-cache marker for the no-caching baseline, and finds task markers', () => {
    const request = stripCacheMarkers({
      model: 'm',
      maxTokens: 10,
      system: [{ text: 'long prompt', cache: true }],
      messages: [{ role: 'user', content: [{ type: 'text', text: `${taskMarker('c7')} do it`, cache: true }] }],
    });
    expect(JSON.stringify(request)).not.toContain('cache');
    expect(markedTask(request)).toBe('c7');
  });
});
