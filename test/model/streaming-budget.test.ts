import { describe, expect, it } from 'vitest';
import { BudgetLedger, createModelGateway, partialChargeOf } from '../../src/model/index.js';
import { DEFAULT_PRICES, EventHub, costOfUsage, findPrice } from '../../src/index.js';
import type { ModelCall, ModelCallDelta, ModelProvider, ModelRequest } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedStep } from '../../src/testing.js';

const request: ModelRequest = { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Write a long essay' }], maxTokens: 1000 };
const price = findPrice('claude-haiku-4-5', DEFAULT_PRICES);

function setup(steps: readonly ScriptedStep[]) {
  const provider = createScriptedProvider().enqueue(...steps);
  const budget = new BudgetLedger({ totalCostLimitCents: 100 });
  const gateway = createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES, budget });
  return { provider, budget, gateway };
}

describe('the budget under streaming', () => {
  it('settles a finished stream with its final usage', async () => {
    const usage = { inputTokens: 40, outputTokens: 300, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const { budget, gateway } = setup([{ chunks: ['a ', 'b ', 'c'], usage }]);
    const deltas: string[] = [];
    const outcome = await gateway.call({ agentId: 'a', purpose: 'acting', provider: 'scripted', request, onDelta: (d) => deltas.push(d.text) });
    expect(deltas).toEqual(['a ', 'b ', 'c']);
    expect(outcome.response.text).toBe('a b c');
    if (!price) throw new Error('no price');
    expect(outcome.costCents).toBeCloseTo(costOfUsage(usage, price), 9);
    expect(budget.snapshot().totalSpentCents).toBeCloseTo(outcome.costCents, 6);
    expect(budget.snapshot().totalReservedCents).toBe(0);
  });

  it('charges an aborted stream for what it had generated, at least a token a delta', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const text = 'x'.repeat(400);
    const { budget, gateway } = setup([{ chunks: [text, 'y', { gate }, 'never sent'] }]);
    const controller = new AbortController();
    const call: ModelCall = {
      agentId: 'a',
      purpose: 'acting',
      provider: 'scripted',
      request: { ...request, signal: controller.signal },
      onDelta: (delta: ModelCallDelta) => {
        if (delta.text === 'y') controller.abort();
      },
    };
    const error = await gateway.call(call).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    release();
    expect(error).toMatchObject({ name: 'AbortError' });
    const charge = partialChargeOf(error);
    expect(charge?.usage.outputTokens).toBeGreaterThanOrEqual(100); // 401 characters ≈ 101 tokens
    expect(charge?.usage.inputTokens).toBeGreaterThan(0);
    const snapshot = budget.snapshot();
    expect(snapshot.totalReservedCents).toBe(0);
    expect(snapshot.totalSpentCents).toBeGreaterThan(0);
    expect(snapshot.totalSpentCents).toBeCloseTo(charge?.costCents ?? -1, 6);
  });

  it('frees the hold when a stream fails before any output', async () => {
    const { budget, gateway } = setup([{ chunks: [{ fail: new Error('refused') }] }]);
    await expect(gateway.call({ agentId: 'a', purpose: 'acting', provider: 'scripted', request, onDelta: () => undefined })).rejects.toThrow('refused');
    expect(budget.snapshot().totalSpentCents).toBe(0);
    expect(budget.snapshot().totalReservedCents).toBe(0);
  });

  it('charges a stream cut mid-way (provider failure after deltas)', async () => {
    const { budget, gateway } = setup([{ chunks: ['some text here', { fail: new Error('connection dropped') }] }]);
    await expect(gateway.call({ agentId: 'a', purpose: 'acting', provider: 'scripted', request, onDelta: () => undefined })).rejects.toThrow('dropped');
    expect(budget.snapshot().totalSpentCents).toBeGreaterThan(0);
  });
});

describe('streaming at the gateway', () => {
  it('streams only when model.delta has a listener or the call asks', async () => {
    const provider = createScriptedProvider({ fallback: () => ({ chunks: ['p', 'q'] }) });
    let streams = 0;
    const stream = provider.stream?.bind(provider);
    const counted: ModelProvider = {
      name: 'scripted',
      complete: (r) => provider.complete(r),
      ...(stream
        ? {
            stream: (r, onDelta) => {
              streams++;
              return stream(r, onDelta);
            },
          }
        : {}),
    };
    const events = new EventHub();
    const gateway = createModelGateway({ resolveProvider: () => counted, prices: DEFAULT_PRICES, events });
    const call: ModelCall = { agentId: 'a', purpose: 'thinking', provider: 'scripted', request, taskId: 't', workflowId: 'wf' };
    await gateway.call(call);
    expect(streams).toBe(0);
    const seen: ModelCallDelta[] = [];
    const off = events.on('model.delta', (event) => seen.push(event));
    await gateway.call(call);
    off();
    expect(streams).toBe(1);
    expect(seen.map((d) => [d.index, d.text, d.step, d.agentId, d.taskId, d.workflowId])).toEqual([
      [0, 'p', 'thinking', 'a', 't', 'wf'],
      [1, 'q', 'thinking', 'a', 't', 'wf'],
    ]);
    expect(new Set(seen.map((d) => d.callId)).size).toBe(1);
  });

  it('reports a provider without stream as one delta of its whole answer', async () => {
    const events = new EventHub();
    const plain = { name: 'plain', complete: createScriptedProvider({ fallback: () => ({ text: 'whole answer' }) }).complete };
    const gateway = createModelGateway({ resolveProvider: () => plain, prices: DEFAULT_PRICES, events });
    const seen: string[] = [];
    events.on('model.delta', (event) => seen.push(event.text));
    const outcome = await gateway.call({ agentId: 'a', purpose: 'acting', provider: 'plain', request });
    expect(outcome.response.text).toBe('whole answer');
    expect(seen).toEqual(['whole answer']);
  });

  it('holds no idle limit against a provider that cannot stream', async () => {
    const scripted = createScriptedProvider({ fallback: () => new Promise((resolve) => setTimeout(() => resolve({ text: 'slow but whole' }), 60)) });
    const plain = { name: 'plain', complete: (r: ModelRequest) => scripted.complete(r) };
    const gateway = createModelGateway({ resolveProvider: () => plain, prices: DEFAULT_PRICES });
    const seen: string[] = [];
    const outcome = await gateway.call({ agentId: 'a', purpose: 'acting', provider: 'plain', request, streamIdleTimeoutSeconds: 0.01, onDelta: (d) => seen.push(d.text) });
    expect(outcome.response.text).toBe('slow but whole');
    expect(seen).toEqual(['slow but whole']);
  });

  it('gives structured deltas a partial value that grows', async () => {
    const events = new EventHub();
    const provider = createScriptedProvider().enqueue({
      chunks: [
        { kind: 'structured', text: '{"title":"Q3 ris' },
        { kind: 'structured', text: 'k","items":[1,' },
        { kind: 'structured', text: '2]}' },
      ],
    });
    const gateway = createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES, events });
    const partials: unknown[] = [];
    events.on('model.delta', (event) => partials.push(event.partial));
    const outcome = await gateway.call({
      agentId: 'a',
      purpose: 'reflecting',
      provider: 'scripted',
      request: { ...request, structuredOutput: { name: 'r', schema: { type: 'object' } } },
    });
    expect(partials).toEqual([{ title: 'Q3 ris' }, { title: 'Q3 risk', items: [1] }, { title: 'Q3 risk', items: [1, 2] }]);
    expect(outcome.response.structured).toEqual({ title: 'Q3 risk', items: [1, 2] });
  });

  it('fails the call when its own onDelta throws, rather than dropping deltas', async () => {
    const provider = createScriptedProvider().enqueue({ chunks: ['a', 'b'] });
    const gateway = createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES });
    const call = gateway.call({ agentId: 'a', purpose: 'acting', provider: 'scripted', request, onDelta: () => { throw new Error('consumer bug'); } });
    await expect(call).rejects.toThrow('consumer bug');
  });
});
