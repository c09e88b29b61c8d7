/**
 * What compaction saves: a 50-turn conversation where every turn's model call
 * bills the whole memory as input, run once without compaction (the baseline)
 * and once with it. The summary calls' own input and output are billed too.
 *
 * Tokens are the text estimate (`estimateRequestTokens`), so the figures are
 * exact and repeatable: no model and no clock is involved. The summarizer is a
 * deterministic stand-in for a model: through the real `createModelSummarizer`
 * prompt, it answers with every tenth word of its input (about 10% of it).
 *
 * Run: `npx tsx bench/memory-compaction.ts`
 */
import { estimateRequestTokens, estimateTokens, messageText } from '../src/protocols/model.js';
import type { ModelRequest, TokenUsage } from '../src/protocols/model.js';
import { costOfUsage, requirePrice } from '../src/providers/model-prices.js';
import { ConversationMemory, createModelSummarizer } from '../src/agents/memory.js';
import type { BenchCase, BenchFigure } from './harness.js';

const TURNS = 50;
const TOKEN_THRESHOLD = 4000;
const PRESERVE_LAST_N_MESSAGES = 6;
const MODEL = 'claude-sonnet-4-5';
const WORDS = ['ledger', 'agent', 'budget', 'latency', 'schema', 'artifact', 'review', 'deploy', 'metric', 'cache', 'retry', 'quorum'];

/** Deterministic filler of about `tokens` tokens (4 characters a token). */
function filler(turn: number, tokens: number): string {
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < tokens * 4; i++) {
    const word = `${WORDS[(turn * 7 + i * 3) % WORDS.length] ?? 'x'}${(turn * 31 + i) % 97}`;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

const question = (turn: number): string => `Context for step ${turn}: ${filler(turn, 300)}\nQuestion ${turn}: what should we do next?`;
const answer = (turn: number): string => `Answer ${turn}: ${filler(turn + 1000, 200)}`;

interface RunTotals {
  readonly billedTokens: number;
  readonly costCents: number;
  readonly compactions: number;
  readonly summaryTokens: number;
  readonly peakInputTokens: number;
}

/** Plays the conversation; with `compact`, compacts before any call the memory is over the threshold for. */
async function run(compact: boolean): Promise<RunTotals> {
  const price = requirePrice(MODEL);
  let billedTokens = 0;
  let costCents = 0;
  let summaryTokens = 0;
  let compactions = 0;
  let peakInputTokens = 0;
  const bill = (usage: TokenUsage): number => {
    billedTokens += usage.inputTokens + usage.outputTokens;
    const cents = costOfUsage(usage, price);
    costCents += cents;
    return cents;
  };
  const usage = (inputTokens: number, outputTokens: number): TokenUsage => ({
    inputTokens,
    outputTokens,
    thinkingTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  });

  // A model stand-in for the summary call: every tenth word of what it was sent.
  const summarizer = createModelSummarizer(
    async (request: ModelRequest) => {
      const words = request.messages.map(messageText).join(' ').split(/\s+/);
      const text = words.filter((_, index) => index % 10 === 0).join(' ');
      const summaryUsage = usage(estimateRequestTokens(request), estimateTokens(text));
      summaryTokens += summaryUsage.inputTokens + summaryUsage.outputTokens;
      return { text, costCents: bill(summaryUsage) };
    },
    { model: MODEL, maxTokens: 1024 },
  );

  const memory = new ConversationMemory({ tokenThreshold: TOKEN_THRESHOLD, preserveLastNMessages: PRESERVE_LAST_N_MESSAGES });
  for (let turn = 0; turn < TURNS; turn++) {
    memory.append({ role: 'user', content: question(turn) });
    if (compact && (await memory.needsCompaction())) {
      const result = await memory.compact(summarizer);
      if (result.compacted) compactions += 1;
    }
    const inputTokens = estimateRequestTokens({ messages: memory.messages() });
    peakInputTokens = Math.max(peakInputTokens, inputTokens);
    const reply = answer(turn);
    bill(usage(inputTokens, estimateTokens(reply)));
    memory.append({ role: 'assistant', content: reply });
  }
  return { billedTokens, costCents, compactions, summaryTokens, peakInputTokens };
}

/** Always the full 50 turns: the run is pure arithmetic and takes milliseconds, quick or not. */
const memoryCompaction: BenchCase = async () => {
  const baseline = await run(false);
  const compacted = await run(true);
  const saving = 1 - compacted.billedTokens / baseline.billedTokens;
  const figures: BenchFigure[] = [
    {
      case: 'memory-compaction',
      metric: `billed tokens, ${TURNS} turns`,
      value: compacted.billedTokens,
      unit: 'tokens',
      baseline: { name: 'no compaction', value: baseline.billedTokens },
      target: 'saves >= 50% of baseline',
      met: saving >= 0.5,
      notes:
        `tokenThreshold ${TOKEN_THRESHOLD}, preserveLastNMessages ${PRESERVE_LAST_N_MESSAGES}; ` +
        `${compacted.compactions} compactions billed ${compacted.summaryTokens} tokens; ` +
        `peak input ${compacted.peakInputTokens} vs ${baseline.peakInputTokens} tokens`,
    },
    {
      case: 'memory-compaction',
      metric: 'saving',
      value: Math.round(saving * 1000) / 10,
      unit: '%',
      target: '>= 50',
      met: saving >= 0.5,
    },
    {
      case: 'memory-compaction',
      metric: `billed cost at ${MODEL} prices`,
      value: Math.round(compacted.costCents * 1000) / 1000,
      unit: '¢',
      baseline: { name: 'no compaction', value: Math.round(baseline.costCents * 1000) / 1000 },
    },
  ];
  return figures;
};

export default memoryCompaction;

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const figure of await memoryCompaction({ quick: false })) console.log(JSON.stringify(figure));
}
