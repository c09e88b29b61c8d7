/**
 * Test doubles for troupe users: `import { createScriptedProvider } from 'troupe/testing'`.
 */
export { createScriptedProvider } from './providers/testing/scripted.js';
export type { ScriptedProvider, ScriptedProviderOptions, ScriptedStep, ScriptedHandler, ScriptedChunk } from './providers/testing/scripted.js';
export { createRecordingProvider } from './providers/testing/recording.js';
export type { RecordingProvider, RecordingProviderOptions } from './providers/testing/recording.js';
export { createReplayProvider } from './providers/testing/replaying-provider.js';
export type { ReplayProvider, ReplayProviderOptions } from './providers/testing/replaying-provider.js';
export type { Cassette, CassetteEntry } from './providers/testing/cassette.js';
export { MemoryJournalStorage } from './storage/journal-memory.js';
