/**
 * Limits against providers that report more than a request allowed (buggy or
 * hostile servers), and against text that tokenizes near one token a character.
 */
import { describe, expect, it } from 'vitest';
import { BudgetExceededError, BudgetOverrunError, MalformedResponseError, MalformedUsageError } from '../../src/index.js';
import type { ModelProvider } from '../../src/index.js';
import type { ModelRequest, TokenUsage } from '../../src/index.js';
import { EMPTY_USAGE } from '../../src/index.js';
import { DEFAULT_PRICES } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { createRandom } from '../../src/testing.js';
import { BudgetLedger, estimateWorstCaseCents } from '../../src/index.js';
import { EventHub } from '../../src/index.js';
import type { TroupeEvent } from '../../src/index.js';
import { createModelGateway } from '../../src/testing.js';
import { Orchestrator } from '../../src/index.js';
import { SubAgentTask } from '../../src/index.js';
import { upperBoundRequestTokens } from '../../src/index.js';

const MODEL = 'claude-sonnet-4-5';
const PRICE = DEFAULT_PRICES[MODEL];
if (!PRICE) throw new Error('no price for the test model');

/** Yields a random number of event-loop turns, so concurrent calls finish in a random order. */
async function randomTurns(random: () => number): Promise<void> {
  const turns = 1 + Math.floor(random() * 4);
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function request(content: string, maxTokens = 100): ModelRequest {
  return { model: MODEL, maxTokens, messages: [{ role: 'user', content }] };
}

describe('a provider that reports more output than maxTokens', () => {
  it('is charged as reported, raises budget.overrun and closes the limit: no call starts after it (8 concurrent workers)', async () => {
    for (let trial = 0; trial < 20; trial++) {
      const random = createRandom(700 + trial).next;
      const limit = 5;
      const ledger = new BudgetLedger({ totalCostLimitCents: limit });
      const events = new EventHub();
      const overruns: TroupeEvent<'budget.overrun'>[] = [];
      let requestsAtFirstOverrun: number | undefined;
      const hostile = createScriptedProvider({
        fallback: async (req) => {
          await randomTurns(random);
          // Ten times what the request allowed.
          return { text: 'x', usage: { ...EMPTY_USAGE, inputTokens: 10, outputTokens: req.maxTokens * 10 } };
        },
      });
      events.on('budget.overrun', (event) => {
        overruns.push(event);
        requestsAtFirstOverrun ??= hostile.requests.length;
      });
      const gateway = createModelGateway({ resolveProvider: () => hostile, prices: DEFAULT_PRICES, budget: ledger, events });
      const refusals: unknown[] = [];
      const worker = async (index: number): Promise<void> => {
        for (;;) {
          try {
            await gateway.call({ agentId: `w${index}`, purpose: 'acting', provider: 'scripted', request: request('hello') });
          } catch (error) {
            refusals.push(error);
            return;
          }
        }
      };
      const workers = 8;
      await Promise.all(Array.from({ length: workers }, (_, index) => worker(index)));

      const reserved = estimateWorstCaseCents(request('hello'), PRICE);
      const charged = (10 * PRICE.inputCentsPerMTok + 1000 * PRICE.outputCentsPerMTok) / 1_000_000;
      expect(overruns.length).toBeGreaterThan(0);
      // Fail closed: every request the provider ever saw was already sent when the first overrun came back.
      expect(hostile.requests.length).toBe(requestsAtFirstOverrun);
      // Spent passes the limit by at most the calls in flight then (one per worker), each charged in full.
      const spent = ledger.spentCents();
      expect(spent).toBeGreaterThan(limit - reserved * workers);
      expect(spent).toBeLessThanOrEqual(limit + workers * charged);
      expect(spent).toBeCloseTo(hostile.requests.length * charged, 6);
      // The workers that were refused after the overrun got the typed error.
      expect(refusals.some((error) => error instanceof BudgetOverrunError)).toBe(true);
      for (const error of refusals) expect(error instanceof BudgetOverrunError || error instanceof BudgetExceededError).toBe(true);
      const first = overruns[0];
      expect(first?.allowed.outputTokens).toBe(100);
      expect(first?.usage.outputTokens).toBe(1000);
      expect(first?.closedLimits).toEqual(['totalCostLimitCents']);
      expect(first?.chargedCents).toBeCloseTo(charged, 9);
      expect(ledger.snapshot().closed.total).toBe(true);
      expect(ledger.snapshot().openReservations).toBe(0);
    }
  });

  it('closes only the limits the call was held against: a per-agent overrun leaves other agents free', async () => {
    const ledger = new BudgetLedger({ maxCostPerAgentCents: 100 });
    const events = new EventHub();
    const overruns: TroupeEvent<'budget.overrun'>[] = [];
    events.on('budget.overrun', (event) => overruns.push(event));
    const provider = createScriptedProvider().enqueue(
      // A small over-report: the cost still fits the reservation, but the tokens passed the request's.
      { text: 'x', usage: { ...EMPTY_USAGE, inputTokens: 1, outputTokens: 101 } },
      { text: 'fine', usage: { ...EMPTY_USAGE, inputTokens: 5, outputTokens: 5 } },
    );
    const gateway = createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES, budget: ledger, events });
    const call = (agentId: string) => gateway.call({ agentId, purpose: 'acting', provider: 'scripted', request: request('hi') });
    await call('a');
    expect(overruns).toHaveLength(1);
    expect(overruns[0]?.overrunCents).toBe(0);
    expect(overruns[0]?.closedLimits).toEqual(['maxCostPerAgentCents']);
    await expect(call('a')).rejects.toMatchObject({ code: 'BUDGET_OVERRUN', limit: 'maxCostPerAgentCents' });
    await expect(call('b')).resolves.toMatchObject({ response: { text: 'fine' } });
    expect(provider.requests).toHaveLength(2);
    expect(ledger.snapshot().closed).toEqual({ total: false, agents: ['a'] });
  });

  it('treats input reported past the request bound the same way', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 100 });
    const events = new EventHub();
    const overruns: TroupeEvent<'budget.overrun'>[] = [];
    events.on('budget.overrun', (event) => overruns.push(event));
    const bound = upperBoundRequestTokens(request('hi'));
    const provider = createScriptedProvider().enqueue({ text: 'x', usage: { ...EMPTY_USAGE, inputTokens: bound + 1, outputTokens: 1 } });
    const gateway = createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES, budget: ledger, events });
    const call = () => gateway.call({ agentId: 'a', purpose: 'acting', provider: 'scripted', request: request('hi') });
    const outcome = await call();
    expect(outcome.costCents).toBe(ledger.spentCents());
    expect(overruns[0]?.allowed.inputTokens).toBe(bound);
    await expect(call()).rejects.toBeInstanceOf(BudgetOverrunError);
  });

  it('in a workflow: tasks after the overrun end budget_exceeded with BUDGET_OVERRUN and the provider sees no further request', async () => {
    const random = createRandom(42).next;
    let requestsAtFirstOverrun: number | undefined;
    const hostile = createScriptedProvider({
      fallback: async (req) => {
        await randomTurns(random);
        return { text: 'answer', usage: { ...EMPTY_USAGE, inputTokens: 10, outputTokens: req.maxTokens * 10 } };
      },
    });
    const limit = 20;
    const orchestrator = new Orchestrator({
      provider: hostile,
      model: MODEL,
      maxTokens: 200,
      totalCostLimitCents: limit,
      journal: false,
      enableThinkingAgents: false,
      retryFailedAgents: false,
    });
    orchestrator.events.on('budget.overrun', () => {
      requestsAtFirstOverrun ??= hostile.requests.length;
    });
    try {
      const tasks = Array.from({ length: 40 }, (_, i) => new SubAgentTask({ agentId: `t${i}`, taskDescription: `task ${i}` }));
      const result = await orchestrator.executeWorkflow({ tasks, maxParallelAgents: 6, continueOnFailure: true });
      expect(requestsAtFirstOverrun).toBeDefined();
      expect(hostile.requests.length).toBe(requestsAtFirstOverrun);
      const refused = Object.values(result.results).filter((task) => task.error?.code === 'BUDGET_OVERRUN');
      expect(refused.length).toBeGreaterThan(0);
      for (const task of refused) expect(task.status).toBe('budget_exceeded');
      // At most the six calls in flight passed the limit, each charged what it reported.
      const perCall = (10 * PRICE.inputCentsPerMTok + 2000 * PRICE.outputCentsPerMTok) / 1_000_000;
      expect(orchestrator.budget.spentCents()).toBeLessThanOrEqual(limit + 6 * perCall);
      expect(result.totalCostCents).toBe(orchestrator.budget.spentCents());
    } finally {
      await orchestrator.shutdown();
    }
  });
});

describe('text near one token a character (CJK)', () => {
  /** One token per character of every text in the request: worse than any real tokenizer does for CJK. */
  function oneTokenPerChar(req: ModelRequest): TokenUsage {
    const texts = [JSON.stringify(req.system ?? ''), ...req.messages.map((message) => JSON.stringify(message.content))];
    const chars = texts.reduce((sum, text) => sum + [...text].length, 0);
    return { ...EMPTY_USAGE, inputTokens: chars, outputTokens: req.maxTokens };
  }

  it('never passes the limit and never overruns, whatever the text', async () => {
    const random = createRandom(99).next;
    const limit = 0.5;
    const ledger = new BudgetLedger({ totalCostLimitCents: limit });
    const events = new EventHub();
    let overruns = 0;
    events.on('budget.overrun', () => overruns++);
    const provider = createScriptedProvider({
      fallback: async (req) => {
        await randomTurns(random);
        return { text: '答', usage: oneTokenPerChar(req) };
      },
    });
    const gateway = createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES, budget: ledger, events });
    const cjk = (n: number) => Array.from({ length: n }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20_000))).join('');
    const worker = async (): Promise<void> => {
      for (;;) {
        try {
          await gateway.call({
            agentId: 'a',
            purpose: 'acting',
            provider: 'scripted',
            // A cheap model, so a 0.5¢ limit admits a few dozen calls.
            request: { ...request(cjk(20 + Math.floor(random() * 200)), 50), model: 'claude-3-haiku', system: cjk(30) },
          });
        } catch (error) {
          expect(error).toBeInstanceOf(BudgetExceededError);
          return;
        }
        expect(ledger.spentCents()).toBeLessThanOrEqual(limit);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(provider.requests.length).toBeGreaterThan(10);
    expect(ledger.spentCents()).toBeLessThanOrEqual(limit);
    expect(overruns).toBe(0);
    expect(ledger.snapshot().overruns.count).toBe(0);
  });

  it('bounds a CJK request by its UTF-8 bytes, not by four characters a token', () => {
    const text = '你好世界'.repeat(100); // 400 characters, 1,200 bytes
    const bound = upperBoundRequestTokens(request(text));
    expect(bound).toBeGreaterThanOrEqual(1200);
    expect(bound).toBeLessThan(1200 + 100);
  });
});

describe('a provider that reports usage that is not a count', () => {
  it('is charged its whole reservation, closes the limits and fails the call with PROVIDER_MALFORMED_RESPONSE', async () => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 100 });
    const events = new EventHub();
    const overruns: TroupeEvent<'budget.overrun'>[] = [];
    events.on('budget.overrun', (event) => overruns.push(event));
    const provider = createScriptedProvider().enqueue({ text: 'x', usage: { ...EMPTY_USAGE, inputTokens: Number.NaN, outputTokens: 5 } });
    const gateway = createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES, budget: ledger, events });
    const call = () => gateway.call({ agentId: 'a', purpose: 'acting', provider: 'scripted', request: request('hi') });
    await expect(call()).rejects.toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE', message: expect.stringContaining('inputTokens=NaN') });
    expect(ledger.spentCents()).toBeCloseTo(estimateWorstCaseCents(request('hi'), PRICE), 6);
    expect(overruns[0]?.closedLimits).toEqual(['totalCostLimitCents']);
    await expect(call()).rejects.toBeInstanceOf(BudgetOverrunError);
    expect(provider.requests).toHaveLength(1);
    expect(ledger.snapshot().openReservations).toBe(0);
  });
});

describe('a custom provider whose response is not a ModelResponse', () => {
  /** A provider answering `raw` (JSON text, so the test can send what the type forbids). */
  function answering(raw: string): ModelProvider {
    return { name: 'custom', complete: async () => JSON.parse(raw) };
  }
  const usage = JSON.stringify({ ...EMPTY_USAGE, inputTokens: 3, outputTokens: 2 });

  it.each([
    ['text', `{"text":42,"toolCalls":[],"usage":${usage},"model":"m","stopReason":"end_turn"}`],
    ['stopReason', `{"text":"ok","toolCalls":[],"usage":${usage},"model":"m","stopReason":"done"}`],
    ['toolCalls.0.name', `{"text":"ok","toolCalls":[{"id":"c1"}],"usage":${usage},"model":"m","stopReason":"tool_use"}`],
    ['toolCalls', `{"text":"ok","usage":${usage},"model":"m","stopReason":"end_turn"}`],
  ])('fails the call with MalformedResponseError naming %s, charged its whole reservation', async (field, raw) => {
    const ledger = new BudgetLedger({ totalCostLimitCents: 100 });
    const gateway = createModelGateway({ resolveProvider: () => answering(raw), prices: DEFAULT_PRICES, budget: ledger, events: new EventHub() });
    const failure = gateway.call({ agentId: 'a', purpose: 'acting', provider: 'custom', request: request('hi') });
    await expect(failure).rejects.toBeInstanceOf(MalformedResponseError);
    await expect(failure).rejects.toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE', field, message: expect.stringContaining(`field ${field}`) });
    expect(ledger.spentCents()).toBeCloseTo(estimateWorstCaseCents(request('hi'), PRICE), 6);
    expect(ledger.snapshot().openReservations).toBe(0);
  });

  it('refuses a token count that is not whole', async () => {
    const raw = `{"text":"ok","toolCalls":[],"usage":${JSON.stringify({ ...EMPTY_USAGE, outputTokens: 1.5 })},"model":"m","stopReason":"end_turn"}`;
    const gateway = createModelGateway({ resolveProvider: () => answering(raw), prices: DEFAULT_PRICES, budget: new BudgetLedger({}), events: new EventHub() });
    const failure = gateway.call({ agentId: 'a', purpose: 'acting', provider: 'custom', request: request('hi') });
    await expect(failure).rejects.toBeInstanceOf(MalformedUsageError);
    await expect(failure).rejects.toMatchObject({ message: expect.stringContaining('outputTokens=1.5') });
  });

  it('fails the task, not the run\'s journal: the run ends failed with the typed error', async () => {
    const o = new Orchestrator({ provider: answering(`{"text":42,"toolCalls":[],"usage":${usage},"model":"m","stopReason":"end_turn"}`), journal: { storage: 'memory' }, retryFailedAgents: false });
    try {
      const run = await o.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'Say hi' }] });
      expect(run.status).toBe('failed');
      expect(run.results.a?.error).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
      expect((await o.getWorkflow(run.workflowId))?.status).toBe('failed');
    } finally {
      await o.shutdown();
    }
  });
});
