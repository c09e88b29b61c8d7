/**
 * Test doubles for troupe users: `import { createScriptedProvider } from 'troupe/testing'`.
 */
export { createScriptedProvider } from './providers/scripted.js';
export type { ScriptedProvider, ScriptedProviderOptions, ScriptedStep, ScriptedHandler } from './providers/scripted.js';
export { createRecordingProvider } from './providers/recording.js';
export type { RecordingProvider, RecordingProviderOptions } from './providers/recording.js';
export { createReplayProvider } from './providers/replay.js';
export type { ReplayProvider, ReplayProviderOptions } from './providers/replay.js';
export type { Cassette, CassetteEntry } from './providers/cassette.js';
export { MemoryJournalStorage } from './storage/journal-memory.js';
