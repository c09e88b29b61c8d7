import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { costOfUsage, Orchestrator } from '../../src/index.js';
import { createAiSdkProvider } from '../../src/ai-sdk.js';
import type { ModelPrice } from '../../src/index.js';

const price: ModelPrice = { inputCentsPerMTok: 100, outputCentsPerMTok: 400, cacheReadCentsPerMTok: 10, cacheWriteCentsPerMTok: 125 };

function answer(content: LanguageModelV3GenerateResult['content'], tools = false): LanguageModelV3GenerateResult {
  return {
    content,
    finishReason: { unified: tools ? 'tool-calls' : 'stop', raw: undefined },
    usage: {
      inputTokens: { total: 150, noCache: 30, cacheRead: 100, cacheWrite: 20 },
      outputTokens: { total: 60, text: 50, reasoning: 10 },
    },
    warnings: [],
  };
}

const lastRole = (options: LanguageModelV3CallOptions) => options.prompt[options.prompt.length - 1]?.role;

/** A stand-in model that behaves like a real one: calls the offered tool once, reflects in JSON, otherwise answers in text. */
function mockModel(): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    modelId: 'mock-large',
    doGenerate: async (options) => {
      if (options.responseFormat?.type === 'json') {
        return answer([{ type: 'text', text: JSON.stringify({ confidence: 0.9, critique: 'Grounded in the lookup.' }) }]);
      }
      const hasTool = options.tools?.some((tool) => tool.name === 'lookup') === true;
      if (hasTool && lastRole(options) !== 'tool') {
        return answer([{ type: 'tool-call', toolCallId: 'call_1', toolName: 'lookup', input: '{"topic":"rates"}' }], true);
      }
      if (lastRole(options) === 'tool') return answer([{ type: 'text', text: 'Rates are 5% (from lookup).' }]);
      return answer([{ type: 'reasoning', text: 'Summarize the research.' }, { type: 'text', text: 'Summary: rates are 5%.' }]);
    },
  });
}

describe('an Orchestrator workflow on an AI SDK model', () => {
  it('runs dependent tasks with a tool round and self-reflection, priced with the adapter’s pricing under a cost limit', async () => {
    const model = mockModel();
    const orchestrator = new Orchestrator({ enableThinkingAgents: false, journal: false, totalCostLimitCents: 100 });
    const lookups: unknown[] = [];
    try {
      orchestrator.registerProvider(createAiSdkProvider(model, { name: 'mock-ai', pricing: price }));
      orchestrator.registerTool({
        name: 'lookup',
        description: 'Look a topic up',
        inputSchema: z.object({ topic: z.string() }),
        execute: (input: { topic: string }) => {
          lookups.push(input);
          return { topic: input.topic, rate: '5%' };
        },
      });
      orchestrator.registerTemplate('researcher', { provider: 'mock-ai', model: 'not-in-any-price-table', tools: ['lookup'] });
      orchestrator.registerTemplate('writer', { provider: 'mock-ai', model: 'not-in-any-price-table' });
      const run = await orchestrator.executeWorkflow({
        tasks: [
          { agentId: 'research', template: 'researcher', taskDescription: 'Find the current rates' },
          { agentId: 'write', template: 'writer', taskDescription: 'Summarize the research', dependencies: ['research'] },
        ],
      });
      expect(run.status, JSON.stringify(Object.values(run.results).map((r) => r.error))).toBe("succeeded");
      expect(run.simulated).toBe(false);
      expect(run.results['research']?.output).toBe('Rates are 5% (from lookup).');
      expect(run.results['research']?.confidence).toBe(0.9);
      expect(run.results['write']?.output).toBe('Summary: rates are 5%.');
      expect(lookups).toEqual([{ topic: 'rates' }]);
      // research: tool call, answer, reflection; write: answer, reflection.
      expect(model.doGenerateCalls).toHaveLength(5);
      expect(run.usage).toMatchObject({ inputTokens: 150, cacheReadTokens: 500, cacheWriteTokens: 100, outputTokens: 250, thinkingTokens: 50 });
      expect(run.totalCostCents).toBeCloseTo(costOfUsage(run.usage, price), 10);
      expect(run.totalCostCents).toBeGreaterThan(0);
    } finally {
      await orchestrator.shutdown();
    }
  });

  it('without pricing, a cost limit refuses a model name the price table does not know, when the agent is spawned', async () => {
    const model = mockModel();
    const orchestrator = new Orchestrator({ enableThinkingAgents: false, journal: false, totalCostLimitCents: 100 });
    try {
      orchestrator.registerProvider(createAiSdkProvider(model, { name: 'mock-ai' }));
      expect(() =>
        orchestrator.spawnAgent({ agentId: 'a', config: { provider: 'mock-ai', model: 'not-in-any-price-table', enableSelfReflection: false } }),
      ).toThrow(/not-in-any-price-table/);
      expect(model.doGenerateCalls).toHaveLength(0);
    } finally {
      await orchestrator.shutdown();
    }
  });
});

describe('@ai-sdk/provider stays an optional peer', () => {
  it('no adapter file loads it at run time: its imports vanish when the TypeScript is compiled', async () => {
    const ts = await import('typescript');
    const { readFile } = await import('node:fs/promises');
    const files = ['ai-sdk-provider.ts', 'prompt.ts', 'response.ts', 'errors.ts', 'index.ts'];
    for (const file of files) {
      const source = await readFile(new URL(`../../src/providers/ai-sdk/${file}`, import.meta.url), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, removeComments: true },
      });
      expect(source.includes('@ai-sdk/provider') || file === 'errors.ts' || file === 'index.ts').toBe(true);
      expect(outputText).not.toContain('@ai-sdk');
    }
  });
});
