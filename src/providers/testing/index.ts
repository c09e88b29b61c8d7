/**
 * Test doubles for the ModelProvider port: a scripted provider, a recording
 * provider, cassettes and a provider that replays recorded responses.
 */
export { readCassette, writeCassette } from './cassette.js';
export type { Cassette, CassetteEntry } from './cassette.js';
export { createRecordingProvider } from './recording.js';
export type { RecordingProvider, RecordingProviderOptions } from './recording.js';
export { createReplayProvider } from './replaying-provider.js';
export type { ReplayProvider, ReplayProviderOptions } from './replaying-provider.js';
export { createScriptedProvider } from './scripted.js';
export type {
  ScriptedChunk,
  ScriptedHandler,
  ScriptedProvider,
  ScriptedProviderOptions,
  ScriptedStep,
} from './scripted.js';
