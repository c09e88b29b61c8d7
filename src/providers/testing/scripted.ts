/**
 * A test double: answers from a queue of scripted responses or from a function
 * of the request, and records every request it got. Import from `troupe/testing`.
 */
import { EMPTY_USAGE, estimateRequestTokens, estimateTokens } from '../../protocols/model.js';
import type { ModelProvider, ModelRequest, ModelResponse, TokenUsage } from '../../protocols/model.js';
import { abortError } from '../provider-errors.js';

/** What a script step may give: a full response, a partial one, or an error to throw. */
export type ScriptedStep = Partial<ModelResponse> | Error;

/** A function that decides the answer from the request. */
export type ScriptedHandler = (request: ModelRequest, index: number) => ScriptedStep | Promise<ScriptedStep>;

export interface ScriptedProviderOptions {
  /** Provider name, for the registry, errors and journals. Default `scripted`. */
  readonly name?: string;
  /** Answer for requests once the queue is empty. Default: an error naming the request. */
  readonly fallback?: ScriptedHandler;
}

/** A ModelProvider whose answers a test controls. */
export interface ScriptedProvider extends ModelProvider {
  /** Every request received, in order. */
  readonly requests: readonly ModelRequest[];
  /** Queues answers, consumed in order. */
  enqueue(...steps: readonly (ScriptedStep | ScriptedHandler)[]): this;
  /** Requests still unanswered (waiting on a handler). */
  readonly pending: number;
}

function completeResponse(request: ModelRequest, step: Partial<ModelResponse>): ModelResponse {
  const text = step.text ?? (step.structured === undefined ? '' : JSON.stringify(step.structured));
  const usage: TokenUsage = step.usage ?? {
    ...EMPTY_USAGE,
    inputTokens: estimateRequestTokens(request),
    outputTokens: estimateTokens(text),
    thinkingTokens: estimateTokens(step.thinking ?? ''),
  };
  return {
    text,
    toolCalls: step.toolCalls ?? [],
    usage,
    model: step.model ?? request.model,
    stopReason: step.stopReason ?? ((step.toolCalls?.length ?? 0) > 0 ? 'tool_use' : 'end_turn'),
    ...(step.thinking === undefined ? {} : { thinking: step.thinking }),
    ...(step.structured === undefined ? {} : { structured: step.structured }),
    ...(step.simulated === undefined ? {} : { simulated: step.simulated }),
  };
}

/**
 * Creates a scripted provider.
 *
 * @example
 * ```ts
 * const model = createScriptedProvider().enqueue(
 *   { text: 'thinking done' },
 *   { text: 'the answer' },
 *   { structured: { confidence: 0.9, critique: 'solid' } },
 * );
 * const agent = new ThinkingAgent({ agentId: 'a', provider: model });
 * ```
 */
export function createScriptedProvider(options: ScriptedProviderOptions = {}): ScriptedProvider {
  const queue: (ScriptedStep | ScriptedHandler)[] = [];
  const requests: ModelRequest[] = [];
  let pending = 0;

  const name = options.name ?? 'scripted';
  const provider: ScriptedProvider = {
    name,
    get requests() {
      return requests;
    },
    get pending() {
      return pending;
    },
    enqueue(...steps) {
      queue.push(...steps);
      return provider;
    },
    async complete(request) {
      if (request.signal?.aborted) throw abortError(name);
      const index = requests.length;
      requests.push(request);
      const next = queue.shift() ?? options.fallback;
      if (next === undefined) {
        throw new Error(`scripted provider: no response queued for request #${index} (model ${request.model})`);
      }
      pending++;
      try {
        const step = typeof next === 'function' ? await raceAbort(next(request, index), request.signal, name) : next;
        if (request.signal?.aborted) throw abortError(name);
        if (step instanceof Error) throw step;
        return completeResponse(request, step);
      } finally {
        pending--;
      }
    },
  };
  return provider;
}

/** Resolves with `value` unless `signal` aborts first. */
function raceAbort<T>(value: T | Promise<T>, signal: AbortSignal | undefined, name: string): Promise<T> {
  if (!signal) return Promise.resolve(value);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(name));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(value).then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
