/**
 * The pool's short route to agents and their shards. Sending an event to the
 * supervisor only for it to forward the event costs a supervisor macrostep
 * per task; when the target is known and live, the pool sends to it
 * directly, and otherwise takes the supervisor's route (which spawns a
 * missing shard, or answers an undeliverable event with a typed error).
 * Events still reach the same actors, so inspectors and the dashboard see
 * every agent and every task event as before.
 */
import type { Actor, AnyActorRef } from 'xstate';
import type { AgentInboundEvent } from '../protocols/agent-protocol.js';
import { locateAgent } from '../actors/agent-directory.js';
import type { SpawnAgentEvent, StopAgentEvent, SupervisorMachine } from '../actors/supervisor.js';
import { shardOf } from '../actors/supervisor.js';

/** A live actor of the system by systemId, or undefined. */
function live(supervisor: Actor<SupervisorMachine>, systemId: string): AnyActorRef | undefined {
  const ref: AnyActorRef | undefined = supervisor.system.get(systemId);
  return ref && ref.getSnapshot().status === 'active' ? ref : undefined;
}

/** The shard actor that holds (or will hold) `agentId`, when it is running. */
function shardFor(supervisor: Actor<SupervisorMachine>, agentId: string): AnyActorRef | undefined {
  if (supervisor.getSnapshot().status !== 'active') return undefined;
  const { shardCount } = supervisor.getSnapshot().context;
  return live(supervisor, `shard:${shardOf(agentId, shardCount)}`);
}

/**
 * Delivers `event` to the agent's actor, straight when it is live, else
 * through the supervisor's routing (undeliverable replies, consultation
 * chain checks). Consultations always take the supervisor's route: it
 * refuses cycles and overlong chains.
 */
export function deliverToAgent(supervisor: Actor<SupervisorMachine>, agentId: string, event: AgentInboundEvent): void {
  if (event.type !== 'agent.consult') {
    const target = locateAgent(supervisor.system, agentId);
    if (target && target.getSnapshot().status === 'active') {
      target.send(event);
      return;
    }
  }
  supervisor.send({ type: 'supervisor.deliver', agentId, event });
}

/** Spawns through the agent's shard when it runs, else through the supervisor (which starts the shard). */
export function spawnAgentActor(supervisor: Actor<SupervisorMachine>, event: SpawnAgentEvent): void {
  const shard = shardFor(supervisor, event.agentId);
  if (shard) shard.send(event);
  else supervisor.send(event);
}

/** Stops the agent's actor through its shard (a missing shard has no agent to stop). */
export function stopAgentActor(supervisor: Actor<SupervisorMachine>, event: StopAgentEvent): void {
  const shard = shardFor(supervisor, event.agentId);
  if (shard) shard.send(event);
  else supervisor.send(event);
}
