/**
 * One shard of the supervisor: the parent of a slice of the agents. It spawns
 * and stops them, and turns a child's crash into a report to the supervisor
 * instead of an error that would take the shard down.
 */
import { enqueueActions, setup } from 'xstate';
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import { agentSystemId } from '../protocols/agent-protocol.js';
import { toErrorData } from '../protocols/errors/errors.js';
import type { AgentMachine } from './agent/machine.js';
import type { AgentCrashedEvent, SpawnAgentEvent, StopAgentEvent } from './supervisor-events.js';

export interface AgentShardOptions {
  readonly agentMachine: AgentMachine;
  readonly agentTypes: ReadonlyMap<string, AnyActorLogic>;
}

export interface AgentShardContext {
  /** Agent ids of custom-type children, by their generated actor id. */
  readonly customChildren: Readonly<Record<string, string>>;
}

type ChildErrorEvent = { readonly type: `xstate.error.actor.${string}`; readonly error: unknown };

const CHILD_ERROR_PREFIX = 'xstate.error.actor.';

/** The mapping without a child that is gone (stopped or crashed), so it does not grow with churn. */
function without(children: Readonly<Record<string, string>>, childId: string): Record<string, string> {
  const { [childId]: _gone, ...rest } = children;
  return rest;
}

export function createAgentShardMachine(options: AgentShardOptions) {
  return setup({
    types: {
      context: {} as AgentShardContext,
      events: {} as SpawnAgentEvent | StopAgentEvent | ChildErrorEvent,
    },
    actors: { thinkingAgent: options.agentMachine },
  }).createMachine({
    id: 'agentShard',
    context: { customChildren: {} },
    on: {
      'supervisor.spawn': {
        actions: enqueueActions(({ event, enqueue, system }) => {
          if (system.get(agentSystemId(event.agentId))) return;
          const custom = options.agentTypes.get(event.agentType);
          if (custom) {
            // A user's machine is not in setup({ actors }), so it is spawned as logic
            // (XState then picks the actor id); we keep the id → agent id mapping.
            enqueue.assign(({ context, spawn }) => {
              const ref = spawn(custom, { systemId: agentSystemId(event.agentId), input: event.input });
              return { customChildren: { ...context.customChildren, [ref.id]: event.agentId } };
            });
            return;
          }
          enqueue.spawnChild('thinkingAgent', {
            id: event.agentId,
            systemId: agentSystemId(event.agentId),
            input: event.input,
          });
        }),
      },
      'supervisor.stop': {
        actions: enqueueActions(({ context, event, enqueue, system }) => {
          const ref: AnyActorRef | undefined = system.get(agentSystemId(event.agentId));
          if (!ref) return;
          // Stopping the child stops its invoked model calls, which aborts their signals.
          enqueue.stopChild(ref);
          if (ref.id in context.customChildren) enqueue.assign({ customChildren: without(context.customChildren, ref.id) });
        }),
      },
      'xstate.error.actor.*': {
        actions: enqueueActions(({ context, event, enqueue }) => {
          const childId = event.type.slice(CHILD_ERROR_PREFIX.length);
          enqueue.stopChild(childId);
          const crashed: AgentCrashedEvent = {
            type: 'supervisor.agentCrashed',
            agentId: context.customChildren[childId] ?? childId,
            error: toErrorData(event.error),
          };
          enqueue.sendParent(crashed);
          if (childId in context.customChildren) enqueue.assign({ customChildren: without(context.customChildren, childId) });
        }),
      },
    },
  });
}
