import { describe, expect, it } from 'vitest';
import { BudgetLedger, budgetInterceptor, ledgerBudgetStore } from '../../src/model/index.js';
import type { BudgetHold, BudgetRequest, BudgetStore } from '../../src/model/index.js';
import { BudgetExceededError } from '../../src/index.js';
import type { ModelCall, NextModelCall } from '../../src/index.js';

const price = { inputCentsPerMTok: 10_000, outputCentsPerMTok: 10_000, cacheReadCentsPerMTok: 0, cacheWriteCentsPerMTok: 0 };

function call(callKey: string): ModelCall {
  return {
    agentId: 'a',
    purpose: 'acting',
    provider: 'scripted',
    callKey,
    request: { model: 'priced', maxTokens: 10, messages: [{ role: 'user', content: 'hi' }] },
  };
}

const answer = (costCents: number): NextModelCall => async () => ({
  response: {
    text: 'ok',
    toolCalls: [],
    stopReason: 'end_turn',
    model: 'priced',
    usage: { inputTokens: 1, outputTokens: 1, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  },
  costCents,
  callId: 'c1',
});

/** A store that answers later (as a networked one does) and logs what it is asked. */
function slowStore(inner: BudgetStore, log: string[]): BudgetStore {
  return {
    kind: 'slow',
    isLimited: inner.isLimited,
    async reserve(request: BudgetRequest): Promise<BudgetHold> {
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`reserve ${request.callKey ?? '-'}`);
      const hold = await inner.reserve(request);
      return {
        agentId: hold.agentId,
        reservedCents: hold.reservedCents,
        settle: async (cents, options) => {
          log.push(`settle ${cents}`);
          return hold.settle(cents, options);
        },
        release: async () => hold.release(),
      };
    },
  };
}

describe('the BudgetStore port', () => {
  it('reserves through an async store, keyed by the call key, and settles with the cost', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 100 });
    const log: string[] = [];
    const link = budgetInterceptor(slowStore(ledgerBudgetStore(ledger), log), () => price);
    const outcome = await link(call('wf/a/1'), answer(0.25));
    expect(outcome.costCents).toBe(0.25);
    expect(log).toEqual(['reserve wf/a/1', 'settle 0.25']);
    expect(ledger.snapshot()).toMatchObject({ totalSpentCents: 0.25, totalReservedCents: 0, openReservations: 0 });
  });

  it('never lets concurrent calls through an async store reserve past a limit', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 1 });
    const link = budgetInterceptor(slowStore(ledgerBudgetStore(ledger), []), () => price);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const samples: number[] = [];
    const slow: NextModelCall = async (c) => {
      samples.push(ledger.spentCents() + ledger.reservedCents());
      await gate;
      return answer(0.05)(c);
    };
    const calls = Array.from({ length: 40 }, (_, i) => link(call(`k${i}`), slow));
    const settled = Promise.allSettled(calls);
    // Every call has either reached the provider or been refused before the gate opens.
    let refusedBeforeGate = 0;
    for (const c of calls) c.catch(() => (refusedBeforeGate += 1));
    while (samples.length + refusedBeforeGate < calls.length) await new Promise((resolve) => setImmediate(resolve));
    release();
    const outcomes = await settled;
    const refused = outcomes.filter((s) => s.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((s) => s.status === 'rejected' && s.reason instanceof BudgetExceededError)).toBe(true);
    expect(samples.length).toBe(outcomes.length - refused.length);
    expect(Math.max(...samples)).toBeLessThanOrEqual(1);
    expect(ledger.spentCents()).toBeLessThanOrEqual(1);
  });

  it('releases the hold when the call fails', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 100 });
    const link = budgetInterceptor(ledgerBudgetStore(ledger), () => price);
    await expect(link(call('k'), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(ledger.snapshot()).toMatchObject({ totalSpentCents: 0, totalReservedCents: 0, openReservations: 0 });
  });
});
