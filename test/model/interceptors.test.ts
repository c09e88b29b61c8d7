import { describe, expect, it } from 'vitest';
import { BudgetLedger, budgetInterceptor, callProvider, composeModelCall, eventsInterceptor, journalInterceptor, notePartialCharge } from '../../src/model/index.js';
import type { BudgetStore } from '../../src/model/index.js';
import type { CallRecorder } from '../../src/model/index.js';
import { BudgetExceededError, ConfigError } from '../../src/index.js';
import type { ModelCall, ModelCallInterceptor, ModelCallOutcome, ModelResponse, NextModelCall } from '../../src/index.js';
import { EMPTY_USAGE, EventHub } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';

const price = { inputCentsPerMTok: 10_000, outputCentsPerMTok: 10_000, cacheReadCentsPerMTok: 0, cacheWriteCentsPerMTok: 0 };
const priceOf = (c: ModelCall) => (c.request.model === 'priced' ? price : undefined);

function call(overrides: Partial<ModelCall> = {}): ModelCall {
  return {
    agentId: 'a',
    purpose: 'acting',
    provider: 'scripted',
    request: { model: 'priced', maxTokens: 10, messages: [{ role: 'user', content: 'hi' }] },
    ...overrides,
  };
}

function response(text: string, outputTokens = 2): ModelResponse {
  return {
    text,
    toolCalls: [],
    stopReason: 'end_turn',
    model: 'priced',
    usage: { inputTokens: 1, outputTokens, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  };
}

const answer = (text: string, costCents = 0.5): NextModelCall => async () => ({ response: response(text), costCents, callId: 'c1' });

describe('the model boundary chain', () => {
  it('runs links outermost first and the terminal last, each seeing the outcome on its way back', async () => {
    const order: string[] = [];
    const link = (name: string): ModelCallInterceptor => async (c, next) => {
      order.push(`${name} in`);
      const outcome = await next(c);
      order.push(`${name} out`);
      return outcome;
    };
    const run = composeModelCall([link('outer'), link('inner')], async (c) => {
      order.push('terminal');
      return answer('x')(c);
    });
    await run(call());
    expect(order).toEqual(['outer in', 'inner in', 'terminal', 'inner out', 'outer out']);
  });

  it('lets a link answer without calling next (a cache) or refuse by throwing (a guardrail)', async () => {
    let reached = 0;
    const terminal: NextModelCall = async (c) => {
      reached++;
      return answer('fresh')(c);
    };
    const cached: ModelCallInterceptor = async () => ({ response: response('cached'), costCents: 0, callId: 'cache' });
    expect((await composeModelCall([cached], terminal)(call())).response.text).toBe('cached');
    const guard: ModelCallInterceptor = async () => {
      throw new Error('refused');
    };
    await expect(composeModelCall([guard], terminal)(call())).rejects.toThrow('refused');
    expect(reached).toBe(0);
  });
});

describe('the budget link', () => {
  it('holds the worst case while the call runs and settles what it cost', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 1000 });
    let reservedDuring = 0;
    const link = budgetInterceptor(ledger, priceOf);
    await link(call(), async (c) => {
      reservedDuring = ledger.reservedCents();
      return answer('x', 0.05)(c);
    });
    expect(reservedDuring).toBeGreaterThan(0.05);
    expect(ledger.reservedCents()).toBe(0);
    expect(ledger.spentCents()).toBe(0.05);
  });

  it('frees the hold when the call fails, and refuses a call that could pass the limit', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 1 });
    const link = budgetInterceptor(ledger, priceOf);
    await expect(link(call(), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(ledger.reservedCents()).toBe(0);
    expect(ledger.spentCents()).toBe(0);
    await expect(link(call({ request: { model: 'priced', maxTokens: 1_000_000, messages: [] } }), answer('x'))).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('settles a failed stream\'s partial charge before freeing the hold, and a store that fails to settle or release never hides the call\'s error', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 1000 });
    const closes: string[] = [];
    /** The ledger behind a store whose closes answer a turn later, as a networked one does; `failing` closes reject. */
    const slowStore = (failing: boolean): BudgetStore => ({
      kind: 'slow',
      isLimited: true,
      async reserve(request) {
        const hold = ledger.reserve(request);
        const later = <T,>(close: () => T, name: string): Promise<T> =>
          new Promise((resolve, reject) =>
            setImmediate(() => {
              closes.push(name);
              if (failing) reject(new Error(`${name} failed`));
              else resolve(close());
            }),
          );
        return {
          agentId: hold.agentId,
          reservedCents: hold.reservedCents,
          settle: (cents, options) => later(() => hold.settle(cents, options), 'settle'),
          release: () => later(() => hold.release(), 'release'),
        };
      },
    });
    const cut = (): Promise<ModelCallOutcome> => {
      const error = new Error('stream cut');
      notePartialCharge(error, { usage: EMPTY_USAGE, costCents: 0.25 });
      return Promise.reject(error);
    };
    await expect(budgetInterceptor(slowStore(false), priceOf)(call(), cut)).rejects.toThrow('stream cut');
    expect(closes).toEqual(['settle', 'release']);
    expect(ledger.spentCents()).toBe(0.25);
    expect(ledger.reservedCents()).toBe(0);
    await expect(budgetInterceptor(slowStore(true), priceOf)(call(), cut)).rejects.toThrow('stream cut');
  });

  it('refuses a model of unknown price under a limit, and passes it through without one', async () => {
    const limited = budgetInterceptor(new BudgetLedger({ totalCostLimitCents: 10 }), priceOf);
    await expect(limited(call({ request: { model: 'mystery', maxTokens: 1, messages: [] } }), answer('x'))).rejects.toBeInstanceOf(ConfigError);
    const open = budgetInterceptor(new BudgetLedger({}), priceOf);
    expect((await open(call({ request: { model: 'mystery', maxTokens: 1, messages: [] } }), answer('x'))).response.text).toBe('x');
  });
});

describe('the journal link', () => {
  it('serves a recorded answer without calling on, marked replayed', async () => {
    const recorder: CallRecorder = { lookup: () => ({ response: response('recorded'), costCents: 0.1 }) };
    let reached = false;
    const outcome = await journalInterceptor(recorder)(call(), async (c) => {
      reached = true;
      return answer('fresh')(c);
    });
    expect(outcome).toMatchObject({ replayed: true, costCents: 0.1, response: { text: 'recorded' } });
    expect(reached).toBe(false);
  });

  it('records a fresh response before returning it, and a failure before rethrowing it', async () => {
    const seen: string[] = [];
    const recorder: CallRecorder = {
      record: async (_c, outcome: ModelCallOutcome) => {
        seen.push(`record ${outcome.response.text}`);
      },
      recordFailure: async (_c, error) => {
        seen.push(`failure ${(error as Error).message}`);
      },
    };
    const link = journalInterceptor(recorder);
    await link(call(), answer('fresh'));
    await expect(link(call(), async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(seen).toEqual(['record fresh', 'failure down']);
  });
});

describe('the events link', () => {
  it('reports finished calls with their cost and failed calls with their error', async () => {
    const hub = new EventHub();
    const finished: unknown[] = [];
    const failed: unknown[] = [];
    hub.on('model.call.finished', (e) => finished.push(e));
    hub.on('model.call.failed', (e) => failed.push(e));
    const link = eventsInterceptor(hub, () => 0);
    await link(call({ taskId: 't1' }), answer('x', 0.3));
    await expect(link(call(), async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    expect(finished).toMatchObject([{ agentId: 'a', taskId: 't1', costCents: 0.3, replayed: false }]);
    expect(failed).toMatchObject([{ agentId: 'a', error: { message: 'nope' } }]);
  });
});

describe('the provider terminal', () => {
  it('calls the named provider and prices the usage it reports', async () => {
    const scripted = createScriptedProvider().enqueue({ text: 'hello', usage: { inputTokens: 3, outputTokens: 4, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 } });
    const outcome = await callProvider(() => scripted, priceOf)(call());
    expect(outcome.response.text).toBe('hello');
    expect(outcome.costCents).toBeCloseTo(7 * 0.01, 9);
  });
});
