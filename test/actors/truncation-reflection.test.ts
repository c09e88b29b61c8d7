/**
 * Output cut at maxTokens is marked `truncated` and treated as incomplete by
 * reflection and alternatives; a reflection with a confidence outside 0..1 is
 * asked once more, then fails the step (as an invalid consensus vote does).
 */
import { describe, expect, it } from 'vitest';
import { readReflection } from '../../src/actors/agent/index.js';
import { TRUNCATED_CONFIDENCE_CAP } from '../../src/index.js';
import type { ModelRequest } from '../../src/index.js';
import { messageText } from '../../src/index.js';
import { DEFAULT_PRICES } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { createModelGateway } from '../../src/testing.js';
import { Orchestrator } from '../../src/index.js';
import { ThinkingAgent } from '../../src/index.js';

const NO_THINKING = { enableExtendedThinking: false } as const;

function promptOf(request: ModelRequest | undefined): string {
  return (request?.messages ?? []).map(messageText).join('\n');
}

describe('truncated output', () => {
  it('is marked on the response by the gateway, whichever provider answered', async () => {
    const model = createScriptedProvider().enqueue({ text: 'half an ans', stopReason: 'max_tokens' }, { text: 'whole' });
    const gateway = createModelGateway({ resolveProvider: () => model, prices: DEFAULT_PRICES });
    const call = () =>
      gateway.call({ agentId: 'a', purpose: 'acting', provider: 'scripted', request: { model: 'm', maxTokens: 3, messages: [{ role: 'user', content: 'q' }] } });
    expect((await call()).response.truncated).toBe(true);
    expect((await call()).response.truncated).toBeUndefined();
  });

  it('without reflection: the result is truncated, with confidence at most the cap', async () => {
    const model = createScriptedProvider().enqueue({ text: 'cut', stopReason: 'max_tokens' }, { text: 'complete' });
    const agent = new ThinkingAgent({ agentId: 'a', config: { ...NO_THINKING, enableSelfReflection: false, provider: model } });
    const cut = await agent.executeTask({ task: 'Write a long essay' });
    expect(cut.truncated).toBe(true);
    expect(cut.confidence).toBe(TRUNCATED_CONFIDENCE_CAP);
    const whole = await agent.executeTask({ task: 'Write a short note' });
    expect(whole.truncated).toBeUndefined();
    expect(whole.confidence).toBe(1);
    agent.stop();
  });

  it('reflection is told the answer was cut off, and its confidence is capped', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'cut', stopReason: 'max_tokens' },
      { structured: { confidence: 0.95, critique: 'looks great' } },
    );
    const agent = new ThinkingAgent({ agentId: 'a', config: { ...NO_THINKING, provider: model } });
    const result = await agent.executeTask({ task: 'Write a long essay' });
    expect(promptOf(model.requests[1])).toContain('cut off at the output token limit');
    expect(result.truncated).toBe(true);
    expect(result.confidence).toBe(TRUNCATED_CONFIDENCE_CAP);
    expect(result.critique).toMatch(/cut off/);
    agent.stop();
  });

  it('triggers alternative exploration, which can replace it with a complete answer', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'cut', stopReason: 'max_tokens' },
      { structured: { confidence: 0.9, critique: 'fine' } },
      { text: 'a complete, concise answer' },
      { structured: { confidence: 0.8, critique: 'good' } },
    );
    const agent = new ThinkingAgent({
      agentId: 'a',
      config: { ...NO_THINKING, provider: model, enableAlternativeExploration: true, maxAlternativeRounds: 1, confidenceThreshold: 0.7 },
    });
    const result = await agent.executeTask({ task: 'Write a long essay' });
    expect(model.requests).toHaveLength(4);
    expect(promptOf(model.requests[2])).toContain('cut off at the output token limit');
    expect(result.output).toBe('a complete, concise answer');
    expect(result.truncated).toBeUndefined();
    expect(result.confidence).toBe(0.8);
    expect(result.alternatives.map((alternative) => alternative.output)).toEqual(['cut']);
    agent.stop();
  });

  it('a workflow task result says truncated', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'cut', stopReason: 'max_tokens' }) });
    const orchestrator = new Orchestrator({ provider: model, journal: false, enableThinkingAgents: false });
    try {
      orchestrator.registerTemplate('quick', { enableSelfReflection: false });
      const result = await orchestrator.executeTask({ agentId: 'w', template: 'quick', taskDescription: 'Write' });
      expect(result.status).toBe('succeeded');
      expect(result.truncated).toBe(true);
      expect(result.confidence).toBe(TRUNCATED_CONFIDENCE_CAP);
    } finally {
      await orchestrator.shutdown();
    }
  });
});

describe('a reflection confidence outside 0..1', () => {
  it('is asked once more, and a valid second answer is used', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'the answer' },
      { structured: { confidence: 500, critique: 'very sure' } },
      { structured: { confidence: 0.8, critique: 'solid' } },
    );
    const agent = new ThinkingAgent({ agentId: 'a', config: { ...NO_THINKING, provider: model } });
    const result = await agent.executeTask({ task: 'Answer' });
    expect(model.requests).toHaveLength(3);
    expect(promptOf(model.requests[2])).toContain('confidence 500 is outside 0..1');
    expect(result.confidence).toBe(0.8);
    expect(result.modelCalls).toBe(3);
    agent.stop();
  });

  it('fails the step with INVALID_REFLECTION when the second answer is invalid too (never clamped to 1)', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'the answer' },
      { structured: { confidence: 500, critique: 'very sure' } },
      { structured: { confidence: 500, critique: 'still very sure' } },
    );
    const agent = new ThinkingAgent({ agentId: 'a', config: { ...NO_THINKING, provider: model } });
    const error: unknown = await agent.executeTask({ task: 'Answer' }).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toMatchObject({ code: 'INVALID_REFLECTION', name: 'InvalidReflectionError' });
    expect(String(error)).toMatch(/outside 0\.\.1, after one re-ask/);
    expect(model.requests).toHaveLength(3);
    agent.stop();
  });

  it('in a workflow: the task fails with the typed error and is not retried', async () => {
    const model = createScriptedProvider({
      fallback: (request) => (request.structuredOutput ? { structured: { confidence: -3, critique: 'x' } } : { text: 'the answer' }),
    });
    const orchestrator = new Orchestrator({ provider: model, journal: false, enableThinkingAgents: false });
    try {
      const result = await orchestrator.executeTask({ agentId: 'w', taskDescription: 'Answer' });
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('INVALID_REFLECTION');
      expect(result.attempts).toBe(1);
      expect(model.requests).toHaveLength(3);
    } finally {
      await orchestrator.shutdown();
    }
  });

  it('readReflection refuses out-of-range and non-numeric confidences, in structured values and text', () => {
    expect(readReflection({ confidence: 0.4, critique: 'ok' }, '')).toEqual({ ok: true, confidence: 0.4, critique: 'ok' });
    expect(readReflection({ confidence: 1.2, critique: 'ok' }, '').ok).toBe(false);
    expect(readReflection({ confidence: -0.1, critique: 'ok' }, '').ok).toBe(false);
    expect(readReflection({ confidence: '0.5', critique: 'ok' }, '').ok).toBe(false);
    expect(readReflection({ confidence: Number.NaN }, '').ok).toBe(false);
    expect(readReflection({ critique: 'no confidence' }, '').ok).toBe(false);
    expect(readReflection(undefined, 'Confidence: 500').ok).toBe(false);
    expect(readReflection(undefined, 'confidence: 85%')).toMatchObject({ ok: true, confidence: 0.85 });
    expect(readReflection(undefined, 'confidence 0.7 overall')).toMatchObject({ ok: true, confidence: 0.7 });
    expect(readReflection(undefined, 'no figure given')).toMatchObject({ ok: true, confidence: 0 });
  });
});
