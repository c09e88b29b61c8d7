import { describe, expect, it } from 'vitest';
import { createSimulatedProvider } from '../../src/index.js';
import type { ModelDelta, ModelRequest } from '../../src/index.js';

const request: ModelRequest = {
  model: 'claude-sonnet-4-5',
  maxTokens: 2000,
  thinkingBudgetTokens: 1024,
  messages: [{ role: 'user', content: 'Design a rate limiter for the payments API.' }],
};

async function streamOf(seed: number, req: ModelRequest, sleeps?: number[]) {
  const provider = createSimulatedProvider({
    seed,
    latencyMs: 400,
    sleep: (ms) => {
      sleeps?.push(ms);
      return Promise.resolve();
    },
  });
  const deltas: ModelDelta[] = [];
  const response = await provider.stream?.(req, (delta) => deltas.push(delta));
  return { deltas, response, plain: await provider.complete(req) };
}

describe('the simulated provider streaming', () => {
  it('streams thinking then text in small pieces that join into the response, the same for a seed', async () => {
    const sleeps: number[] = [];
    const first = await streamOf(11, request, sleeps);
    const second = await streamOf(11, request);
    expect(first.deltas).toEqual(second.deltas);
    expect(first.deltas.length).toBeGreaterThan(5);
    const join = (kind: ModelDelta['kind']) => first.deltas.filter((d) => d.kind === kind).map((d) => d.text).join('');
    expect(join('text')).toBe(first.response?.text);
    expect(join('thinking')).toBe(first.response?.thinking);
    expect(first.deltas.findLastIndex((d) => d.kind === 'thinking')).toBeLessThan(first.deltas.findIndex((d) => d.kind === 'text'));
    // Same answer as a plain call.
    expect(first.response?.text).toBe(first.plain.text);
    // The latency is spread: a quarter before the first delta, the rest between deltas, 400 ms in all
    // (the last sleep is the plain call's, all at once).
    expect(sleeps[0]).toBe(100);
    expect(sleeps.at(-1)).toBe(400);
    expect(sleeps.slice(0, -1).reduce((a, b) => a + b, 0)).toBe(400);
  });

  it('streams a structured output as JSON pieces', async () => {
    const { deltas, response } = await streamOf(2, {
      ...request,
      thinkingBudgetTokens: undefined,
      structuredOutput: { name: 'plan', schema: { type: 'object', properties: { steps: { type: 'array', items: { type: 'string' } } }, required: ['steps'] } },
    });
    expect(deltas.every((d) => d.kind === 'structured')).toBe(true);
    expect(JSON.parse(deltas.map((d) => d.text).join(''))).toEqual(response?.structured);
  });
});
