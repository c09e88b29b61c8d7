/**
 * The actor floor: the least XState work a workflow's task needs, with none
 * of troupe. One workflow actor starts ready tasks (a dependency graph, up to
 * `maxParallel` at once) and settles each result; a fixed set of reusable
 * agent actors (idle → working → idle) make each task's model call in an
 * invoked `fromPromise` child and send the result back to the workflow actor.
 * That is the shape troupe keeps so every agent stays an actor the inspector
 * shows: a task costs at least these events, snapshots and child actors.
 *
 * The floor replays the calls troupe made (task i makes `requests[i]`), so
 * its model work is the `Promise.all` baseline's exactly.
 */
import { assign, createActor, enqueueActions, fromPromise, sendParent, setup, toPromise } from 'xstate';
import type { ActorRefFrom } from 'xstate';
import type { ModelProvider, ModelRequest, ModelResponse } from '../../src/protocols/model.js';

type AgentEvent = { readonly type: 'task'; readonly index: number };
type WorkflowEvent = { readonly type: 'done'; readonly index: number; readonly agent: number };

function requestOf(requests: readonly ModelRequest[], index: number): ModelRequest {
  const request = requests[index];
  if (!request) throw new Error(`the floor has no recorded call for task ${index}`);
  return request;
}

function floorAgentMachine(provider: ModelProvider, requests: readonly ModelRequest[]) {
  return setup({
    types: { context: {} as { index: number; agent: number }, events: {} as AgentEvent, input: {} as { agent: number } },
    actors: {
      callModel: fromPromise<ModelResponse, ModelRequest>(({ input, signal }) => provider.complete({ ...input, signal })),
    },
  }).createMachine({
    context: ({ input }) => ({ index: -1, agent: input.agent }),
    initial: 'idle',
    states: {
      idle: { on: { task: { target: 'working', actions: assign(({ event }) => ({ index: event.index })) } } },
      working: {
        invoke: {
          src: 'callModel',
          input: ({ context }) => requestOf(requests, context.index),
          onDone: {
            target: 'idle',
            actions: sendParent(({ context }): WorkflowEvent => ({ type: 'done', index: context.index, agent: context.agent })),
          },
        },
      },
    },
  });
}

interface FloorContext {
  /** Unfinished dependencies per task. */
  readonly waiting: number[];
  /** Tasks whose dependencies are done, in order; those before `nextReady` have started. */
  readonly ready: number[];
  nextReady: number;
  readonly free: number[];
  readonly agents: ActorRefFrom<ReturnType<typeof floorAgentMachine>>[];
  finished: number;
}

/**
 * Runs the graph `dependencies` (task i waits for the tasks it lists) on raw
 * XState actors, up to `maxParallel` tasks at once; resolves when every task
 * has its response.
 *
 * @example
 * ```ts
 * await runActorFloor(createSimulatedProvider(), provider.requests, randomDag(shape), 100);
 * ```
 */
export async function runActorFloor(
  provider: ModelProvider,
  requests: readonly ModelRequest[],
  dependencies: readonly (readonly number[])[],
  maxParallel: number,
): Promise<void> {
  const dependents: number[][] = dependencies.map(() => []);
  dependencies.forEach((deps, task) => deps.forEach((dep) => dependents[dep]?.push(task)));
  const agentMachine = floorAgentMachine(provider, requests);
  const workflow = setup({
    types: { context: {} as FloorContext, events: {} as WorkflowEvent },
    actors: { agent: agentMachine },
    actions: {
      // In place, like `settle`.
      startReady: enqueueActions(({ context, enqueue }) => {
        while (context.nextReady < context.ready.length && context.free.length > 0) {
          const ref = context.agents[context.free.pop() ?? 0];
          const index = context.ready[context.nextReady++] ?? 0;
          if (ref) enqueue.sendTo(ref, { type: 'task', index } satisfies AgentEvent);
        }
      }),
      // In place: the floor is the least this design costs, so no context copy a task.
      settle: ({ context, event }) => {
        context.finished += 1;
        context.free.push(event.agent);
        for (const next of dependents[event.index] ?? []) {
          const left = (context.waiting[next] ?? 1) - 1;
          context.waiting[next] = left;
          if (left === 0) context.ready.push(next);
        }
      },
    },
  }).createMachine({
    context: ({ spawn }) => ({
      waiting: dependencies.map((deps) => deps.length),
      ready: dependencies.flatMap((deps, task) => (deps.length === 0 ? [task] : [])),
      nextReady: 0,
      free: Array.from({ length: maxParallel }, (_, agent) => agent),
      agents: Array.from({ length: maxParallel }, (_, agent) => spawn('agent', { id: `agent-${agent}`, input: { agent } })),
      finished: 0,
    }),
    initial: 'running',
    states: {
      running: {
        entry: 'startReady',
        on: { done: { actions: ['settle', 'startReady'] } },
        always: { guard: ({ context }) => context.finished === dependencies.length, target: 'finished' },
      },
      finished: { type: 'final' },
    },
  });
  await toPromise(createActor(workflow).start());
}
