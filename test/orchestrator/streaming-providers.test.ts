import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import type { WorkflowEvent } from '../../src/index.js';
import { BudgetLedger } from '../../src/index.js';
import { createModelGateway } from '../../src/testing.js';
import { DEFAULT_PRICES } from '../../src/index.js';
import { createOpenAIProvider } from '../../src/index.js';
import { startLoopbackServer } from '../support/loopback-server.js';
import type { LoopbackServer } from '../support/loopback-server.js';
import { anthropicStream, openaiStream } from '../support/sse-streams.js';

const KEY = 'sk-test-streaming-e2e-0123456789';
let server: LoopbackServer;
const orchestrators: Orchestrator[] = [];
beforeEach(async () => {
  server = await startLoopbackServer();
});
afterEach(async () => {
  await Promise.all(orchestrators.splice(0).map((o) => o.shutdown()));
  await server.close();
});

async function collect(o: Orchestrator): Promise<{ events: WorkflowEvent[]; output: string | null | undefined }> {
  const run = o.streamWorkflow({ tasks: [{ agentId: 'writer', taskDescription: 'Write one line' }] });
  const events: WorkflowEvent[] = [];
  for await (const event of run) events.push(event);
  const result = await run.result;
  expect(result.status).toBe('succeeded');
  return { events, output: result.results.writer?.output };
}

function texts(events: readonly WorkflowEvent[], step: string): string[] {
  return events.flatMap((e) => (e.type === 'model.delta' && e.step === step && e.kind !== 'tool_input' ? [e.text] : []));
}

describe('streamWorkflow on the real providers (loopback SSE)', () => {
  it('Anthropic: the acting text streams, the reflection streams as structured JSON', async () => {
    server.reply(
      { kind: 'sse', events: anthropicStream({ text: ['One ', 'line.'] }) },
      { kind: 'sse', events: anthropicStream({ tool: { id: 'toolu_r', name: 'self_reflection', json: ['{"confidence":0.9,', '"critique":"fine"}'] } }) },
    );
    const o = new Orchestrator({ provider: 'anthropic', anthropic: { apiKey: KEY, baseURL: server.url }, model: 'claude-haiku-4-5', enableThinkingAgents: false });
    orchestrators.push(o);
    const { events, output } = await collect(o);
    expect(texts(events, 'acting')).toEqual(['One ', 'line.']);
    expect(output).toBe('One line.');
    const reflection = events.filter((e): e is Extract<WorkflowEvent, { type: 'model.delta' }> => e.type === 'model.delta' && e.step === 'reflecting');
    expect(reflection.map((d) => d.kind)).toEqual(['structured', 'structured']);
    expect(reflection.at(-1)?.partial).toEqual({ confidence: 0.9, critique: 'fine' });
    expect(server.requests.every((r) => typeof r.body === 'object' && r.body !== null && 'stream' in r.body)).toBe(true);
  });

  it('OpenAI: the acting text streams, the reflection streams as structured JSON', async () => {
    server.reply(
      { kind: 'sse', events: openaiStream({ content: ['One ', 'line.'] }) },
      { kind: 'sse', events: openaiStream({ content: ['{"confidence":0.8,', '"critique":"ok"}'] }) },
    );
    const o = new Orchestrator({ provider: 'openai', openai: { apiKey: KEY, baseURL: `${server.url}/v1` }, enableThinkingAgents: false });
    orchestrators.push(o);
    const { events, output } = await collect(o);
    expect(texts(events, 'acting')).toEqual(['One ', 'line.']);
    expect(output).toBe('One line.');
    expect(texts(events, 'reflecting').join('')).toBe('{"confidence":0.8,"critique":"ok"}');
  });
});

describe('the budget of a real stream aborted mid-way', () => {
  it('charges what arrived, holds nothing, and the server sees the request cancelled', async () => {
    server.reply({ kind: 'sse', events: openaiStream({ content: ['x'.repeat(800), 'more'] }).slice(0, 3), then: 'stall' });
    const provider = createOpenAIProvider({ apiKey: KEY, baseURL: `${server.url}/v1` });
    const budget = new BudgetLedger({ totalCostLimitCents: 100 });
    const gateway = createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES, budget });
    const controller = new AbortController();
    const call = gateway.call({
      agentId: 'a',
      purpose: 'acting',
      provider: 'openai',
      request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Go' }], maxTokens: 4000, signal: controller.signal },
      onDelta: (delta) => {
        if (delta.text === 'more') controller.abort();
      },
    });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    await server.waitForClosed(1);
    const snapshot = budget.snapshot();
    expect(snapshot.totalReservedCents).toBe(0);
    // 804 characters ≈ 201 output tokens at gpt-4o's output price, plus the input.
    expect(snapshot.totalSpentCents).toBeGreaterThan((201 * 1000) / 1_000_000);
  });
});
