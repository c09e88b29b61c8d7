/**
 * ModelProvider implementations: Anthropic and OpenAI over their SDKs, the
 * simulated offline model, and the test doubles; plus model prices.
 */
export { streamAnthropicMessage } from './anthropic-stream.js';
export type { AnthropicStreamOptions } from './anthropic-stream.js';
export { createAnthropicProvider } from './anthropic.js';
export type { AnthropicProviderOptions } from './anthropic.js';
export { findApiKey, isOwnURL, requireApiKey, routeApiKey } from './api-key.js';
export type { KeyRouting, KeySource, RoutedKey } from './api-key.js';
export { DEFAULT_PRICES, costOfUsage, findPrice, mergePrices, requirePrice } from './model-prices.js';
export { streamChatCompletion } from './openai-stream.js';
export type { OpenAIStreamOptions } from './openai-stream.js';
export { LOCAL_SERVER_API_KEY, createOpenAIProvider, isReasoningModel } from './openai.js';
export type { OpenAIProviderOptions } from './openai.js';
export {
  DEFAULT_PROVIDER_TIMEOUT_MS,
  abortError,
  apiErrorFields,
  callSdk,
  clip,
  codeForStatus,
  malformedResponse,
  mapSdkError,
  parseRetryAfter,
  redactSecrets,
} from './provider-errors.js';
export type { ApiErrorFields, SdkApiError, SdkCallContext, SdkErrorClasses } from './provider-errors.js';
export { canonicalJson, hashModelRequest, storableRequest } from './request-hash.js';
export type { StoredModelRequest } from './request-hash.js';
export { streamEndedEarly, streamFailure } from './stream-failure.js';
export {
  simulatedDeltas,
  createRandom,
  hashString,
  fitLength,
  numberBounds,
  numberField,
  sampleFormat,
  sampleNumberIn,
  samplePattern,
  satisfiesNumber,
  SchemaSampleError,
  sampleSchema,
  SIMULATED_CACHE_TTL_MS,
  createSimulatedProvider,
  SIMULATED_MARKER,
  analyzePrompt,
  composeAnswer,
  composeThinking,
  composeToolFollowUp,
  describeField,
  endsWithToolResult,
  keyPhrases,
  mentionedTool,
} from './simulated/index.js';
export type {
  Random,
  NumberBounds,
  SampleSchemaOptions,
  SampleSite,
  SchemaSampleHooks,
  SimulatedProviderOptions,
  PromptAnalysis,
} from './simulated/index.js';
export {
  readCassette,
  writeCassette,
  createRecordingProvider,
  createReplayProvider,
  createScriptedProvider,
} from './testing/index.js';
export type {
  Cassette,
  CassetteEntry,
  RecordingProvider,
  RecordingProviderOptions,
  ReplayProvider,
  ReplayProviderOptions,
  ScriptedChunk,
  ScriptedHandler,
  ScriptedProvider,
  ScriptedProviderOptions,
  ScriptedStep,
} from './testing/index.js';
