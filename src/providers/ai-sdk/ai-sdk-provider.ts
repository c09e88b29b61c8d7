/**
 * The AI SDK adapter: any AI SDK 6 language model (`LanguageModelV3` from
 * `@ai-sdk/provider` 3.x, e.g. `openai('gpt-4o')` from `@ai-sdk/openai`) as a
 * troupe {@link ModelProvider}. `@ai-sdk/provider` is an optional peer: only
 * its types are imported, so troupe loads without it.
 *
 * `complete` is one `doGenerate`; `stream` is one `doStream` whose text,
 * reasoning and tool arguments arrive as deltas. Retries are the gateway's;
 * the adapter makes one attempt and maps failures to `ProviderError` codes.
 */
import type { LanguageModelV3, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { ConfigError } from '../../protocols/errors/errors.js';
import { modelPriceShape, shapeProblem } from '../../protocols/shapes.js';
import type { ModelDeltaSink, ModelProvider, ModelRequest, ModelResponse } from '../../protocols/model.js';
import type { ModelPrice } from '../../protocols/pricing.js';
import { mapAiSdkError } from './errors.js';
import { toCallOptions } from './prompt.js';
import type { AiSdkCallSettings } from './prompt.js';
import { structuredValidator, toModelResponse } from './response.js';
import { readStream } from './stream.js';
import { abortError, DEFAULT_PROVIDER_TIMEOUT_MS } from '../provider-errors.js';

export type { AiSdkCallSettings } from './prompt.js';

export interface AiSdkProviderOptions extends AiSdkCallSettings {
  /** Provider name for the registry, templates' `provider`, errors and journals. Default: the model's `provider` (e.g. `openai.chat`). */
  readonly name?: string;
  /**
   * The model's price. Every call through this provider is priced with it,
   * whatever the template's `model` says. Without it, calls are priced from the
   * price table by the template's model name, and with a cost limit set a name
   * the table does not know is refused, as for any provider.
   */
  readonly pricing?: ModelPrice;
  /** Deadline of one call in milliseconds. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** Strings to cut out of error messages (e.g. the key the model was created with). Key-shaped text is cut anyway. */
  readonly secrets?: readonly string[];
}

/** setTimeout fires at once for delays above this (2^31 - 1 ms); longer deadlines are not armed. */
const MAX_TIMER_MS = 2_147_483_647;

type CallContext = { readonly provider: string; readonly timeoutMs: number; readonly secrets: readonly string[] };

/**
 * Runs one model call under the caller's signal and the deadline: `run` gets
 * the signal to hand the model and a promise that rejects as soon as either
 * fires, so the call ends then even if the model ignores its signal.
 * Failures are mapped to ProviderError codes.
 */
async function underDeadline<T>(
  request: ModelRequest,
  context: CallContext,
  run: (abortSignal: AbortSignal, stopped: Promise<never>) => Promise<T>,
): Promise<T> {
  const { signal } = request;
  if (signal?.aborted) throw abortError(context.provider);
  const controller = new AbortController();
  let timedOut = false;
  const stopped = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(new Error('the model call was stopped')), { once: true });
  });
  // Nothing may go unhandled when the call ends first and the signal fires later.
  stopped.catch(() => undefined);
  const timer =
    context.timeoutMs <= MAX_TIMER_MS
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, context.timeoutMs)
      : undefined;
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([run(controller.signal, stopped), stopped]);
  } catch (error) {
    throw mapAiSdkError(error, { provider: context.provider, secrets: context.secrets, signal, timedOut });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** One `doGenerate`. */
function generate(model: LanguageModelV3, request: ModelRequest, settings: AiSdkCallSettings, context: CallContext): Promise<LanguageModelV3GenerateResult> {
  return underDeadline(request, context, async (abortSignal) => model.doGenerate({ ...toCallOptions(request, settings), abortSignal }));
}

/** One `doStream`, read to its end with each piece passed to `onDelta`. */
function streamed(
  model: LanguageModelV3,
  request: ModelRequest,
  settings: AiSdkCallSettings,
  context: CallContext,
  onDelta: ModelDeltaSink,
): Promise<LanguageModelV3GenerateResult> {
  return underDeadline(request, context, async (abortSignal, stopped) => {
    const { stream } = await Promise.race([Promise.resolve(model.doStream({ ...toCallOptions(request, settings), abortSignal })), stopped]);
    return readStream(stream, request, onDelta, context.provider, stopped);
  });
}

/**
 * Adapts an AI SDK 6 language model to troupe's ModelProvider port: text,
 * tool calls, structured output (sent as a JSON response format and checked
 * against the schema), reasoning, usage with cache reads and writes, abort and
 * typed errors. The model object fixes the model; `request.model` only prices
 * the call when `pricing` is absent.
 *
 * @example
 * ```ts
 * import { openai } from '@ai-sdk/openai';
 * import { createAiSdkProvider, Orchestrator } from 'troupe';
 *
 * const orchestrator = new Orchestrator();
 * orchestrator.registerProvider(
 *   createAiSdkProvider(openai('gpt-4o-mini'), {
 *     name: 'ai-openai',
 *     pricing: { inputCentsPerMTok: 15, outputCentsPerMTok: 60, cacheReadCentsPerMTok: 7.5, cacheWriteCentsPerMTok: 15 },
 *   }),
 * );
 * orchestrator.registerTemplate('writer', { provider: 'ai-openai', model: 'gpt-4o-mini' });
 * ```
 */
export function createAiSdkProvider(model: LanguageModelV3, options: AiSdkProviderOptions = {}): ModelProvider {
  if (model.specificationVersion !== 'v3') {
    throw new ConfigError(
      'model',
      `the model implements AI SDK specification "${String(model.specificationVersion)}"; createAiSdkProvider needs a v3 (AI SDK 6) model`,
    );
  }
  if (options.pricing !== undefined) {
    const problem = shapeProblem(modelPriceShape, options.pricing);
    if (problem) throw new ConfigError(`pricing.${problem.field}`, problem.reason);
  }
  const name = options.name ?? model.provider;
  const context = {
    provider: name,
    timeoutMs: options.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS,
    secrets: options.secrets ?? [],
  };
  return {
    name,
    ...(options.pricing === undefined ? {} : { price: options.pricing }),
    async complete(request: ModelRequest): Promise<ModelResponse> {
      const validator = structuredValidator(request, name);
      const result = await generate(model, request, options, context);
      return toModelResponse(result, request, { provider: name, modelId: model.modelId, validator });
    },
    async stream(request: ModelRequest, onDelta: ModelDeltaSink): Promise<ModelResponse> {
      const validator = structuredValidator(request, name);
      const result = await streamed(model, request, options, context, onDelta);
      return toModelResponse(result, request, { provider: name, modelId: model.modelId, validator });
    },
  };
}
