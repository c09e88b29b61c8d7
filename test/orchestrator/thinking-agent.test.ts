import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { EMPTY_USAGE } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { ThinkingAgent } from '../../src/index.js';

/** One model call per task: no thinking, no reflection. */
const ONE_CALL = { enableExtendedThinking: false, enableSelfReflection: false } as const;

describe('ThinkingAgent options', () => {
  it('prices calls with `pricing`, for a model the built-in table does not know', async () => {
    const model = createScriptedProvider().enqueue({ text: 'answer', usage: { ...EMPTY_USAGE, inputTokens: 1_000_000, outputTokens: 0 } });
    const agent = new ThinkingAgent({
      agentId: 'priced',
      config: { ...ONE_CALL, provider: model, model: 'house-model' },
      pricing: { 'house-model': { inputCentsPerMTok: 42, outputCentsPerMTok: 0, cacheReadCentsPerMTok: 0, cacheWriteCentsPerMTok: 0 } },
    });
    const result = await agent.executeTask({ task: 'Anything' });
    expect(result.costCents).toBe(42);
    agent.stop();
  });

  it('seeds the simulated model with `seed`: same seed, same answer; another seed, another answer', async () => {
    const answer = async (seed: number): Promise<string | null> => {
      const agent = new ThinkingAgent({ agentId: 'sim', seed, config: { ...ONE_CALL, provider: 'simulated' } });
      const result = await agent.executeTask({ task: 'Design a rate limiter for the payments API.' });
      agent.stop();
      return result.output;
    };
    const first = await answer(1);
    expect(await answer(1)).toBe(first);
    const others = await Promise.all([2, 3, 4].map(answer));
    expect(others.some((output) => output !== first)).toBe(true);
  });

  it('reports its actor to the `inspect` observer', async () => {
    const seen: InspectionEvent[] = [];
    const model = createScriptedProvider().enqueue({ text: 'answer' });
    const agent = new ThinkingAgent({ agentId: 'watched', config: { ...ONE_CALL, provider: model }, inspect: (event) => seen.push(event) });
    await agent.executeTask({ task: 'Anything' });
    expect(seen.some((event) => event.type === '@xstate.event' && event.actorRef === agent.actor)).toBe(true);
    agent.stop();
  });
});

describe('ThinkingAgent cancellation', () => {
  it('cancels a task whose signal is already aborted, without calling the model', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'should not run' }) });
    const agent = new ThinkingAgent({ agentId: 'a', config: { ...ONE_CALL, provider: model } });
    await expect(agent.executeTask({ task: 'Anything', signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(model.requests.filter((request) => !request.signal?.aborted)).toHaveLength(0);
    // The agent is free for the next task.
    await expect(agent.executeTask({ task: 'Next' })).resolves.toMatchObject({ output: 'should not run' });
    agent.stop();
  });

  it('settles a running task and refuses later ones when stopped, instead of leaving them pending', async () => {
    const model = createScriptedProvider().enqueue(() => new Promise(() => undefined));
    const agent = new ThinkingAgent({ agentId: 'a', config: { ...ONE_CALL, provider: model } });
    const running = agent.executeTask({ task: 'never ends' });
    const queued = agent.executeTask({ task: 'waits its turn' });
    while (model.pending === 0) await new Promise((resolve) => setImmediate(resolve));
    agent.stop();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(queued).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(agent.executeTask({ task: 'after stop' })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
