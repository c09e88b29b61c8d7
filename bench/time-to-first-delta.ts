/**
 * Time to first delta: from the call to the first text delta in the caller's
 * hands, through troupe's model boundary (the gateway's chain: events,
 * budget, the streaming terminal with its idle timer and delta tagging, the
 * provider on the SDK) against the same SDK used directly, on the same
 * loopback server speaking each API's SSE format. Calls alternate between the
 * two, one at a time (which goes first alternates too); the figures are the
 * median of each, and the time added is the median of the paired differences,
 * which a noisy machine's drift affects least.
 *
 * Run: `npx tsx bench/time-to-first-delta.ts`
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { BudgetLedger, createModelGateway } from '../src/model/index.js';
import { EventHub } from '../src/protocols/events.js';
import type { ModelGateway } from '../src/protocols/gateway.js';
import type { ModelRequest } from '../src/protocols/model.js';
import { createAnthropicProvider } from '../src/providers/anthropic.js';
import { DEFAULT_PRICES } from '../src/providers/model-prices.js';
import { createOpenAIProvider } from '../src/providers/openai.js';
import type { BenchCase, BenchFigure } from './harness.js';
import { round } from './support/measure.js';
import { startSseModelServer } from './support/sse-server.js';

const KEY = 'sk-bench-not-a-real-key-000000';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2 : (sorted[mid] ?? 0);
}

/** Milliseconds from now until `start` has produced its first delta (the call then runs to its end). */
async function firstDeltaMs(start: (onFirst: () => void) => Promise<unknown>): Promise<number> {
  const began = process.hrtime.bigint();
  let at: bigint | undefined;
  await start(() => {
    at ??= process.hrtime.bigint();
  });
  if (at === undefined) throw new Error('no delta arrived');
  return Number(at - began) / 1e6;
}

function troupeGateway(provider: ReturnType<typeof createAnthropicProvider>): ModelGateway {
  const events = new EventHub();
  // A listener, as a streaming UI would have: deltas go through the hub too.
  events.on('model.delta', () => undefined);
  return createModelGateway({ resolveProvider: () => provider, prices: DEFAULT_PRICES, events, budget: new BudgetLedger({ totalCostLimitCents: 1e9 }) });
}

interface Pair {
  readonly troupe: () => Promise<number>;
  readonly sdk: () => Promise<number>;
}

function anthropicPair(url: string): Pair {
  const client = new Anthropic({ apiKey: KEY, baseURL: url, maxRetries: 0 });
  const gateway = troupeGateway(createAnthropicProvider({ apiKey: KEY, baseURL: url }));
  const request: ModelRequest = { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 64 };
  return {
    sdk: () =>
      firstDeltaMs(async (onFirst) => {
        const stream = client.messages.stream({ model: request.model, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
        stream.on('text', onFirst);
        await stream.finalMessage();
      }),
    troupe: () => firstDeltaMs((onFirst) => gateway.call({ agentId: 'bench', purpose: 'acting', provider: 'anthropic', request, onDelta: onFirst })),
  };
}

function openaiPair(url: string): Pair {
  const client = new OpenAI({ apiKey: KEY, baseURL: `${url}/v1`, maxRetries: 0 });
  const gateway = troupeGateway(createOpenAIProvider({ apiKey: KEY, baseURL: `${url}/v1` }));
  const request: ModelRequest = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 64 };
  return {
    sdk: () =>
      firstDeltaMs(async (onFirst) => {
        const stream = await client.chat.completions.create({
          model: 'gpt-4o',
          max_tokens: 64,
          messages: [{ role: 'user', content: 'Hi' }],
          stream: true,
          stream_options: { include_usage: true },
        });
        for await (const chunk of stream) if (chunk.choices[0]?.delta.content) onFirst();
      }),
    troupe: () => firstDeltaMs((onFirst) => gateway.call({ agentId: 'bench', purpose: 'acting', provider: 'openai', request, onDelta: onFirst })),
  };
}

async function measurePair(pair: Pair, calls: number): Promise<{ troupe: number; sdk: number; added: number }> {
  // Warm both paths (connections, JIT) before measuring.
  for (let i = 0; i < Math.min(20, calls); i++) {
    await pair.sdk();
    await pair.troupe();
  }
  const troupe: number[] = [];
  const sdk: number[] = [];
  for (let i = 0; i < calls; i++) {
    if (i % 2 === 0) {
      sdk.push(await pair.sdk());
      troupe.push(await pair.troupe());
    } else {
      troupe.push(await pair.troupe());
      sdk.push(await pair.sdk());
    }
  }
  return { troupe: median(troupe), sdk: median(sdk), added: median(troupe.map((t, i) => t - (sdk[i] ?? 0))) };
}

const timeToFirstDelta: BenchCase = async ({ quick }) => {
  const calls = quick ? 10 : 500;
  const server = await startSseModelServer();
  try {
    const figures: BenchFigure[] = [];
    for (const [name, pair] of [
      ['anthropic', anthropicPair(server.url)],
      ['openai', openaiPair(server.url)],
    ] as const) {
      const { troupe, sdk, added } = await measurePair(pair, calls);
      figures.push({
        case: `time-to-first-delta/${name}`,
        metric: 'median time to first text delta',
        value: round(troupe, 3),
        unit: 'ms',
        baseline: { name: `${name} SDK directly`, value: round(sdk, 3) },
        target: '≤ 1 ms added',
        met: added <= 1,
        notes: `added ${round(added * 1000)} µs (median of paired differences); ${calls} alternating calls each, loopback SSE server, gateway with events listener and budget`,
      });
    }
    return figures;
  } finally {
    await server.close();
  }
};

export default timeToFirstDelta;

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const figure of await timeToFirstDelta({ quick: process.argv.includes('--quick') })) console.log(JSON.stringify(figure));
}
