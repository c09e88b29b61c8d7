/**
 * The supervisor: root of the actor system. It spawns agent actors by key at
 * run time, stops them (aborting their model calls), routes every message to
 * an agent, and survives any child's failure.
 *
 * Agents live in shards (children of the supervisor, hashed by agent id)
 * because XState copies a parent's children map on every spawn and stop: N
 * children under one parent cost O(N²). With S shards each holds ~N/S.
 */
import { enqueueActions, setup, stopChild } from 'xstate';
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import type {
  AgentInboundEvent,
  AgentFailureEvent,
  ConsultReplyEvent,
} from '../protocols/agent-protocol.js';
import { locateAgent } from './agent-directory.js';
import { AgentNotFoundError, ConsultationCycleError, toErrorData } from '../protocols/errors/errors.js';
import type { ErrorData } from '../protocols/errors/errors.js';
import { EMPTY_USAGE } from '../protocols/model.js';
import type { AgentMachine } from './agent/machine.js';
import { createAgentShardMachine } from './agent-shard.js';
import type {
  AgentCrashedEvent,
  BroadcastToAgentsEvent,
  DeliverEvent,
  SpawnAgentEvent,
  StopAgentEvent,
} from './supervisor-events.js';
import type { WorkflowInput, WorkflowMachine } from './workflow/machine.js';

export type {
  AgentCrashedEvent,
  BroadcastToAgentsEvent,
  DeliverEvent,
  SpawnAgentEvent,
  StopAgentEvent,
} from './supervisor-events.js';

/** The built-in agent type name. */
export const THINKING_AGENT_TYPE = 'thinking';

/** Start a workflow run as a child of the supervisor (systemId `workflow:<id>`). */
export interface StartWorkflowEvent {
  readonly type: 'supervisor.startWorkflow';
  readonly input: WorkflowInput;
}

type WorkflowEndEvent =
  | { readonly type: `xstate.done.actor.${string}`; readonly output: unknown }
  | { readonly type: `xstate.error.actor.${string}`; readonly error: unknown };

export type SupervisorEvent =
  | SpawnAgentEvent
  | StopAgentEvent
  | DeliverEvent
  | BroadcastToAgentsEvent
  | AgentCrashedEvent
  | StartWorkflowEvent
  | WorkflowEndEvent;

export type SupervisorEmitted =
  | { readonly type: 'agent.crashed'; readonly agentId: string; readonly error: ErrorData }
  | { readonly type: 'workflow.crashed'; readonly workflowId: string; readonly error: ErrorData }
  | { readonly type: 'agent.undeliverable'; readonly agentId: string; readonly eventType: string };

export interface SupervisorOptions {
  readonly agentMachine: AgentMachine;
  readonly workflowMachine: WorkflowMachine;
  /** User agent machines by type name (registerAgentType). Read at spawn time. */
  readonly agentTypes: ReadonlyMap<string, AnyActorLogic>;
  /** Number of shards agents are spread over. Default 64. */
  readonly shards?: number;
  /** Longest consultation chain (agents asking, in turn) that is delivered. Default {@link DEFAULT_MAX_CONSULTATION_DEPTH}. */
  readonly maxConsultationDepth?: number;
}

/** Default bound on a consultation chain: A asks B asks C asks D asks E. */
export const DEFAULT_MAX_CONSULTATION_DEPTH = 4;

/**
 * Why a consultation must not reach `agentId`: the target already asks
 * upstream in this chain (a cycle, which would wait on itself), or the chain is
 * longer than `maxDepth`. `chain` lists the askers, oldest first.
 */
export function consultationRefusal(agentId: string, chain: readonly string[], maxDepth: number): ConsultationCycleError | undefined {
  if (chain.includes(agentId)) return new ConsultationCycleError([...chain, agentId], 'cycle');
  if (chain.length > maxDepth) return new ConsultationCycleError([...chain, agentId], 'depth');
  return undefined;
}

export interface SupervisorContext {
  readonly shardCount: number;
}

/** systemId of a workflow run. */
export function workflowSystemId(workflowId: string): string {
  return `workflow:${workflowId}`;
}

/** FNV-1a hash of an agent id, to pick its shard. */
export function shardOf(agentId: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < agentId.length; i++) {
    hash ^= agentId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shardCount;
}

/** The answer an undeliverable event gets, so no sender waits forever. */
export function undeliverableReply(agentId: string, event: AgentInboundEvent): {
  target: AnyActorRef;
  reply: AgentFailureEvent | ConsultReplyEvent;
} | undefined {
  const error = toErrorData(new AgentNotFoundError(agentId));
  if (event.type === 'agent.task' && event.replyTo) {
    return {
      target: event.replyTo,
      reply: {
        type: 'agent.failure',
        agentId,
        taskId: event.task.taskId,
        failure: { error, usage: EMPTY_USAGE, costCents: 0 },
      },
    };
  }
  if (event.type === 'agent.consult' && event.replyTo) {
    return {
      target: event.replyTo,
      reply: { type: 'agent.consult.reply', requestId: event.requestId, agentId, error, usage: EMPTY_USAGE, costCents: 0 },
    };
  }
  return undefined;
}

/** The reply a refused consultation gets: the refusal as data, nothing spent. */
function refusedConsultation(agentId: string, requestId: string, refusal: Error): ConsultReplyEvent {
  return { type: 'agent.consult.reply', requestId, agentId, error: toErrorData(refusal), usage: EMPTY_USAGE, costCents: 0 };
}

/**
 * Creates the supervisor machine.
 *
 * @example
 * ```ts
 * const supervisor = createActor(createSupervisorMachine({ agentMachine, agentTypes: new Map() }), { systemId: 'supervisor' }).start();
 * supervisor.send({ type: 'supervisor.spawn', agentId: 'a', agentType: 'thinking', input });
 * ```
 */
export function createSupervisorMachine(options: SupervisorOptions) {
  const shardMachine = createAgentShardMachine(options);
  const maxConsultationDepth = options.maxConsultationDepth ?? DEFAULT_MAX_CONSULTATION_DEPTH;
  return setup({
    types: {
      context: {} as SupervisorContext,
      events: {} as SupervisorEvent,
      emitted: {} as SupervisorEmitted,
    },
    actors: { agentShard: shardMachine, workflow: options.workflowMachine },
  }).createMachine({
    id: 'supervisor',
    context: { shardCount: Math.max(1, options.shards ?? 64) },
    on: {
      'supervisor.spawn': {
        actions: enqueueActions(({ context, event, enqueue, system }) => {
          const index = shardOf(event.agentId, context.shardCount);
          const shardId = `shard:${index}`;
          // Spawned on first use, and again if it is gone: the sendTo below must find it,
          // since a sendTo whose target resolves to undefined delivers to the supervisor itself.
          if (!system.get(shardId)) enqueue.spawnChild('agentShard', { id: `shard-${index}`, systemId: shardId });
          enqueue.sendTo(({ system: resolved }) => resolved.get(shardId), event);
        }),
      },
      'supervisor.stop': {
        actions: enqueueActions(({ context, event, enqueue, system }) => {
          const shard: AnyActorRef | undefined = system.get(`shard:${shardOf(event.agentId, context.shardCount)}`);
          if (shard) enqueue.sendTo(shard, event);
        }),
      },
      'supervisor.deliver': {
        actions: enqueueActions(({ event, enqueue, system }) => {
          // The routing helper: never sendTo a missing target (it throws, or
          // delivers to the sender itself); answer the sender with a typed error.
          const inbound = event.event;
          if (inbound.type === 'agent.consult') {
            const refusal = consultationRefusal(event.agentId, inbound.chain, maxConsultationDepth);
            if (refusal) {
              if (inbound.replyTo) enqueue.sendTo(inbound.replyTo, refusedConsultation(event.agentId, inbound.requestId, refusal));
              return;
            }
          }
          const target: AnyActorRef | undefined = locateAgent(system, event.agentId);
          if (target && target.getSnapshot().status === 'active') {
            enqueue.sendTo(target, event.event);
            return;
          }
          const undeliverable = undeliverableReply(event.agentId, event.event);
          if (undeliverable) enqueue.sendTo(undeliverable.target, undeliverable.reply);
          enqueue.emit({ type: 'agent.undeliverable', agentId: event.agentId, eventType: event.event.type });
        }),
      },
      'supervisor.broadcast': {
        actions: enqueueActions(({ event, enqueue, system }) => {
          for (const agentId of event.agentIds) {
            const target: AnyActorRef | undefined = locateAgent(system, agentId);
            if (target && target.getSnapshot().status === 'active') enqueue.sendTo(target, event.event);
            else enqueue.emit({ type: 'agent.undeliverable', agentId, eventType: event.event.type });
          }
        }),
      },
      'supervisor.startWorkflow': {
        actions: enqueueActions(({ event, enqueue }) => {
          enqueue.spawnChild('workflow', {
            id: event.input.workflowId,
            systemId: workflowSystemId(event.input.workflowId),
            input: event.input,
          });
        }),
      },
      // A finished (or crashed) workflow run leaves the tree; the supervisor stays up.
      'xstate.done.actor.*': { actions: stopChild(({ event }) => event.type.slice('xstate.done.actor.'.length)) },
      'xstate.error.actor.*': {
        actions: enqueueActions(({ event, enqueue }) => {
          const childId = event.type.slice('xstate.error.actor.'.length);
          enqueue.stopChild(childId);
          enqueue.emit({ type: 'workflow.crashed', workflowId: childId, error: toErrorData('error' in event ? event.error : event) });
        }),
      },
      'supervisor.agentCrashed': {
        actions: enqueueActions(({ event, enqueue }) => {
          enqueue.emit({ type: 'agent.crashed', agentId: event.agentId, error: event.error });
        }),
      },
    },
  });
}

export type SupervisorMachine = ReturnType<typeof createSupervisorMachine>;
