/**
 * The simulated provider: troupe's offline default model. Deterministic for a
 * seed and the request's content (never for call order), with latency, jitter,
 * retryable failures, prompt-reflecting text, thinking, tool calls, structured
 * outputs that satisfy their schema, and Anthropic-style prompt-cache billing.
 * Every answer says it is simulated: `simulated: true` and a `[simulated]` marker.
 */
import { ConfigError, ProviderError } from '../../protocols/errors/errors.js';
import { estimateRequestTokens, estimateTokens, messageText, systemText } from '../../protocols/model.js';
import type {
  ModelDeltaSink,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  StopReason,
  SystemBlock,
  ToolCall,
  ToolDefinition,
  TokenUsage,
} from '../../protocols/model.js';
import { SchemaSampleError, sampleSchema, type NumberBounds, type SampleSite, type SchemaSampleHooks } from './schema-sample.js';
import { canonicalJson } from '../request-hash.js';
import { simulatedDeltas } from './chunks.js';
import { createRandom, hashString, type Random } from './random.js';
import {
  analyzePrompt,
  composeAnswer,
  composeThinking,
  composeToolFollowUp,
  describeField,
  endsWithToolResult,
  mentionedTool,
  SIMULATED_MARKER,
  type PromptAnalysis,
} from './text.js';

export interface SimulatedProviderOptions {
  /** Seed of every random choice. Same seed + same request content → same response. Default 42. */
  readonly seed?: number;
  /** Mean simulated latency per call in milliseconds. Default 0 (no timer at all). */
  readonly latencyMs?: number;
  /** Latency varies uniformly within ± this many milliseconds, decided by the request hash. Default 0. */
  readonly jitterMs?: number;
  /** Share of calls in [0, 1] that throw a retryable `SIMULATED_FAILURE`. Default 0. */
  readonly failureRate?: number;
  /** Distribution of fields named like `confidence`: normal around `mean` (0.78) with sd `spread` (0.12), clamped. */
  readonly confidence?: { readonly mean?: number; readonly spread?: number };
  /** Milliseconds since the epoch, for prompt-cache expiry. Default `Date.now`. */
  readonly clock?: () => number;
  /** Waits `ms` milliseconds. Default: a `setTimeout` cleared on abort. The provider also rejects on abort itself. */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** Share of a streamed call's latency spent before its first delta. */
const STREAM_FIRST_DELTA_SHARE = 0.25;

/** How long a cached prefix lives after its last use: Anthropic's default 5-minute TTL. */
export const SIMULATED_CACHE_TTL_MS = 5 * 60_000;

/** Retry counters and cache entries kept per instance before the oldest are dropped. */
const MAX_TRACKED_REQUESTS = 10_000;

function checkOption(field: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`simulated.${field}`, `must be a number in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** An error named `AbortError`, keeping the signal's reason as `cause` unless it already is one. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('The simulated model call was aborted', { cause: reason });
  error.name = 'AbortError';
  return error;
}

function timerSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      if (signal) reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Rejects as soon as `signal` aborts, even if an injected sleep ignores it. */
function raceAbort(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Drops the oldest entries (Map keeps insertion order) once a map passes its bound. */
function bound<K, V>(map: Map<K, V>): void {
  for (const key of map.keys()) {
    if (map.size <= MAX_TRACKED_REQUESTS) return;
    map.delete(key);
  }
}

/** The request's content: what the response is a function of (signal, temperature and maxTokens excluded). */
function requestHash(seed: number, request: ModelRequest): number {
  return hashString(
    canonicalJson({
      seed,
      model: request.model,
      system: request.system,
      messages: request.messages,
      tools: request.tools,
      toolChoice: request.toolChoice,
      schema: request.structuredOutput,
      thinkingBudgetTokens: request.thinkingBudgetTokens,
    }),
  );
}

/** Tokens of the prefix up to the last `cache: true` marker (tools, then system, then messages), and its key. */
function cachedPrefix(request: ModelRequest): { key: number; tokens: number } | undefined {
  const blocks: readonly SystemBlock[] = typeof request.system === 'string' || !request.system ? [] : request.system;
  let systemEnd = -1;
  blocks.forEach((block, index) => {
    if (block.cache === true) systemEnd = index;
  });
  let messageEnd: { message: number; block: number } | undefined;
  request.messages.forEach((message, index) => {
    if (typeof message.content === 'string') return;
    message.content.forEach((block, blockIndex) => {
      if (block.type === 'text' && block.cache === true) messageEnd = { message: index, block: blockIndex };
    });
  });
  if (systemEnd < 0 && !messageEnd) return undefined;
  let tokens = 0;
  for (const tool of request.tools ?? []) tokens += estimateTokens(tool.name + tool.description + JSON.stringify(tool.inputSchema));
  let prefix: unknown;
  if (messageEnd) {
    const end = messageEnd;
    tokens += estimateTokens(systemText(request.system));
    const messages = request.messages.slice(0, end.message + 1).map((message, index) =>
      index === end.message && typeof message.content !== 'string'
        ? { role: message.role, content: message.content.slice(0, end.block + 1) }
        : message,
    );
    for (const message of messages) tokens += estimateTokens(messageText(message)) + 4;
    prefix = { system: request.system, messages };
  } else {
    const system = blocks.slice(0, systemEnd + 1);
    tokens += estimateTokens(systemText(system));
    prefix = { system };
  }
  return { key: hashString(canonicalJson({ model: request.model, tools: request.tools, prefix })), tokens };
}

/** Hooks that make structured values meaningful: prose from the prompt, confidences from the configured distribution. */
function sampleHooks(analysis: PromptAnalysis, confidence: { mean: number; spread: number }): SchemaSampleHooks {
  return {
    string: (site: SampleSite) => describeField(analysis, site),
    number: (site: SampleSite, bounds: NumberBounds) => {
      if (!/confidence|certainty/i.test(site.propertyName ?? '')) return undefined;
      const unit = Math.min(0.99, Math.max(0.01, confidence.mean + confidence.spread * site.random.normal()));
      const bounded = Number.isFinite(bounds.min) && Number.isFinite(bounds.max);
      // A 0..1 confidence takes the value as is; other finite scales (0..100, 1..5) are mapped onto it.
      const value = bounded ? bounds.min + unit * (bounds.max - bounds.min) : unit;
      return bounds.integer ? Math.round(value) : Math.round(value * 100) / 100;
    },
  };
}

interface Content {
  text: string;
  toolCalls: ToolCall[];
  structured?: unknown;
}

function sampleOrReject(schema: ToolDefinition['inputSchema'], random: Random, hooks: SchemaSampleHooks, what: string): unknown {
  try {
    return sampleSchema(schema, { random, hooks });
  } catch (error) {
    if (error instanceof SchemaSampleError) {
      throw new ProviderError('PROVIDER_BAD_REQUEST', 'simulated', `${what}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Decides between a tool call, a structured value, a tool follow-up and a plain answer. */
function compose(request: ModelRequest, analysis: PromptAnalysis, random: Random, hash: number, hooks: SchemaSampleHooks): Content {
  const tools = request.tools ?? [];
  const choice = request.toolChoice ?? 'auto';
  let tool: ToolDefinition | undefined;
  if (typeof choice === 'object') {
    tool = tools.find((candidate) => candidate.name === choice.name);
    if (!tool) throw new ProviderError('PROVIDER_BAD_REQUEST', 'simulated', `toolChoice names "${choice.name}", which is not among the tools`);
  } else if (choice === 'auto' && tools.length > 0 && !endsWithToolResult(request.messages)) {
    // Only a tool the user's turn names, and never right after a tool result, so tool loops end.
    tool = mentionedTool(analysis.task, tools);
  }
  if (tool) {
    const input = sampleOrReject(tool.inputSchema, random.fork(`tool:${tool.name}`), hooks, `input schema of tool "${tool.name}"`);
    return {
      text: `${SIMULATED_MARKER} Calling ${tool.name} for ${analysis.phrases[0] ?? 'the request'}.`,
      toolCalls: [{ id: `toolu_sim_${hash.toString(36)}`, name: tool.name, input }],
    };
  }
  if (request.structuredOutput) {
    const { name, schema } = request.structuredOutput;
    const structured = sampleOrReject(schema, random.fork('structured'), hooks, `structured output "${name}"`);
    return { text: JSON.stringify(structured), toolCalls: [], structured };
  }
  if (endsWithToolResult(request.messages)) return { text: composeToolFollowUp(analysis, random.fork('follow-up')), toolCalls: [] };
  return { text: composeAnswer(analysis, random.fork('answer')), toolCalls: [] };
}

/**
 * Creates the offline, deterministic model.
 *
 * Retries: the outcome of a call (fail or succeed) is drawn from the request
 * hash salted with how many times this instance has seen that same request,
 * so a retry of a failed request is a fresh draw and succeeds with probability
 * `1 - failureRate`, while a new instance replays the same sequence exactly.
 * The response content never depends on the attempt.
 *
 * @example
 * ```ts
 * const model = createSimulatedProvider({ seed: 7, latencyMs: 200, jitterMs: 50, failureRate: 0.05 });
 * const response = await model.complete({
 *   model: 'claude-sonnet-4-5',
 *   maxTokens: 1024,
 *   messages: [{ role: 'user', content: 'Design a rate limiter for the payments API.' }],
 * });
 * response.text; // '[simulated] Analysis of rate limiter ...'
 * response.simulated; // true
 * ```
 */
export function createSimulatedProvider(options: SimulatedProviderOptions = {}): ModelProvider {
  const seed = options.seed ?? 42;
  if (!Number.isFinite(seed)) throw new ConfigError('seed', `must be a finite number, got ${seed}`);
  const latencyMs = checkOption('latencyMs', options.latencyMs ?? 0, 0, Number.MAX_SAFE_INTEGER);
  const jitterMs = checkOption('jitterMs', options.jitterMs ?? 0, 0, Number.MAX_SAFE_INTEGER);
  const failureRate = checkOption('failureRate', options.failureRate ?? 0, 0, 1);
  const confidence = {
    mean: checkOption('confidence.mean', options.confidence?.mean ?? 0.78, 0, 1),
    spread: checkOption('confidence.spread', options.confidence?.spread ?? 0.12, 0, 1),
  };
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep;
  const attempts = new Map<number, number>();
  const cacheExpiry = new Map<number, number>();

  async function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (ms <= 0) await Promise.resolve();
    else if (sleep) await raceAbort(sleep(ms, signal), signal);
    else await timerSleep(ms, signal);
    if (signal?.aborted) throw abortError(signal);
  }

  function billCache(request: ModelRequest, totalTokens: number): Pick<TokenUsage, 'inputTokens' | 'cacheReadTokens' | 'cacheWriteTokens'> {
    const prefix = cachedPrefix(request);
    if (!prefix) return { inputTokens: totalTokens, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const tokens = Math.min(prefix.tokens, totalTokens);
    const now = clock();
    const expiry = cacheExpiry.get(prefix.key);
    const hit = expiry !== undefined && expiry > now;
    // A hit refreshes the TTL, as Anthropic's does; re-inserting keeps the map in least-recent order.
    cacheExpiry.delete(prefix.key);
    cacheExpiry.set(prefix.key, now + SIMULATED_CACHE_TTL_MS);
    bound(cacheExpiry);
    return hit
      ? { inputTokens: totalTokens - tokens, cacheReadTokens: tokens, cacheWriteTokens: 0 }
      : { inputTokens: totalTokens - tokens, cacheReadTokens: 0, cacheWriteTokens: tokens };
  }

  /**
   * One call: waits `firstShare` of the call's latency, may fail, answers.
   * Streaming spreads the rest of the latency over the deltas.
   */
  async function run(request: ModelRequest, onDelta?: ModelDeltaSink): Promise<ModelResponse> {
    if (request.signal?.aborted) throw abortError(request.signal);
    const hash = requestHash(seed, request);
    const random = createRandom(hash);
    const attempt = attempts.get(hash) ?? 0;
    attempts.delete(hash);
    attempts.set(hash, attempt + 1);
    bound(attempts);

    const delay = Math.max(0, Math.round(latencyMs + (random.fork('latency').next() * 2 - 1) * jitterMs));
    // Streaming: a quarter of the latency before the first delta, the rest between deltas.
    const firstDelay = onDelta ? Math.round(delay * STREAM_FIRST_DELTA_SHARE) : delay;
    await wait(firstDelay, request.signal);
    if (failureRate > 0 && random.fork(`failure:${attempt}`).next() < failureRate) {
      throw new ProviderError(
        'SIMULATED_FAILURE',
        'simulated',
        `simulated failure (failureRate ${failureRate}, attempt ${attempt + 1} of this request); retrying may succeed`,
      );
    }

    const analysis = analyzePrompt(request);
    const content = compose(request, analysis, random, hash, sampleHooks(analysis, confidence));
    const budget = request.thinkingBudgetTokens;
    const thinking = budget !== undefined && budget > 0 ? composeThinking(analysis, random.fork('thinking'), budget) : undefined;
    let stopReason: StopReason = content.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
    let { text } = content;
    let structured = content.structured;
    const maxChars = Math.max(0, Math.floor(request.maxTokens)) * 4;
    if (text.length > maxChars) {
      // Like a real model cut off mid-answer: the text stops, and a cut JSON value no longer parses.
      text = text.slice(0, maxChars);
      structured = undefined;
      stopReason = 'max_tokens';
    }
    const toolTokens = content.toolCalls.reduce((sum, call) => sum + estimateTokens(call.name + JSON.stringify(call.input)), 0);
    const usage: TokenUsage = {
      ...billCache(request, estimateRequestTokens(request)),
      outputTokens: estimateTokens(text) + toolTokens,
      thinkingTokens: estimateTokens(thinking ?? ''),
    };
    const response: ModelResponse = {
      text,
      toolCalls: content.toolCalls,
      usage,
      model: request.model,
      stopReason,
      simulated: true,
      ...(thinking === undefined ? {} : { thinking }),
      ...(structured === undefined ? {} : { structured }),
    };
    if (onDelta) {
      const deltas = simulatedDeltas(request, response);
      const gap = deltas.length > 1 ? (delay - firstDelay) / (deltas.length - 1) : 0;
      for (const [i, delta] of deltas.entries()) {
        if (i > 0) await wait(Math.round(gap * i) - Math.round(gap * (i - 1)), request.signal);
        onDelta(delta);
      }
    }
    return response;
  }

  return {
    name: 'simulated',
    complete: (request) => run(request),
    stream: (request, onDelta) => run(request, onDelta),
    countTokens: (request) => Promise.resolve(estimateRequestTokens(request)),
  };
}
