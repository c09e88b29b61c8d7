/**
 * Every cost that leaves the system is a whole number of micro-cents (the
 * ledger's unit): no float noise like 0.6250800000000001 in results, totals,
 * events or metrics.
 */
import { describe, expect, it } from 'vitest';
import { addCents, roundCents } from '../../src/index.js';
import { EMPTY_USAGE } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { createRandom } from '../../src/testing.js';
import { Orchestrator } from '../../src/index.js';

/** A cost at the ledger's precision prints with at most six decimals. */
function expectMicroPrecise(cents: number | undefined, where: string): void {
  expect(cents, where).toBeDefined();
  const value = cents ?? Number.NaN;
  expect(roundCents(value), `${where}: ${value}`).toBe(value);
  expect(String(value).split('.')[1]?.length ?? 0, `${where}: ${value}`).toBeLessThanOrEqual(6);
}

describe('reported costs', () => {
  it('addCents sums at micro-cent precision', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(addCents(0.1, 0.2)).toBe(0.3);
    expect(addCents(0.3702, 0.25508)).toBe(0.62528);
    expect(addCents()).toBe(0);
  });

  it('are micro-cent exact in task results, workflow totals, call events and metrics (random usage, 10 runs)', async () => {
    for (let trial = 0; trial < 10; trial++) {
      const random = createRandom(4242 + trial).next;
      const model = createScriptedProvider({
        fallback: () => ({
          text: 'an answer',
          structured: undefined,
          usage: {
            ...EMPTY_USAGE,
            inputTokens: 1 + Math.floor(random() * 5000),
            outputTokens: 1 + Math.floor(random() * 900),
            cacheReadTokens: Math.floor(random() * 300),
          },
        }),
      });
      const orchestrator = new Orchestrator({ provider: model, model: 'claude-3-5-haiku', journal: false, retryFailedAgents: false });
      const callCosts: number[] = [];
      const alertValues: number[] = [];
      orchestrator.events.on('model.call.finished', (event) => callCosts.push(event.costCents));
      orchestrator.events.on('alert', (alert) => alertValues.push(alert.value));
      try {
        await orchestrator.enableMonitoring({ alertThresholds: { cost_per_task: 0 } });
        const tasks = Array.from({ length: 6 }, (_, i) => ({ agentId: `a${i}`, taskDescription: `task ${i}` }));
        const result = await orchestrator.executeWorkflow({ tasks, generateSummary: true });
        expect(callCosts.length).toBeGreaterThan(6);
        callCosts.forEach((cents, i) => expectMicroPrecise(cents, `call ${i}`));
        for (const [agentId, task] of Object.entries(result.results)) expectMicroPrecise(task.costCents, `task ${agentId}`);
        expectMicroPrecise(result.totalCostCents, 'totalCostCents');
        // The reported total is what the ledger charged.
        expect(result.totalCostCents).toBe(orchestrator.budget.spentCents());
        expect(result.totalCostCents).toBe(addCents(...callCosts));
        const metrics = orchestrator.getMetrics();
        expectMicroPrecise(metrics.totalCostCents, 'metrics.totalCostCents');
        expect(metrics.totalCostCents).toBe(result.totalCostCents);
        // Dollars: the same micro-cents, so at most eight decimals.
        expect(String(metrics.totalCost).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(8);
        expect(metrics.totalCost).toBeCloseTo((metrics.totalCostCents ?? 0) / 100, 12);
        // The cost_per_task alert's value is in dollars from the same micro-cents.
        expect(alertValues.length).toBeGreaterThan(0);
        for (const value of alertValues) expect(String(value).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(8);
      } finally {
        await orchestrator.shutdown();
      }
    }
  });
});
