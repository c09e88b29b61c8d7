/**
 * The simulated model: offline, seeded, with latency, jitter and failures, text
 * drawn from the prompt and structured output valid against the requested schema.
 */
export { simulatedDeltas } from './chunks.js';
export { createRandom, hashString } from './random.js';
export type { Random } from './random.js';
export {
  fitLength,
  numberBounds,
  numberField,
  sampleFormat,
  sampleNumberIn,
  samplePattern,
  satisfiesNumber,
} from './schema-sample-scalars.js';
export type { NumberBounds } from './schema-sample-scalars.js';
export { SchemaSampleError, sampleSchema } from './schema-sample.js';
export type { SampleSchemaOptions, SampleSite, SchemaSampleHooks } from './schema-sample.js';
export { SIMULATED_CACHE_TTL_MS, createSimulatedProvider } from './simulated.js';
export type { SimulatedProviderOptions } from './simulated.js';
export {
  SIMULATED_MARKER,
  analyzePrompt,
  clip,
  composeAnswer,
  composeThinking,
  composeToolFollowUp,
  describeField,
  endsWithToolResult,
  keyPhrases,
  mentionedTool,
} from './text.js';
export type { PromptAnalysis } from './text.js';
