/**
 * Reads the agent machine's context out of a snapshot of unknown origin (a
 * live actor the pool or an inspector holds may be a user's custom agent).
 */
import type { AgentContext } from './types.js';

/**
 * The agent machine's context, when `snapshot` is one of ours; undefined for
 * a custom agent's snapshot or anything else.
 * @example
 * const memory = contextOf(actor.getSnapshot())?.memory;
 */
export function contextOf(snapshot: unknown): AgentContext | undefined {
  if (typeof snapshot !== 'object' || snapshot === null || !('context' in snapshot)) return undefined;
  const context: unknown = snapshot.context;
  if (typeof context !== 'object' || context === null || !('memory' in context) || !('run' in context)) return undefined;
  return context as AgentContext;
}
