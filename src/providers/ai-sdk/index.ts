/**
 * The AI SDK adapter (the `troupe/ai-sdk` entry point): any AI SDK 6 language model (LanguageModelV3) as a
 * troupe ModelProvider. Only types come from `@ai-sdk/provider`, an optional peer.
 */
export { createAiSdkProvider } from './ai-sdk-provider.js';
export type { AiSdkProviderOptions } from './ai-sdk-provider.js';
export { mapAiSdkError } from './errors.js';
export { toCallOptions, toPrompt } from './prompt.js';
export type { AiSdkCallSettings } from './prompt.js';
export { structuredValidator, toModelResponse } from './response.js';
export { readStream } from './stream.js';
