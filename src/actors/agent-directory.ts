/**
 * Where an agent's actor is. An agent actor is registered in the actor system
 * under the systemId of the agent it was spawned for (`agent:<id>`). A reused
 * actor (one actor serving ephemeral agents one after another, see
 * agents/agent-slots.ts) keeps that systemId, which XState fixes at spawn, so
 * the directory of its system records which agent it serves now: an alias
 * from the new agent id to the actor, and the actor as vacated so its first
 * systemId no longer finds it. Every lookup of an agent by id (the pool, the
 * supervisor's routing, the dashboard) goes through {@link locateAgent}.
 */
import type { AnyActorRef } from 'xstate';
import { agentSystemId } from '../protocols/agent-protocol.js';

/** The lookups of one actor system; `system.get` is the public part XState offers. */
interface AgentSystem {
  get(systemId: string): AnyActorRef | undefined;
}

/** Aliases and vacated actors of one actor system. */
export interface AgentDirectory {
  /** Agent id → the actor serving it under another systemId. */
  readonly aliases: Map<string, AnyActorRef>;
  /** Actors whose systemId names an agent they no longer serve. */
  readonly vacated: WeakSet<AnyActorRef>;
}

const directories = new WeakMap<AgentSystem, AgentDirectory>();

/** The directory of `system` (made on first use; it lives as long as the system). */
export function agentDirectory(system: AgentSystem): AgentDirectory {
  let directory = directories.get(system);
  if (!directory) {
    directory = { aliases: new Map(), vacated: new WeakSet() };
    directories.set(system, directory);
  }
  return directory;
}

/**
 * The actor serving `agentId` in `system`, live or not, or undefined.
 *
 * @example
 * ```ts
 * const ref = locateAgent(orchestrator.actor.system, 'researcher');
 * ```
 */
export function locateAgent(system: AgentSystem, agentId: string): AnyActorRef | undefined {
  const directory = directories.get(system);
  const alias = directory?.aliases.get(agentId);
  if (alias) return alias;
  const ref = system.get(agentSystemId(agentId));
  return ref && directory?.vacated.has(ref) ? undefined : ref;
}

/**
 * The systemId of an agent's actor: `agent:<agentId>`, or `agent-actor:<actorId>`
 * when that one is held by a reused actor serving another agent.
 */
export function actorSystemId(event: { readonly agentId: string; readonly actorId?: string | undefined }): string {
  return event.actorId === undefined ? agentSystemId(event.agentId) : `agent-actor:${event.actorId}`;
}
