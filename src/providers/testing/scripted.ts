/**
 * A test double: answers from a queue of scripted responses or from a function
 * of the request, and records every request it got. Import from `troupe/testing`.
 */
import { EMPTY_USAGE, estimateRequestTokens, estimateTokens } from '../../protocols/model.js';
import type { ModelDelta, ModelDeltaSink, ModelProvider, ModelRequest, ModelResponse, TokenUsage } from '../../protocols/model.js';
import { abortError } from '../provider-errors.js';

/**
 * One piece of a scripted stream: a text delta (a string or a {@link ModelDelta}),
 * a stall that never ends (until the call is aborted), a failure thrown mid-stream,
 * or a gate the stream waits on before going on.
 */
export type ScriptedChunk =
  | string
  | ModelDelta
  | { readonly stall: true }
  | { readonly fail: Error }
  | { readonly gate: Promise<unknown> };

/**
 * What a script step may give: a full response, a partial one, or an error to
 * throw. `chunks` scripts the stream: `stream` delivers them in order (and
 * `complete` plays them silently); without `text`, the text is the joined text
 * chunks (the structured chunks when `structured` is absent and they parse).
 */
export type ScriptedStep = (Partial<ModelResponse> & { readonly chunks?: readonly ScriptedChunk[] }) | Error;

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

function deltaOf(chunk: string | ModelDelta): ModelDelta {
  return typeof chunk === 'string' ? { kind: 'text', text: chunk } : chunk;
}

function isDelta(chunk: ScriptedChunk): chunk is string | ModelDelta {
  return typeof chunk === 'string' || 'kind' in chunk;
}

/** The step's response fields, with text and structured taken from its chunks when not given. */
function withChunkText(step: Exclude<ScriptedStep, Error>): Partial<ModelResponse> {
  const { chunks, ...fields } = step;
  if (!chunks || fields.text !== undefined) return fields;
  const deltas = chunks.filter(isDelta).map(deltaOf);
  const joined = (kind: ModelDelta['kind']): string => deltas.filter((d) => d.kind === kind).map((d) => d.text).join('');
  const text = joined('text');
  const json = joined('structured');
  let structured = fields.structured;
  if (structured === undefined && json !== '') {
    try {
      structured = JSON.parse(json);
    } catch {
      structured = undefined;
    }
  }
  const thinking = fields.thinking ?? (joined('thinking') || undefined);
  return {
    ...fields,
    text: text !== '' || json === '' ? text : json,
    ...(structured === undefined ? {} : { structured }),
    ...(thinking === undefined ? {} : { thinking }),
  };
}

/** Deltas a step without chunks streams as: its whole answer, one delta per kind. */
function wholeDeltas(request: ModelRequest, response: ModelResponse): ModelDelta[] {
  const deltas: ModelDelta[] = [];
  if (response.thinking) deltas.push({ kind: 'thinking', text: response.thinking });
  const structured = request.structuredOutput !== undefined && response.structured !== undefined;
  if (response.text !== '') deltas.push({ kind: structured ? 'structured' : 'text', text: response.text });
  return deltas;
}

/** Plays `chunks`: delivers deltas (when `onDelta`), waits on gates, stalls, throws failures. */
async function play(chunks: readonly ScriptedChunk[], signal: AbortSignal | undefined, name: string, onDelta?: ModelDeltaSink): Promise<void> {
  for (const chunk of chunks) {
    if (signal?.aborted) throw abortError(name);
    if (isDelta(chunk)) {
      onDelta?.(deltaOf(chunk));
      // A turn of the event loop per chunk, as a network stream would take.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } else if ('fail' in chunk) throw chunk.fail;
    else if ('gate' in chunk) await raceAbort(chunk.gate, signal, name);
    else await raceAbort(new Promise<never>(() => undefined), signal, name);
  }
  if (signal?.aborted) throw abortError(name);
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
    complete: (request) => answer(request),
    stream: (request, onDelta) => answer(request, onDelta),
  };

  async function answer(request: ModelRequest, onDelta?: ModelDeltaSink): Promise<ModelResponse> {
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
      if (step.chunks) await play(step.chunks, request.signal, name, onDelta);
      const response = completeResponse(request, withChunkText(step));
      if (!step.chunks && onDelta) for (const delta of wholeDeltas(request, response)) onDelta(delta);
      return response;
    } finally {
      pending--;
    }
  }
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
