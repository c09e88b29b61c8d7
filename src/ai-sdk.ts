/**
 * troupe/ai-sdk: any AI SDK 6 language model as a troupe ModelProvider. A
 * separate entry point, so `troupe` itself never references the optional
 * `@ai-sdk/provider` peer.
 *
 * @example
 * ```ts
 * import { createAiSdkProvider } from 'troupe/ai-sdk';
 * orchestrator.registerProvider(createAiSdkProvider(model, { name: 'mistral', pricing }));
 * ```
 */
export { createAiSdkProvider } from './providers/ai-sdk/ai-sdk-provider.js';
export type { AiSdkProviderOptions, AiSdkCallSettings } from './providers/ai-sdk/ai-sdk-provider.js';
