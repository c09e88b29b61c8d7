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
export { readCassette, writeCassette } from './providers/testing/cassette.js';
// Building blocks for driving machines and providers directly in tests
export { createModelGateway } from './model/gateway.js';
export type { GatewayOptions } from './model/gateway.js';
export { createRandom } from './providers/simulated/random.js';
export type { Random } from './providers/simulated/random.js';
export { abortError } from './providers/provider-errors.js';
