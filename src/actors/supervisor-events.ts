/**
 * The events the supervisor and its shards exchange about agents. In a file of
 * their own so the supervisor and the shard machine do not import each other.
 */
import type { AgentBroadcastEvent, AgentInboundEvent } from '../protocols/agent-protocol.js';
import type { ErrorData } from '../protocols/errors/errors.js';
import type { AgentMachineInput } from './agent/machine.js';

export interface SpawnAgentEvent {
  readonly type: 'supervisor.spawn';
  readonly agentId: string;
  /** `thinking` or a name registered with `registerAgentType`. */
  readonly agentType: string;
  readonly input: AgentMachineInput;
  /**
   * The actor's id and systemId when `agent:<agentId>` is held by a reused
   * actor now serving another agent (agent-directory.ts). Default: the agent id and `agent:<agentId>`.
   */
  readonly actorId?: string;
}

export interface StopAgentEvent {
  readonly type: 'supervisor.stop';
  /** The agent the actor was spawned for (it picks the shard). */
  readonly agentId: string;
  /** The actor's id when it is not the agent id (see SpawnAgentEvent.actorId). */
  readonly actorId?: string;
}

/** Deliver `event` to agent `agentId`; an unknown agent gets the sender a typed error. */
export interface DeliverEvent {
  readonly type: 'supervisor.deliver';
  readonly agentId: string;
  readonly event: AgentInboundEvent;
}

/**
 * Deliver one broadcast to many agents in one step (the fan-out of
 * `orchestrator.broadcast`). Agents that are gone are reported, not errors.
 */
export interface BroadcastToAgentsEvent {
  readonly type: 'supervisor.broadcast';
  readonly agentIds: readonly string[];
  readonly event: AgentBroadcastEvent;
}

/** Sent by shards when an agent actor crashed (threw outside a handled step). */
export interface AgentCrashedEvent {
  readonly type: 'supervisor.agentCrashed';
  readonly agentId: string;
  readonly error: ErrorData;
}
