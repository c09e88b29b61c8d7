import { describe, expect, it } from 'vitest';
import { BudgetExceededError, BudgetOverrunError, ConfigError, MissingApiKeyError } from '../../src/index.js';
import type { ModelRequest } from '../../src/index.js';
import { EMPTY_USAGE, MIN_THINKING_BUDGET_TOKENS } from '../../src/index.js';
import { upperBoundRequestTokens } from '../../src/index.js';
import type { ModelPrice } from '../../src/index.js';
import { DEFAULT_PRICES } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { BudgetLedger, estimateWorstCaseCents } from '../../src/index.js';
import type { Reservation } from '../../src/index.js';
import { createModelGateway } from '../../src/testing.js';
import { createRandom } from '../../src/testing.js';

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

const SONNET: ModelPrice = {
  inputCentsPerMTok: 300,
  outputCentsPerMTok: 1500,
  cacheReadCentsPerMTok: 30,
  cacheWriteCentsPerMTok: 375,
};

describe('BudgetLedger.reserve', () => {
  it('holds the requested amount for the agent and in the total', () => {
    const ledger = new BudgetLedger({ maxCostPerAgentCents: 10, totalCostLimitCents: 100 });
    ledger.reserve({ agentId: 'a', requestedCents: 4 });
    ledger.reserve({ agentId: 'b', requestedCents: 3 });
    expect(ledger.reservedCents('a')).toBe(4);
    expect(ledger.reservedCents('b')).toBe(3);
    expect(ledger.reservedCents()).toBe(7);
    expect(ledger.spentCents()).toBe(0);
  });

  it('allows reserving exactly up to a limit and refuses a micro-cent more', () => {
    const ledger = new BudgetLedger({ maxCostPerAgentCents: 1 });
    ledger.reserve({ agentId: 'a', requestedCents: 0.75 });
    ledger.reserve({ agentId: 'a', requestedCents: 0.25 });
    expect(() => ledger.reserve({ agentId: 'a', requestedCents: 0.000001 })).toThrow(BudgetExceededError);
  });

  it('counts spent and reserved money against the per-agent limit, and names that limit', () => {
    const ledger = new BudgetLedger({ maxCostPerAgentCents: 10, totalCostLimitCents: 100 });
    ledger.reserve({ agentId: 'a', requestedCents: 6 }).settle(5);
    ledger.reserve({ agentId: 'a', requestedCents: 3 });
    const error = caught(() => ledger.reserve({ agentId: 'a', requestedCents: 2.5 }));
    expect(error).toBeInstanceOf(BudgetExceededError);
    if (!(error instanceof BudgetExceededError)) return;
    expect(error.code).toBe('BUDGET_EXCEEDED');
    expect(error.limit).toBe('maxCostPerAgentCents');
    expect(error.details).toMatchObject({
      agentId: 'a',
      limitCents: 10,
      spentCents: 5,
      reservedCents: 3,
      requestedCents: 2.5,
    });
    // Another agent is unaffected by a's limit.
    expect(() => ledger.reserve({ agentId: 'b', requestedCents: 9 })).not.toThrow();
  });

  it('refuses a call that would pass the total limit, with the totals it checked', () => {
    const ledger = new BudgetLedger({ maxCostPerAgentCents: 10, totalCostLimitCents: 15 });
    ledger.reserve({ agentId: 'a', requestedCents: 8 }).settle(7);
    ledger.reserve({ agentId: 'b', requestedCents: 6 });
    const error = caught(() => ledger.reserve({ agentId: 'c', requestedCents: 3 }));
    expect(error).toBeInstanceOf(BudgetExceededError);
    if (!(error instanceof BudgetExceededError)) return;
    expect(error.limit).toBe('totalCostLimitCents');
    expect(error.details).toMatchObject({ agentId: 'c', limitCents: 15, spentCents: 7, reservedCents: 6, requestedCents: 3 });
  });

  it('checks the per-agent limit before the total limit when both would be passed', () => {
    const ledger = new BudgetLedger({ maxCostPerAgentCents: 5, totalCostLimitCents: 5 });
    ledger.reserve({ agentId: 'a', requestedCents: 4 });
    const error = caught(() => ledger.reserve({ agentId: 'a', requestedCents: 2 }));
    expect(error).toBeInstanceOf(BudgetExceededError);
    if (error instanceof BudgetExceededError) expect(error.limit).toBe('maxCostPerAgentCents');
  });

  it('records nothing for a refused reservation', () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 1 });
    expect(() => ledger.reserve({ agentId: 'a', requestedCents: 2 })).toThrow(BudgetExceededError);
    expect(ledger.snapshot()).toMatchObject({ totalReservedCents: 0, openReservations: 0, perAgent: {} });
  });

  it('says whether any limit is set', () => {
    expect(new BudgetLedger().isLimited).toBe(false);
    expect(new BudgetLedger({ maxCostPerAgentCents: 5 }).isLimited).toBe(true);
    expect(new BudgetLedger({ totalCostLimitCents: 5 }).isLimited).toBe(true);
  });

  it('has no limit when none is configured', () => {
    const ledger = new BudgetLedger();
    expect(ledger.isLimited).toBe(false);
    ledger.reserve({ agentId: 'a', requestedCents: 1e9 }).settle(1e9);
    expect(ledger.spentCents('a')).toBe(1e9);
  });

  it('rejects negative or non-finite amounts and bad limits', () => {
    const ledger = new BudgetLedger();
    expect(() => ledger.reserve({ agentId: 'a', requestedCents: -1 })).toThrow(RangeError);
    expect(() => ledger.reserve({ agentId: 'a', requestedCents: Number.NaN })).toThrow(RangeError);
    expect(() => ledger.reserve({ agentId: 'a', requestedCents: 1 }).settle(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => new BudgetLedger({ totalCostLimitCents: 0 })).toThrow(ConfigError);
    expect(() => new BudgetLedger({ maxCostPerAgentCents: -3 })).toThrow(ConfigError);
  });
});

describe('Reservation.settle and release', () => {
  it('settle replaces the hold with the actual cost and frees the rest', () => {
    const ledger = new BudgetLedger({ maxCostPerAgentCents: 10 });
    const hold = ledger.reserve({ agentId: 'a', requestedCents: 8 });
    expect(hold.settle(3)).toEqual({ status: 'settled', chargedCents: 3, overrunCents: 0, closedLimits: [] });
    expect(hold.status).toBe('settled');
    expect(ledger.spentCents('a')).toBe(3);
    expect(ledger.reservedCents('a')).toBe(0);
    // The freed 5¢ can be reserved again.
    expect(() => ledger.reserve({ agentId: 'a', requestedCents: 7 })).not.toThrow();
  });

  it('release frees the hold and charges nothing', () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 10 });
    const hold = ledger.reserve({ agentId: 'a', requestedCents: 10 });
    expect(hold.release()).toEqual({ status: 'released', chargedCents: 0, overrunCents: 0, closedLimits: [] });
    expect(ledger.snapshot()).toMatchObject({ totalSpentCents: 0, totalReservedCents: 0, openReservations: 0 });
  });

  it('is idempotent: a second settle or a settle after release changes nothing', () => {
    const ledger = new BudgetLedger();
    const settled = ledger.reserve({ agentId: 'a', requestedCents: 5 });
    const first = settled.settle(2);
    expect(settled.settle(4)).toBe(first);
    expect(settled.release()).toBe(first);
    const released = ledger.reserve({ agentId: 'a', requestedCents: 5 });
    released.release();
    expect(released.settle(3)).toEqual({ status: 'released', chargedCents: 0, overrunCents: 0, closedLimits: [] });
    expect(released.release().status).toBe('released');
    expect(ledger.spentCents('a')).toBe(2);
    expect(ledger.reservedCents('a')).toBe(0);
    expect(ledger.snapshot().openReservations).toBe(0);
  });

  it('records an actual cost above the reservation in full and reports the overrun', () => {
    const ledger = new BudgetLedger({ maxCostPerAgentCents: 10 });
    const hold = ledger.reserve({ agentId: 'a', requestedCents: 9 });
    expect(hold.settle(12)).toEqual({ status: 'settled', chargedCents: 12, overrunCents: 3, closedLimits: ['maxCostPerAgentCents'] });
    expect(ledger.spentCents('a')).toBe(12);
    expect(ledger.snapshot().overruns).toEqual({ count: 1, cents: 3 });
    // The overrun closed the agent's limit: nothing more is admitted for this agent.
    expect(() => ledger.reserve({ agentId: 'a', requestedCents: 0.01 })).toThrow(BudgetOverrunError);
  });

  it('sums 10,000 sub-cent settles exactly, with no float drift', () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 1 });
    for (let i = 0; i < 10_000; i++) ledger.reserve({ agentId: `agent-${i % 7}`, requestedCents: 0.0001 }).settle(0.0001);
    expect(ledger.spentCents()).toBe(1);
    // Exactly at the limit: one more micro-cent is refused, nothing is left reserved.
    expect(() => ledger.reserve({ agentId: 'x', requestedCents: 0.000001 })).toThrow(BudgetExceededError);
    expect(ledger.reservedCents()).toBe(0);
    let naive = 0;
    for (let i = 0; i < 10_000; i++) naive += 0.0001;
    expect(naive).not.toBe(1); // what a plain float sum would have done
  });
});

describe('BudgetLedger.snapshot', () => {
  it('reports totals, each agent, the limits, open reservations and overruns as plain data', () => {
    const ledger = new BudgetLedger({ maxCostPerAgentCents: 50, totalCostLimitCents: 200 });
    ledger.reserve({ agentId: 'a', requestedCents: 10 }).settle(4.5);
    ledger.reserve({ agentId: 'b', requestedCents: 6 });
    const snapshot = ledger.snapshot();
    expect(snapshot).toEqual({
      totalSpentCents: 4.5,
      totalReservedCents: 6,
      perAgent: { a: { spentCents: 4.5, reservedCents: 0 }, b: { spentCents: 0, reservedCents: 6 } },
      limits: { maxCostPerAgentCents: 50, totalCostLimitCents: 200 },
      openReservations: 1,
      overruns: { count: 0, cents: 0 },
      closed: { total: false, agents: [] },
      evictedAgents: { count: 0, spentCents: 0 },
    });
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});

describe('estimateWorstCaseCents', () => {
  const request: ModelRequest = {
    model: 'claude-sonnet-4-5',
    system: 'You are careful.',
    messages: [{ role: 'user', content: 'x'.repeat(4000) }],
    maxTokens: 1000,
    thinkingBudgetTokens: 2000,
  };

  it('prices estimated input at the input price and maxTokens plus thinking at the output price', () => {
    const input = upperBoundRequestTokens(request);
    expect(estimateWorstCaseCents(request, SONNET)).toBeCloseTo((input * 300 + 3000 * 1500) / 1e6, 12);
  });

  it('leaves out thinking when the request has no thinking budget', () => {
    const { thinkingBudgetTokens: _omitted, ...plain } = request;
    const input = upperBoundRequestTokens(plain);
    expect(estimateWorstCaseCents(plain, SONNET)).toBeCloseTo((input * 300 + 1000 * 1500) / 1e6, 12);
  });

  it('reserves the thinking budget a provider is sent, never less than MIN_THINKING_BUDGET_TOKENS', () => {
    const small: ModelRequest = { ...request, thinkingBudgetTokens: 100 };
    const input = upperBoundRequestTokens(small);
    expect(MIN_THINKING_BUDGET_TOKENS).toBe(1024);
    expect(estimateWorstCaseCents(small, SONNET)).toBeCloseTo((input * 300 + (1000 + 1024) * 1500) / 1e6, 12);
  });

  it('prices input at the cache-write price when the request marks a cacheable prefix', () => {
    const cached: ModelRequest = { ...request, system: [{ text: 'Shared context', cache: true }] };
    const input = upperBoundRequestTokens(cached);
    expect(estimateWorstCaseCents(cached, SONNET)).toBeCloseTo((input * 375 + 3000 * 1500) / 1e6, 12);
  });

  it('is never below the cost of a call that used every token it was allowed', () => {
    const input = upperBoundRequestTokens(request);
    const actual = (input * 300 + (1000 + 2000) * 1500) / 1e6;
    const ledger = new BudgetLedger();
    const outcome = ledger.reserve({ agentId: 'a', requestedCents: estimateWorstCaseCents(request, SONNET) }).settle(actual);
    expect(outcome.overrunCents).toBe(0);
  });
});

describe('BudgetLedger under concurrent agents (property)', () => {
  /** Yields to the event loop a random number of times: microtasks, and now and then a macrotask. */
  async function randomDelay(random: () => number): Promise<void> {
    const hops = Math.floor(random() * 6);
    for (let i = 0; i < hops; i++) {
      if (random() < 0.1) await new Promise<void>((resolve) => setImmediate(resolve));
      else await Promise.resolve();
    }
  }

  it('never lets spending pass a limit and closes every reservation, over 200 random trials', async () => {
    let admitted = 0;
    let refused = 0;
    for (let trial = 0; trial < 200; trial++) {
      const random = createRandom(1000 + trial).next;
      const totalLimit = 1 + random() * 200;
      const perAgentLimit = Math.min(totalLimit, 0.5 + random() * 20);
      const ledger = new BudgetLedger({ maxCostPerAgentCents: perAgentLimit, totalCostLimitCents: totalLimit });
      const agentCount = 20 + Math.floor(random() * 81);
      const agentIds = Array.from({ length: agentCount }, (_, i) => `agent-${i}`);
      const open = new Set<Reservation>();
      let expectedSpentMicro = 0;

      // Checked after every step of every agent. Only the acting agent's account
      // changes in a step, so checking it and the totals covers every account.
      // The ledger adds whole micro-cents; adding its two reported figures as
      // floats can be one ulp off, so allow 1e-9¢ (a thousandth of its unit).
      const assertWithinLimits = (agentId: string): void => {
        const spent = ledger.spentCents();
        const agentSpent = ledger.spentCents(agentId);
        if (
          spent > totalLimit ||
          spent + ledger.reservedCents() > totalLimit + 1e-9 ||
          agentSpent > perAgentLimit ||
          agentSpent + ledger.reservedCents(agentId) > perAgentLimit + 1e-9
        ) {
          throw new Error(
            `trial ${trial}: ${agentId} passed a limit: ` +
              `total ${spent}+${ledger.reservedCents()} of ${totalLimit}, agent ${agentSpent}+${ledger.reservedCents(agentId)} of ${perAgentLimit}`,
          );
        }
      };

      const runAgent = async (agentId: string): Promise<void> => {
        const calls = 1 + Math.floor(random() * 5);
        for (let call = 0; call < calls; call++) {
          const request: ModelRequest = {
            model: 'claude-sonnet-4-5',
            messages: [{ role: 'user', content: 'q'.repeat(Math.floor(random() * 8000)) }],
            maxTokens: 1 + Math.floor(random() * 4000),
          };
          const worstCase = estimateWorstCaseCents(request, SONNET);
          let hold: Reservation;
          const usedBefore = {
            maxCostPerAgentCents: ledger.spentCents(agentId) + ledger.reservedCents(agentId),
            totalCostLimitCents: ledger.spentCents() + ledger.reservedCents(),
          };
          try {
            hold = ledger.reserve({ agentId, requestedCents: worstCase });
          } catch (error) {
            if (!(error instanceof BudgetExceededError)) throw error;
            // A refusal must be justified by the limit it names.
            const limit = error.limit === 'maxCostPerAgentCents' ? perAgentLimit : totalLimit;
            expect(usedBefore[error.limit] + worstCase).toBeGreaterThan(limit - 1e-6);
            refused += 1;
            assertWithinLimits(agentId);
            await randomDelay(random);
            continue;
          }
          admitted += 1;
          open.add(hold);
          assertWithinLimits(agentId);
          await randomDelay(random);
          if (random() < 0.2) {
            hold.release();
          } else {
            const actual = random() * hold.reservedCents;
            hold.settle(actual);
            expectedSpentMicro += Math.round(actual * 1e6);
          }
          open.delete(hold);
          assertWithinLimits(agentId);
        }
      };

      await Promise.all(agentIds.map(runAgent));
      for (const agentId of agentIds) assertWithinLimits(agentId);
      expect(open.size).toBe(0);
      const snapshot = ledger.snapshot();
      expect(snapshot.totalReservedCents).toBe(0);
      expect(snapshot.openReservations).toBe(0);
      expect(snapshot.overruns.count).toBe(0);
      expect(snapshot.totalSpentCents).toBe(expectedSpentMicro / 1e6);
      for (const agentId of agentIds) expect(ledger.reservedCents(agentId)).toBe(0);
    }
    // The limits were actually exercised both ways.
    expect(admitted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});

describe('the model gateway closes every reservation it makes', () => {
  const request: ModelRequest = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 100 };
  const call = { agentId: 'a', purpose: 'acting', provider: 'scripted', request } as const;

  it('holds nothing when the provider cannot be resolved (unknown name, missing key)', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 100 });
    const gateway = createModelGateway({
      resolveProvider: () => {
        throw new MissingApiKeyError('anthropic', 'ANTHROPIC_API_KEY');
      },
      prices: DEFAULT_PRICES,
      budget: ledger,
    });
    await expect(gateway.call(call)).rejects.toBeInstanceOf(MissingApiKeyError);
    expect(ledger.snapshot()).toMatchObject({ totalReservedCents: 0, openReservations: 0 });
  });

  it('releases the hold when the provider fails; usage that is not a count is charged in full, typed', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 100 });
    const model = createScriptedProvider().enqueue(new Error('boom'), {
      text: 'ok',
      usage: { ...EMPTY_USAGE, inputTokens: Number.NaN },
    });
    const gateway = createModelGateway({ resolveProvider: () => model, prices: DEFAULT_PRICES, budget: ledger });
    await expect(gateway.call(call)).rejects.toThrow('boom');
    expect(ledger.snapshot().openReservations).toBe(0);
    // Unknown spend fails closed: the whole reservation is charged and the limit takes no further call.
    await expect(gateway.call(call)).rejects.toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
    expect(ledger.snapshot()).toMatchObject({ totalReservedCents: 0, openReservations: 0, closed: { total: true } });
    expect(ledger.spentCents()).toBeGreaterThan(0);
  });

  it('settles the hold with the priced usage of a successful call', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 100 });
    const model = createScriptedProvider().enqueue({ text: 'ok', usage: { ...EMPTY_USAGE, inputTokens: 1000, outputTokens: 100 } });
    const gateway = createModelGateway({ resolveProvider: () => model, prices: DEFAULT_PRICES, budget: ledger });
    const { costCents } = await gateway.call(call);
    expect(costCents).toBeCloseTo((1000 * 300 + 100 * 1500) / 1e6, 12);
    expect(ledger.snapshot()).toMatchObject({ totalSpentCents: costCents, totalReservedCents: 0, openReservations: 0 });
  });
});
