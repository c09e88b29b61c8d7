/**
 * Shared helpers of the journal, replay and resume tests: a deterministic
 * model whose answers depend on the request (model, temperature, prompt), and
 * a counter of the calls a provider really answered.
 */
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedProvider } from '../../src/testing.js';
import { messageText } from '../../src/index.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../../src/index.js';

/** Answers as a function of the request only, so runs are reproducible. */
export function deterministicModel(name = 'scripted'): ScriptedProvider {
  return createScriptedProvider({
    name,
    fallback: (request: ModelRequest) => {
      const temperature = request.temperature ?? 0;
      if (request.structuredOutput?.name === 'self_reflection') {
        return { structured: { confidence: Number((1 - temperature / 2).toFixed(2)), critique: `checked by ${request.model}` } };
      }
      const last = request.messages.at(-1);
      const topic = last ? messageText(last).slice(0, 40).replace(/\s+/g, ' ') : '';
      return { text: `${request.model}@${temperature}: ${topic}` };
    },
  });
}

/** Wraps a provider and counts the requests it really answered. */
export function countingProvider(inner: ModelProvider): ModelProvider & { readonly calls: number; readonly requests: readonly ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    name: inner.name,
    get calls() {
      return requests.length;
    },
    get requests() {
      return requests;
    },
    complete(request: ModelRequest): Promise<ModelResponse> {
      requests.push(request);
      return inner.complete(request);
    },
  };
}
