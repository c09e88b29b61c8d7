/**
 * One streaming model call as the chain's terminal runs it: deltas are
 * numbered and tagged with who made the call, structured JSON is read as a
 * partial value, an idle limit fails a stalled stream, and a stream that
 * fails part way is priced for what it had generated.
 */
import { ProviderError } from '../protocols/errors/errors.js';
import { stepOfPurpose } from '../protocols/gateway.js';
import type { ModelCall, ModelCallDelta } from '../protocols/gateway.js';
import { estimateRequestTokens, estimateTokens } from '../protocols/model.js';
import type { ModelDelta, ModelProvider, ModelResponse, TokenUsage } from '../protocols/model.js';
import type { ModelPrice } from '../protocols/pricing.js';
import { costOfUsage } from '../providers/model-prices.js';
import { parsePartialJson } from '../util/partial-json.js';
import { notePartialCharge } from './partial-charge.js';

/** setTimeout fires at once above this; longer idle limits are not armed. */
const MAX_TIMER_MS = 2_147_483_647;

/** What {@link streamCall} needs besides the call. */
export interface StreamCallContext {
  readonly callId: string;
  /** Receives every delta, already tagged. */
  readonly deliver: (delta: ModelCallDelta) => void;
  readonly price: ModelPrice | undefined;
}

/** The deltas a provider without `stream` is reported with: its whole answer, one delta per kind. */
function wholeAnswerDeltas(call: ModelCall, response: ModelResponse): ModelDelta[] {
  const deltas: ModelDelta[] = [];
  if (response.thinking) deltas.push({ kind: 'thinking', text: response.thinking });
  if (call.request.structuredOutput && response.structured !== undefined) {
    deltas.push({ kind: 'structured', text: JSON.stringify(response.structured) });
  } else if (response.text !== '') deltas.push({ kind: 'text', text: response.text });
  return deltas;
}

/** Conservative usage of a stream that stopped: all input, and at least a token per delta received. */
function generatedUsage(call: ModelCall, answer: { chars: string; deltas: number }, thought: { chars: string; deltas: number }): TokenUsage {
  return {
    inputTokens: estimateRequestTokens(call.request),
    outputTokens: Math.max(answer.deltas, estimateTokens(answer.chars)),
    thinkingTokens: Math.max(thought.deltas, estimateTokens(thought.chars)),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  };
}

/**
 * Runs `call` on `provider` streaming (or, without `stream`, completing and
 * reporting the answer as deltas), and resolves with the final response.
 * @throws ProviderError `STREAM_IDLE_TIMEOUT` when no delta came for the call's
 *   `streamIdleTimeoutSeconds`; otherwise what the provider threw, carrying a
 *   {@link PartialCharge} when some output had arrived.
 */
export async function streamCall(provider: ModelProvider, call: ModelCall, context: StreamCallContext): Promise<ModelResponse> {
  const outer = call.request.signal;
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onOuterAbort, { once: true });

  const idleSeconds = call.streamIdleTimeoutSeconds;
  // A provider that cannot stream answers all at once: an idle limit would only cut long answers short.
  const idleMs = idleSeconds === undefined || !provider.stream ? undefined : Math.max(1, Math.round(idleSeconds * 1000));
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let idleFired = false;
  const armIdle = (): void => {
    if (idleMs === undefined || idleMs > MAX_TIMER_MS) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idleFired = true;
      controller.abort();
    }, idleMs);
  };

  const answer = { chars: '', deltas: 0 };
  const thought = { chars: '', deltas: 0 };
  let structuredJson = '';
  let index = 0;
  let sinkError: { error: unknown } | undefined;
  const base = {
    callId: context.callId,
    agentId: call.agentId,
    purpose: call.purpose,
    step: stepOfPurpose(call.purpose),
    provider: call.provider,
    ...(call.taskId === undefined ? {} : { taskId: call.taskId }),
    ...(call.workflowId === undefined ? {} : { workflowId: call.workflowId }),
  };
  const onDelta = (delta: ModelDelta): void => {
    if (delta.text === '' || controller.signal.aborted) return;
    armIdle();
    const tally = delta.kind === 'thinking' ? thought : answer;
    tally.chars += delta.text;
    tally.deltas++;
    let tagged: ModelCallDelta = { ...base, ...delta, index: index++ };
    if (delta.kind === 'structured') {
      structuredJson += delta.text;
      const partial = parsePartialJson(structuredJson);
      tagged = { ...tagged, partialJson: structuredJson, ...(partial ? { partial: partial.value } : {}) };
    }
    try {
      context.deliver(tagged);
    } catch (error) {
      // A consumer that throws fails the call rather than losing deltas silently.
      sinkError = { error };
      controller.abort();
    }
  };

  armIdle();
  try {
    const request = { ...call.request, signal: controller.signal };
    let response: ModelResponse;
    if (provider.stream) response = await provider.stream(request, onDelta);
    else {
      response = await provider.complete(request);
      for (const delta of wholeAnswerDeltas(call, response)) onDelta(delta);
    }
    if (sinkError) throw sinkError.error;
    return response;
  } catch (caught) {
    let error = caught;
    if (sinkError) error = sinkError.error;
    else if (idleFired && outer?.aborted !== true) {
      error = new ProviderError('STREAM_IDLE_TIMEOUT', provider.name, `no output for ${String(idleSeconds)}s (streamIdleTimeoutSeconds)`);
    }
    if (answer.deltas + thought.deltas > 0) {
      const usage = generatedUsage(call, answer, thought);
      notePartialCharge(error, { usage, costCents: context.price ? costOfUsage(usage, context.price) : 0 });
    }
    throw error;
  } finally {
    clearTimeout(idleTimer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
