/**
 * One shard of the supervisor: the parent of a slice of the agents. It spawns
 * and stops them, and turns a child's crash into a report to the supervisor
 * instead of an error that would take the shard down.
 */
import { enqueueActions, setup } from 'xstate';
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import { actorSystemId } from './agent-directory.js';
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

/** The agent a thinking agent's actor serves (its context's `agentId`). */
function servedAgentId(child: AnyActorRef | undefined): string | undefined {
  const snapshot: unknown = child?.getSnapshot();
  if (typeof snapshot !== 'object' || snapshot === null || !('context' in snapshot)) return undefined;
  const context: unknown = snapshot.context;
  if (typeof context !== 'object' || context === null || !('agentId' in context)) return undefined;
  return typeof context.agentId === 'string' ? context.agentId : undefined;
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
          const systemId = actorSystemId(event);
          if (system.get(systemId)) return;
          const custom = options.agentTypes.get(event.agentType);
          if (custom) {
            // A user's machine is not in setup({ actors }), so it is spawned as logic
            // (XState then picks the actor id); we keep the id → agent id mapping.
            enqueue.assign(({ context, spawn }) => {
              const ref = spawn(custom, { systemId, input: event.input });
              return { customChildren: { ...context.customChildren, [ref.id]: event.agentId } };
            });
            return;
          }
          enqueue.spawnChild('thinkingAgent', {
            id: event.actorId ?? event.agentId,
            systemId,
            input: event.input,
          });
        }),
      },
      'supervisor.stop': {
        actions: enqueueActions(({ context, event, enqueue, system }) => {
          const ref: AnyActorRef | undefined = system.get(actorSystemId(event));
          if (!ref) return;
          // Stopping the child stops its invoked model calls, which aborts their signals.
          enqueue.stopChild(ref);
          if (ref.id in context.customChildren) enqueue.assign({ customChildren: without(context.customChildren, ref.id) });
        }),
      },
      'xstate.error.actor.*': {
        actions: enqueueActions(({ context, event, enqueue, self }) => {
          const childId = event.type.slice(CHILD_ERROR_PREFIX.length);
          // A reused actor's id names the agent it was spawned for: its context names the one it serves.
          const child: AnyActorRef | undefined = self.getSnapshot().children[childId];
          enqueue.stopChild(childId);
          const crashed: AgentCrashedEvent = {
            type: 'supervisor.agentCrashed',
            agentId: context.customChildren[childId] ?? servedAgentId(child) ?? childId,
            error: toErrorData(event.error),
          };
          enqueue.sendParent(crashed);
          if (childId in context.customChildren) enqueue.assign({ customChildren: without(context.customChildren, childId) });
        }),
      },
    },
  });
}
