/**
 * Test doubles for troupe users: `import { createScriptedProvider } from 'troupe/testing'`.
 */
export { createScriptedProvider } from './providers/scripted.js';
export type { ScriptedProvider, ScriptedProviderOptions, ScriptedStep, ScriptedHandler } from './providers/scripted.js';
