import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import type { ModelCallInterceptor, ModelCallOutcome } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';

const open: Orchestrator[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.shutdown();
});

function orchestrator(modelInterceptors: ModelCallInterceptor[], journal = false) {
  const provider = createScriptedProvider({ fallback: (request) => ({ text: `answer to ${request.messages.length} messages` }) });
  const o = new Orchestrator({ provider, enableThinkingAgents: false, journal, modelInterceptors, workspacePath: `.troupe/test-interceptors-${Date.now()}` });
  o.registerTemplate('writer', { enableSelfReflection: false });
  open.push(o);
  return { o, provider };
}

describe('user interceptors on the model boundary', () => {
  it('a guardrail refuses a call before it reaches the provider, and the task fails with its error', async () => {
    const guard: ModelCallInterceptor = async (call, next) => {
      if (JSON.stringify(call.request.messages).includes('forbidden')) throw new Error('guardrail: forbidden topic');
      return next(call);
    };
    const { o, provider } = orchestrator([guard]);
    const refused = await o.executeTask({ agentId: 'writer', taskDescription: 'Write about the forbidden topic' });
    expect(refused.status).toBe('failed');
    expect(refused.error?.message).toContain('guardrail: forbidden topic');
    expect(provider.requests).toHaveLength(0);
    const allowed = await o.executeTask({ agentId: 'writer', taskDescription: 'Write about the weather' });
    expect(allowed.status).toBe('succeeded');
    expect(provider.requests).toHaveLength(1);
  });

  it('a cache answers a repeated request without a model call, and runs in the order given', async () => {
    const order: string[] = [];
    const cache = new Map<string, ModelCallOutcome>();
    const caching: ModelCallInterceptor = async (call, next) => {
      order.push('cache');
      const key = JSON.stringify(call.request.messages);
      const hit = cache.get(key);
      if (hit) return hit;
      const outcome = await next(call);
      cache.set(key, outcome);
      return outcome;
    };
    const counting: ModelCallInterceptor = async (call, next) => {
      order.push('count');
      return next(call);
    };
    const { o, provider } = orchestrator([caching, counting]);
    const first = await o.executeTask({ agentId: 'first', template: 'writer', taskDescription: 'Same question' });
    const second = await o.executeTask({ agentId: 'second', template: 'writer', taskDescription: 'Same question' });
    expect(second.output).toBe(first.output);
    expect(provider.requests).toHaveLength(1);
    expect(order).toEqual(['cache', 'count', 'cache']);
  });

  it('is refused at construction when it is not a function', () => {
    // A config read from a file: its values are whatever the file held.
    expect(() => new Orchestrator(JSON.parse('{ "modelInterceptors": [{}] }'))).toThrow(/modelInterceptors/);
  });
});
