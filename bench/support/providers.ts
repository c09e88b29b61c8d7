/**
 * Provider wrappers the benchmarks measure with: one that records the
 * requests troupe makes (so a baseline can replay exactly those calls), one
 * that strips prompt-cache markers (the no-caching baseline), and one that
 * adds a planned latency per task (critical-path runs).
 */
import type { ContentBlock, ModelMessage, ModelProvider, ModelRequest, ModelResponse, SystemPrompt } from '../../src/protocols/model.js';
import { messageText } from '../../src/protocols/model.js';

/** A provider that keeps every request it was asked, without its AbortSignal. */
export interface RecordingProvider extends ModelProvider {
  readonly requests: ModelRequest[];
}

/** Drops the request's AbortSignal: a replay has nothing to abort, and a stored signal pins its controller. */
function withoutSignal(request: ModelRequest): ModelRequest {
  if (request.signal === undefined) return request;
  const { signal: _signal, ...rest } = request;
  return rest;
}

/**
 * Wraps `inner` and records the requests, in call order.
 *
 * @example
 * ```ts
 * const provider = recordRequests(createSimulatedProvider());
 * await new Orchestrator({ provider }).executeWorkflow({ tasks });
 * await replayAll(createSimulatedProvider(), provider.requests);
 * ```
 */
export function recordRequests(inner: ModelProvider): RecordingProvider {
  const requests: ModelRequest[] = [];
  return {
    name: inner.name,
    requests,
    complete(request) {
      requests.push(withoutSignal(request));
      return inner.complete(request);
    },
  };
}

/** The same model calls made directly: `Promise.all` over `provider.complete`. */
export function replayAll(provider: ModelProvider, requests: readonly ModelRequest[]): Promise<ModelResponse[]> {
  return Promise.all(requests.map((request) => provider.complete(request)));
}

function uncachedSystem(system: SystemPrompt | undefined): SystemPrompt | undefined {
  if (system === undefined || typeof system === 'string') return system;
  return system.map(({ text }) => ({ text }));
}

function uncachedBlock(block: ContentBlock): ContentBlock {
  if (block.type !== 'text' || block.cache === undefined) return block;
  const { cache: _cache, ...rest } = block;
  return rest;
}

function uncachedMessage(message: ModelMessage): ModelMessage {
  if (typeof message.content === 'string') return message;
  return { ...message, content: message.content.map(uncachedBlock) };
}

/** The request with every `cache` marker removed (system blocks and message text blocks). */
export function stripCacheMarkers(request: ModelRequest): ModelRequest {
  const system = uncachedSystem(request.system);
  return {
    ...request,
    ...(system === undefined ? {} : { system }),
    messages: request.messages.map(uncachedMessage),
  };
}

/** Wraps `inner` so no request asks for prompt caching: the no-caching baseline. */
export function withoutPromptCaching(inner: ModelProvider): ModelProvider {
  return { name: inner.name, complete: (request) => inner.complete(stripCacheMarkers(request)) };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The marker a task description carries so a provider can tell which task a call is for. */
export function taskMarker(taskId: string): string {
  return `[bench-task ${taskId}]`;
}

const MARKER = /\[bench-task ([^\]]+)\]/;

/** The task id of the first marker in the request's messages, if any. */
export function markedTask(request: ModelRequest): string | undefined {
  for (const message of request.messages) {
    const match = MARKER.exec(messageText(message));
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

/**
 * Wraps `inner` (best a zero-latency model) so each call first waits the
 * planned latency of the task its prompt is marked with. Dependents' prompts
 * quote their dependencies' outputs, so the first marker is the task's own:
 * `taskMarker` must lead the task description.
 */
export function withPlannedLatency(inner: ModelProvider, latencyMs: (taskId: string) => number): ModelProvider {
  return {
    name: inner.name,
    async complete(request) {
      const taskId = markedTask(request);
      if (taskId !== undefined) await sleep(latencyMs(taskId), request.signal);
      return inner.complete(request);
    },
  };
}

/** The one answer of {@link constantModel}. */
const CONSTANT_RESPONSE: ModelResponse = {
  text: 'done',
  toolCalls: [],
  usage: { inputTokens: 10, outputTokens: 1, thinkingTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  model: 'constant',
  stopReason: 'end_turn',
  simulated: true,
};

/**
 * A model that answers every request at once with the same short text: no
 * text generation, no timer, so a run measures only what troupe adds.
 * Named `simulated` so the default prices apply.
 */
export function constantModel(): ModelProvider {
  return { name: 'simulated', complete: () => Promise.resolve(CONSTANT_RESPONSE) };
}
