import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Orchestrator } from '../../src/index.js';
import type { AgentConfig, ContentBlock, ModelRequest, ToolCall } from '../../src/index.js';
import type { ToolRunContext } from '../../src/protocols/agent-runtime.js';
import { createScriptedProvider } from '../../src/providers/testing/scripted.js';
import type { ModelProvider } from '../../src/protocols/model.js';
import { MemoryJournalStorage } from '../../src/storage/journal-memory.js';
import { countingProvider } from '../support/journal-fixtures.js';
import { agentOf } from '../support/requests.js';

/** Resolves after `turns` trips through the event loop: a tool that takes time without a clock. */
async function ticks(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Counts tools running at the same time and records when each starts and ends. */
function concurrencyProbe() {
  let active = 0;
  let maxActive = 0;
  const trace: string[] = [];
  return {
    trace,
    get maxActive() {
      return maxActive;
    },
    async during<T>(name: string, work: () => Promise<T>): Promise<T> {
      active++;
      maxActive = Math.max(maxActive, active);
      trace.push(`start ${name} (${active} running)`);
      try {
        return await work();
      } finally {
        active--;
        trace.push(`end ${name}`);
      }
    },
  };
}

const calls = (...names: readonly [string, string][]): ToolCall[] =>
  names.map(([name, id]) => ({ id, name, input: { id } }));

/** The tool results the model got back in its second request, in order. */
function toolResults(request: ModelRequest | undefined): { toolUseId: string; content: string; isError: boolean }[] {
  const last = request?.messages[request.messages.length - 1];
  if (!last || typeof last.content === 'string') return [];
  return last.content
    .filter((block): block is Extract<ContentBlock, { type: 'tool_result' }> => block.type === 'tool_result')
    .map((block) => ({ toolUseId: block.toolUseId, content: block.content, isError: block.isError === true }));
}

async function runTurn(toolCalls: ToolCall[], config: AgentConfig, register: (orchestrator: Orchestrator) => void) {
  const model = createScriptedProvider().enqueue({ toolCalls }, { text: 'done' });
  const orchestrator = new Orchestrator({ provider: model, enableThinkingAgents: false, journal: false });
  try {
    register(orchestrator);
    orchestrator.spawnAgent({ agentId: 'worker', config: { enableSelfReflection: false, ...config } });
    const result = await orchestrator.executeTask({ agentId: 'worker', taskDescription: 'Use the tools' });
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('done');
    return toolResults(model.requests[1]);
  } finally {
    await orchestrator.shutdown();
  }
}

describe('parallel tool calls', () => {
  it('runs a turn’s calls concurrently and returns the results in the model’s order, not the finishing order', async () => {
    const probe = concurrencyProbe();
    const finished: string[] = [];
    const results = await runTurn(calls(['slow', 'c1'], ['slow', 'c2'], ['slow', 'c3']), { tools: ['slow'] }, (o) =>
      o.registerTool({
        name: 'slow',
        description: 'Takes longer the earlier it is called',
        inputSchema: z.object({ id: z.string() }),
        // No annotation: registerTool infers the input from the zod schema.
        execute: ({ id }) =>
          probe.during(id, async () => {
            await ticks(id === 'c1' ? 6 : id === 'c2' ? 3 : 1);
            finished.push(id);
            return `result ${id}`;
          }),
      }),
    );
    expect(finished).toEqual(['c3', 'c2', 'c1']);
    expect(probe.maxActive).toBe(3);
    expect(results).toEqual([
      { toolUseId: 'c1', content: 'result c1', isError: false },
      { toolUseId: 'c2', content: 'result c2', isError: false },
      { toolUseId: 'c3', content: 'result c3', isError: false },
    ]);
  });

  it('never runs more calls at once than maxParallelToolCalls (default 4)', async () => {
    const many = calls(...Array.from({ length: 9 }, (_, i): [string, string] => ['work', `c${i}`]));
    const observe = async (config: AgentConfig) => {
      const probe = concurrencyProbe();
      const results = await runTurn(many, { tools: ['work'], ...config }, (o) =>
        o.registerTool({
          name: 'work',
          description: 'Works a while',
          inputSchema: { type: 'object' },
          execute: (input: unknown) => probe.during(JSON.stringify(input), async () => (await ticks(2), 'ok')),
        }),
      );
      expect(results.map((r) => r.toolUseId)).toEqual(many.map((c) => c.id));
      return probe.maxActive;
    };
    expect(await observe({ maxParallelToolCalls: 2 })).toBe(2);
    expect(await observe({})).toBe(4);
    expect(await observe({ maxParallelToolCalls: 1 })).toBe(1);
  });

  it('runs a sequential tool alone: the calls before it finish first, the calls after it wait', async () => {
    const probe = concurrencyProbe();
    const results = await runTurn(
      calls(['fetch', 'a'], ['fetch', 'b'], ['commit', 's'], ['fetch', 'c'], ['fetch', 'd']),
      { tools: ['fetch', 'commit'] },
      (o) => {
        o.registerTool({
          name: 'fetch',
          description: 'Parallel-safe read',
          inputSchema: z.object({ id: z.string() }),
          execute: ({ id }: { id: string }) => probe.during(id, async () => (await ticks(2), `read ${id}`)),
        });
        o.registerTool({
          name: 'commit',
          description: 'Must not overlap anything',
          inputSchema: z.object({ id: z.string() }),
          sequential: true,
          execute: ({ id }: { id: string }) => probe.during(id, async () => (await ticks(2), `committed ${id}`)),
        });
      },
    );
    expect(probe.trace).toEqual([
      'start a (1 running)',
      'start b (2 running)',
      'end a',
      'end b',
      'start s (1 running)',
      'end s',
      'start c (1 running)',
      'start d (2 running)',
      'end c',
      'end d',
    ]);
    expect(results.map((r) => r.content)).toEqual(['read a', 'read b', 'committed s', 'read c', 'read d']);
  });

  it('a failing tool becomes its own error result and does not cancel its siblings', async () => {
    const probe = concurrencyProbe();
    const aborted: string[] = [];
    const results = await runTurn(calls(['step', 'ok1'], ['step', 'bad'], ['step', 'ok2']), { tools: ['step'] }, (o) =>
      o.registerTool({
        name: 'step',
        description: 'One step',
        inputSchema: z.object({ id: z.string() }),
        execute: ({ id }: { id: string }, context: ToolRunContext) =>
          probe.during(id, async () => {
            if (id === 'bad') throw new Error('disk full');
            await ticks(3);
            if (context.signal.aborted) aborted.push(id);
            return `did ${id}`;
          }),
      }),
    );
    expect(probe.maxActive).toBe(3);
    expect(aborted).toEqual([]);
    expect(results).toEqual([
      { toolUseId: 'ok1', content: 'did ok1', isError: false },
      { toolUseId: 'bad', content: 'Tool "step" failed: disk full', isError: true },
      { toolUseId: 'ok2', content: 'did ok2', isError: false },
    ]);
  });

  it('refuses a maxParallelToolCalls outside 1-64', () => {
    const orchestrator = new Orchestrator({ enableThinkingAgents: false, journal: false });
    expect(() => orchestrator.spawnAgent({ agentId: 'x', config: { maxParallelToolCalls: 0 } })).toThrow(/maxParallelToolCalls/);
    return orchestrator.shutdown();
  });

  it('journals a parallel turn of consultations and a tool so a strict replay makes no model call and gives the same result', async () => {
    const model = () =>
      countingProvider(
        createScriptedProvider({
          fallback: (request) => {
            const agent = agentOf(request);
            if (agent === 'expert_a') return { text: 'A-ANSWER' };
            if (agent === 'expert_b') return { text: 'B-ANSWER' };
            const text = JSON.stringify(request.messages);
            if (!text.includes('tool_result')) {
              return {
                toolCalls: [
                  { id: 'c1', name: 'consult_agent', input: { agentId: 'expert_a', question: 'First view?' } },
                  { id: 'c2', name: 'consult_agent', input: { agentId: 'expert_b', question: 'Second view?' } },
                  { id: 'c3', name: 'note', input: { id: 'n1' } },
                ],
              };
            }
            const seen = ['A-ANSWER', 'B-ANSWER', 'noted n1'].filter((part) => text.includes(part));
            return { text: `final with ${seen.join(', ')}` };
          },
        }),
      );
    const notes: string[] = [];
    const build = (provider: ModelProvider, storage: MemoryJournalStorage) => {
      const o = new Orchestrator({ provider, enableThinkingAgents: false, journal: { storage } });
      o.registerTool({
        name: 'note',
        description: 'Takes a note',
        inputSchema: z.object({ id: z.string() }),
        execute: async ({ id }: { id: string }) => (await ticks(2), notes.push(id), `noted ${id}`),
      });
      o.registerTemplate('plain', { enableSelfReflection: false });
      o.registerTemplate('lead', { enableSelfReflection: false, enableCrossAgentQueries: true, tools: ['note'] });
      o.spawnAgent({ agentId: 'expert_a', template: 'plain' });
      o.spawnAgent({ agentId: 'expert_b', template: 'plain' });
      return o;
    };
    const storage = new MemoryJournalStorage();
    const first = build(model(), storage);
    const run = await first.executeWorkflow({
      tasks: [{ agentId: 'lead', template: 'lead', taskDescription: 'Gather views', availableAgents: ['expert_a', 'expert_b'] }],
    });
    await first.shutdown();
    expect(run.results['lead']?.output).toBe('final with A-ANSWER, B-ANSWER, noted n1');

    const fresh = model();
    const second = build(fresh, storage);
    try {
      const replay = await second.replayWorkflow({ workflowId: run.workflowId, strict: true });
      expect(fresh.calls).toBe(0);
      expect(replay.mismatches).toEqual([]);
      expect(replay.results['lead']?.output).toBe(run.results['lead']?.output);
      expect(replay.totalCostCents).toBe(run.totalCostCents);
      // The tool's result is journaled and served on replay (src/journal/tool-journal.ts): it does not run again.
      expect(notes).toEqual(['n1']);
    } finally {
      await second.shutdown();
    }
  });
});
