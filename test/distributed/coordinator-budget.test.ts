import { describe, expect, it } from 'vitest';
import { CoordinatorBudget, mergeBudgets } from '../../src/distributed/index.js';
import { BudgetLedger, Orchestrator } from '../../src/index.js';
import type { BudgetSnapshot } from '../../src/index.js';
import { dagOf50, pricedConfig } from '../support/distributed/distributed-config.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';
import { waitFor } from '../support/distributed/worker-process.js';

const hasRedis = redisAvailable('coordinator-budget.test');
const LIMIT = 100_000;
const TASKS = dagOf50().slice(0, 8);

async function dashboardCost(url: string): Promise<{ spentCents: number; reservedCents: number; totalLimitCents: number | null; calls: number }> {
  const response = await fetch(new URL('/state', url));
  const state: unknown = await response.json();
  const part = (name: string): unknown => (typeof state === 'object' && state !== null ? Reflect.get(state, name) : undefined);
  const field = (name: string, key: string): unknown => {
    const value = part(name);
    return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
  };
  const [spentCents, reservedCents, totalLimitCents] = [field('cost', 'spentCents'), field('cost', 'reservedCents'), field('cost', 'totalLimitCents')];
  const calls = field('calls', 'total');
  return {
    spentCents: typeof spentCents === 'number' ? spentCents : -1,
    reservedCents: typeof reservedCents === 'number' ? reservedCents : -1,
    totalLimitCents: typeof totalLimitCents === 'number' ? totalLimitCents : null,
    calls: typeof calls === 'number' ? calls : -1,
  };
}

describe.skipIf(!hasRedis)("the coordinator's budget view", () => {
  const suite = useRedisSuite();

  it("monitoring.budget() and the dashboard show the workers' spend from the Redis books, in all and per agent", async () => {
    const queue = 'books';
    await Promise.all([1, 2].map(() => suite.worker(queue, { TROUPE_TEST_BUDGET_CENTS: String(LIMIT) })));
    const coordinator = new Orchestrator({ ...pricedConfig(LIMIT), distributed: { redis: suite.server.url, queue } });
    const monitoring = await coordinator.enableMonitoring({ dashboardPort: 0 });
    try {
      const result = await coordinator.executeWorkflow({ tasks: TASKS, maxParallelAgents: 4 });
      expect(result.status).toBe('succeeded');
      // The coordinator spent nothing itself: its own ledger is empty.
      expect(coordinator.budget.snapshot().totalSpentCents).toBe(0);
      const books = await coordinator.monitoring.budget();
      expect(books.totalSpentCents).toBeGreaterThan(0);
      expect(books.totalSpentCents).toBeCloseTo(result.totalCostCents, 6);
      expect(books.totalReservedCents).toBe(0);
      expect(books.openReservations).toBe(0);
      expect(books.limits).toEqual({ totalCostLimitCents: LIMIT });
      for (const task of TASKS) {
        expect(books.perAgent[task.agentId]?.spentCents).toBeCloseTo(result.results[task.agentId]?.costCents ?? -1, 6);
      }
      // The dashboard reads the same view (refreshed after each answer and forwarded event).
      const url = monitoring.dashboardUrl ?? '';
      expect(await waitFor(async () => (await dashboardCost(url)).spentCents > 0)).toBe(true);
      const cost = await dashboardCost(url);
      expect(cost.spentCents).toBeCloseTo(books.totalSpentCents, 6);
      expect(cost.reservedCents).toBe(0);
      expect(cost.totalLimitCents).toBe(LIMIT);
      // Its call count is the workers' calls, forwarded (the coordinator made none).
      expect(cost.calls).toBeGreaterThan(0);
      expect(await waitFor(async () => (await dashboardCost(url)).calls === coordinator.getMetrics().modelCalls?.total)).toBe(true);
    } finally {
      await coordinator.shutdown();
    }
  });

  it('single process: monitoring.budget() is the in-process ledger', async () => {
    const local = new Orchestrator(pricedConfig(LIMIT));
    try {
      const result = await local.executeWorkflow({ tasks: TASKS.slice(0, 2).map(({ dependencies: _d, ...task }) => task) });
      const books = await local.monitoring.budget();
      expect(books).toEqual(local.budget.snapshot());
      expect(books.totalSpentCents).toBeCloseTo(result.totalCostCents, 6);
    } finally {
      await local.shutdown();
    }
  });
});

describe('CoordinatorBudget', () => {
  const books = (spent: number, agent: string, closed: boolean): BudgetSnapshot => ({
    totalSpentCents: spent,
    totalReservedCents: 1,
    perAgent: { [agent]: { spentCents: spent, reservedCents: 1 }, shared: { spentCents: 2, reservedCents: 0 } },
    limits: { totalCostLimitCents: 100 },
    openReservations: 1,
    overruns: { count: 1, cents: 0.5 },
    closed: { total: closed, agents: closed ? [agent] : [] },
    evictedAgents: { count: 0, spentCents: 0 },
  });

  it('merges the ledger with the books: amounts and counts added, closed limits united', () => {
    const merged = mergeBudgets(books(3, 'local', false), books(10, 'remote', true));
    expect(merged.totalSpentCents).toBe(13);
    expect(merged.totalReservedCents).toBe(2);
    expect(merged.perAgent).toEqual({
      local: { spentCents: 3, reservedCents: 1 },
      remote: { spentCents: 10, reservedCents: 1 },
      shared: { spentCents: 4, reservedCents: 0 },
    });
    expect(merged.openReservations).toBe(2);
    expect(merged.overruns).toEqual({ count: 2, cents: 1 });
    expect(merged.closed).toEqual({ total: true, agents: ['remote'] });
  });

  it('fails a read of books that never answer with DISTRIBUTED_UNAVAILABLE, keeping the last view', async () => {
    const ledger = new BudgetLedger({});
    ledger.reserve({ agentId: 'local', requestedCents: 2 }).settle(2);
    const view = new CoordinatorBudget(ledger, () => new Promise<BudgetSnapshot>(() => undefined), 20);
    await expect(view.refresh()).rejects.toMatchObject({ code: 'DISTRIBUTED_UNAVAILABLE' });
    expect(view.snapshot().totalSpentCents).toBe(2);
  });

  it('refresh reads the books; reads asked for during one share a single further read; snapshot merges the last read', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 100 });
    ledger.reserve({ agentId: 'local', requestedCents: 2 }).settle(2);
    let reads = 0;
    let release: (() => void) | undefined;
    const view = new CoordinatorBudget(ledger, async () => {
      reads++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return books(10 * reads, 'remote', false);
    });
    expect(view.snapshot().totalSpentCents).toBe(2); // nothing read yet: the ledger alone
    const first = view.refresh();
    const queued = [view.refresh(), view.refresh(), view.refresh()];
    release?.();
    expect((await first).totalSpentCents).toBe(12);
    await waitFor(() => reads === 2);
    release?.();
    const after = await Promise.all(queued);
    expect(after.map((s) => s.totalSpentCents)).toEqual([22, 22, 22]);
    expect(reads).toBe(2);
    expect(view.snapshot().perAgent.remote?.spentCents).toBe(20);
  });
});
