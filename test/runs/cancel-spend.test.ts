/**
 * A run's reported cost equals what the ledger charged for it, even when the
 * run is cancelled while model calls complete (randomized, seeded).
 */
import { describe, expect, it } from 'vitest';
import { addCents } from '../../src/index.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../../src/index.js';
import { EMPTY_USAGE } from '../../src/index.js';
import { abortError } from '../../src/testing.js';
import { createRandom } from '../../src/testing.js';
import { Orchestrator } from '../../src/index.js';

function turn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Answers after a random number of event-loop turns. Like a real server whose
 * answer is already on its way, it sometimes completes even though the request
 * was aborted meanwhile; otherwise it rejects on abort.
 */
function racingProvider(random: () => number): ModelProvider {
  return {
    name: 'racing',
    async complete(request: ModelRequest): Promise<ModelResponse> {
      const ignoresAbort = random() < 0.5;
      const turns = Math.floor(random() * 6);
      for (let i = 0; i < turns; i++) {
        if (!ignoresAbort && request.signal?.aborted) throw abortError('racing');
        await turn();
      }
      if (!ignoresAbort && request.signal?.aborted) throw abortError('racing');
      const usage = { ...EMPTY_USAGE, inputTokens: 100 + Math.floor(random() * 5000), outputTokens: 1 + Math.floor(random() * 500) };
      if (request.structuredOutput) {
        return { text: '', structured: { confidence: 0.9, critique: 'fine' }, toolCalls: [], usage, model: request.model, stopReason: 'end_turn' };
      }
      return { text: 'an answer', toolCalls: [], usage, model: request.model, stopReason: 'end_turn' };
    },
  };
}

describe('cost of a cancelled run', () => {
  it('equals what the ledger charged, in total and per task, over 300 random cancel times', async () => {
    const random = createRandom(2026).next;
    const orchestrator = new Orchestrator({
      provider: racingProvider(random),
      model: 'claude-3-5-haiku',
      journal: false,
      enableThinkingAgents: false,
      retryFailedAgents: false,
    });
    let cancelledWithSpend = 0;
    try {
      for (let trial = 0; trial < 300; trial++) {
        const agentIds = [`t${trial}_a`, `t${trial}_b`, `t${trial}_c`];
        const before = orchestrator.budget.spentCents();
        const controller = new AbortController();
        const cancelAfter = Math.floor(random() * 12);
        void (async () => {
          for (let i = 0; i < cancelAfter; i++) await turn();
          controller.abort();
        })();
        const result = await orchestrator.executeWorkflow({
          tasks: agentIds.map((agentId) => ({ agentId, taskDescription: `task of ${agentId}` })),
          signal: controller.signal,
          continueOnFailure: true,
        });
        const charged = addCents(orchestrator.budget.spentCents(), -before);
        expect(result.totalCostCents, `trial ${trial} (${result.status})`).toBe(charged);
        for (const agentId of agentIds) {
          const task = result.results[agentId];
          expect(task?.costCents, `trial ${trial}: ${agentId} ${task?.status}`).toBe(orchestrator.budget.spentCents(agentId));
          if (task?.status === 'cancelled' && task.costCents > 0) cancelledWithSpend++;
        }
      }
    } finally {
      await orchestrator.shutdown();
    }
    // The trials did exercise tasks cancelled after spending.
    expect(cancelledWithSpend).toBeGreaterThan(10);
  }, 60_000);

  it('charges a call whose provider ignores the abort in full, in the ledger and in the run result, and drops its late answer', async () => {
    const late: Array<() => void> = [];
    let answered = 0;
    const deaf: ModelProvider = {
      name: 'deaf',
      // Never looks at its signal: it answers when the test lets it, long after the run was cancelled.
      complete: (request) =>
        new Promise<ModelResponse>((resolve) => {
          late.push(() => {
            answered++;
            resolve({ text: 'late', toolCalls: [], usage: { ...EMPTY_USAGE, inputTokens: 10, outputTokens: 5 }, model: request.model, stopReason: 'end_turn' });
          });
        }),
    };
    const orchestrator = new Orchestrator({ provider: deaf, model: 'claude-3-5-haiku', journal: false, enableThinkingAgents: false, retryFailedAgents: false });
    try {
      const controller = new AbortController();
      const running = orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'Answer' }], signal: controller.signal });
      while (late.length === 0) await turn();
      controller.abort();
      const result = await running;
      expect(result.status).toBe('cancelled');
      const charged = orchestrator.budget.spentCents();
      expect(charged).toBeGreaterThan(0);
      expect(result.totalCostCents).toBe(charged);
      expect(result.results.a?.costCents).toBe(charged);
      for (const answer of late) answer();
      await turn();
      expect(answered).toBe(1);
      expect(orchestrator.budget.spentCents()).toBe(charged);
    } finally {
      await orchestrator.shutdown();
    }
  });
});

