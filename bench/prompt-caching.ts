/**
 * Prompt caching: 10 agents spawned from one template whose systemPrompt is
 * ~4,000 tokens run one workflow (default config: thinking, acting and
 * reflecting, so 3 calls an agent, maxParallelAgents 5). Every call sends the
 * template's prompt as its first system block, marked `cache: true` by the
 * agent (src/actors/agent/run.ts), so on one shared simulated provider the
 * first call writes the cache and the others read it.
 *
 * The baseline runs the same workflow through a wrapper that strips the
 * `cache` markers. Billed input cost = input + cache-read + cache-write
 * tokens at the model's prices (the simulated provider bills cache reads and
 * writes the way Anthropic does; the price table has the cache prices).
 *
 * Run: `npx tsx bench/prompt-caching.ts`
 */
import type { ModelProvider, TokenUsage } from '../src/protocols/model.js';
import { costOfUsage, requirePrice } from '../src/providers/model-prices.js';
import { createSimulatedProvider } from '../src/providers/simulated/simulated.js';
import { Orchestrator } from '../src/orchestrator/orchestrator.js';
import type { BenchCase, BenchFigure } from './harness.js';
import { round } from './support/measure.js';
import { withoutPromptCaching } from './support/providers.js';

const MODEL = 'claude-sonnet-4-5';
const AGENTS = 10;
const PROMPT_TOKENS = 4000;
const TOPICS = ['revenue', 'churn', 'pricing', 'latency', 'support', 'security', 'hiring', 'inventory', 'logistics', 'compliance'];

/** A deterministic system prompt of about `tokens` tokens (4 characters a token). */
export function longSystemPrompt(tokens: number): string {
  const lines = ['You are an analyst on the operations team. Follow the handbook below exactly.'];
  for (let i = 0; lines.join('\n').length < tokens * 4; i++) {
    const topic = TOPICS[i % TOPICS.length] ?? 'operations';
    lines.push(`Rule ${i + 1}: when a question touches ${topic}, cite the metric, its trend over four quarters, and the owner; flag anomalies above ${(i % 7) + 2}%.`);
  }
  return lines.join('\n');
}

interface Billing {
  readonly inputCents: number;
  readonly totalCents: number;
  readonly usage: TokenUsage;
}

async function runWorkflow(provider: ModelProvider, systemPrompt: string): Promise<Billing> {
  const orchestrator = new Orchestrator({ provider, model: MODEL, maxParallelAgents: 5, journal: false });
  orchestrator.registerTemplate('analyst', { systemPrompt });
  const tasks = Array.from({ length: AGENTS }, (_, i) => ({
    agentId: `analyst_${i}`,
    template: 'analyst',
    taskDescription: `Review the ${TOPICS[i] ?? 'operations'} dashboard and list the three biggest risks.`,
  }));
  try {
    const result = await orchestrator.executeWorkflow({ tasks, continueOnFailure: true });
    if (result.status !== 'succeeded') throw new Error(`the caching workflow ended ${result.status}`);
    const price = requirePrice(MODEL);
    const inputOnly: TokenUsage = { ...result.usage, outputTokens: 0, thinkingTokens: 0 };
    return { inputCents: costOfUsage(inputOnly, price), totalCents: result.totalCostCents, usage: result.usage };
  } finally {
    await orchestrator.shutdown();
  }
}

const promptCaching: BenchCase = async () => {
  const systemPrompt = longSystemPrompt(PROMPT_TOKENS);
  // One provider instance per run: its cache is shared by the run's agents, and nothing carries over.
  const cached = await runWorkflow(createSimulatedProvider({ seed: 3 }), systemPrompt);
  const uncached = await runWorkflow(withoutPromptCaching(createSimulatedProvider({ seed: 3 })), systemPrompt);
  const saving = 1 - cached.inputCents / uncached.inputCents;
  const figures: BenchFigure[] = [
    {
      case: 'prompt-caching',
      metric: `billed input cost, ${AGENTS} agents`,
      value: round(cached.inputCents, 3),
      unit: '¢',
      baseline: { name: 'cache markers stripped', value: round(uncached.inputCents, 3) },
      notes:
        `~${PROMPT_TOKENS}-token shared systemPrompt, ${MODEL} prices; cached run: ${cached.usage.cacheWriteTokens} tokens written, ` +
        `${cached.usage.cacheReadTokens} read, ${cached.usage.inputTokens} uncached; saving ${round(saving * 100)}%`,
    },
    {
      case: 'prompt-caching',
      metric: `billed total cost, ${AGENTS} agents`,
      value: round(cached.totalCents, 3),
      unit: '¢',
      baseline: { name: 'cache markers stripped', value: round(uncached.totalCents, 3) },
      notes: 'input, cache and output tokens, as the workflow result reports totalCostCents',
    },
  ];
  return figures;
};

export default promptCaching;

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const figure of await promptCaching({ quick: false })) console.log(JSON.stringify(figure));
}
