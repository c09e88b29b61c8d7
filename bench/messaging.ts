/**
 * Agent communication through troupe against raw XState, measured in the same run:
 *
 * - consultation round trips/s: `orchestrator.routeMessage` (host → supervisor →
 *   agent → the pool's inbox → host, correlated by id, with a timeout armed per
 *   request) to a custom agent that answers at once, against a raw XState
 *   request/reply: host → actor A → `sendTo` actor B → `sendTo` back to A → host.
 *   A second figure answers with the built-in thinking agent on the zero-latency
 *   simulated model (a consultation child actor and a priced, budgeted model call).
 * - broadcast deliveries/s: one sender, 1,000 subscribed thinking agents, each
 *   with a callback; every delivery runs the callback and puts the broadcast into
 *   the agent's memory (its last 100 observations). Baselines: one XState actor
 *   that `sendTo`s the event to 1,000 one-state actors which assign the last
 *   event only, and the same keeping their last 100 events (the agents' work).
 *
 * Run: `npx tsx bench/messaging.ts` (`--quick` for tiny sizes)
 */
import { assign, createActor, enqueueActions, setup } from 'xstate';
import type { AnyActorRef } from 'xstate';
import { Orchestrator } from '../src/orchestrator/orchestrator.js';
import { consultReply } from '../src/protocols/agent-protocol.js';
import type { AgentInboundEvent } from '../src/protocols/agent-protocol.js';
import type { AgentMachineInput } from '../src/actors/agent/machine.js';
import type { BenchCase, BenchFigure } from './harness.js';
import { opsPerSecond, timeMs } from './harness.js';

const TARGET_RATIO = 0.5;
const SUBSCRIBERS = 1000;

/** A protocol agent that answers every consultation at once. */
const instantAnswerer = setup({
  types: { context: {} as { agentId: string }, events: {} as AgentInboundEvent, input: {} as AgentMachineInput },
}).createMachine({
  context: ({ input }) => ({ agentId: input.agentId }),
  on: {
    'agent.consult': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        if (event.replyTo) enqueue.sendTo(event.replyTo, consultReply(event, context.agentId, { answer: 'ok' }));
      }),
    },
  },
});

type RawEvent =
  | { type: 'ask'; id: number }
  | { type: 'request'; id: number; replyTo: AnyActorRef }
  | { type: 'reply'; id: number };

/** A measured setup: `run(n)` returns a rate; `close` tears it down. */
interface Runner {
  run(count: number): Promise<number>;
  close(): Promise<void>;
}

/** Raw XState request/reply between two actors: host → A → B → A → host. */
function rawRoundTrips(): Runner {
  const pending = new Map<number, () => void>();
  const responder = createActor(
    setup({ types: { events: {} as RawEvent } }).createMachine({
      on: { request: { actions: enqueueActions(({ event, enqueue }) => enqueue.sendTo(event.replyTo, { type: 'reply', id: event.id })) } },
    }),
  ).start();
  const requester = createActor(
    setup({ types: { events: {} as RawEvent } }).createMachine({
      on: {
        ask: { actions: enqueueActions(({ event, enqueue, self }) => enqueue.sendTo(responder, { type: 'request', id: event.id, replyTo: self })) },
        reply: {
          actions: ({ event }) => {
            pending.get(event.id)?.();
            pending.delete(event.id);
          },
        },
      },
    }),
  ).start();
  let next = 0;
  const ask = () =>
    new Promise<void>((resolve) => {
      const id = ++next;
      pending.set(id, resolve);
      requester.send({ type: 'ask', id });
    });
  return {
    run: (count) => opsPerSecond(count, ask),
    close: async () => {
      requester.stop();
      responder.stop();
    },
  };
}

/** routeMessage to a custom agent answering at once, or to a thinking agent on the simulated model. */
function troupeRoundTrips(answerer: 'custom' | 'thinking'): Runner {
  const orchestrator = new Orchestrator({ provider: 'simulated', enableThinkingAgents: false });
  orchestrator.registerAgentType('instant', instantAnswerer);
  orchestrator.spawnAgent({ agentId: 'asker', config: { enableSelfReflection: false } });
  orchestrator.spawnAgent(
    answerer === 'custom'
      ? { agentId: 'answerer', agentType: 'instant' }
      : { agentId: 'answerer', config: { enableSelfReflection: false, maxTokens: 64 } },
  );
  const ask = () => orchestrator.routeMessage({ fromAgent: 'asker', toAgent: 'answerer', message: 'Is the plan sound?' });
  return { run: (count) => opsPerSecond(count, ask), close: () => orchestrator.shutdown() };
}

/**
 * Raw XState: one sender actor `sendTo`s each event to `subscribers` one-state
 * actors that assign it: the last event only (`minimal`), or the last 100 like
 * an agent's observations (`window`).
 */
function rawDeliveries(subscribers: number, keep: 'minimal' | 'window'): Runner {
  const receiverMachine = setup({
    types: { context: {} as { last: unknown; seen: readonly unknown[] }, events: {} as { type: 'event'; data: unknown } },
  }).createMachine({
    context: { last: undefined, seen: [] },
    on: {
      event: {
        actions: assign(({ context, event }) =>
          keep === 'minimal'
            ? { last: event.data }
            : { last: event.data, seen: [...context.seen.slice(Math.max(0, context.seen.length - 99)), event.data] },
        ),
      },
    },
  });
  const receivers = Array.from({ length: subscribers }, () => createActor(receiverMachine).start());
  const sender = createActor(
    setup({ types: { events: {} as { type: 'broadcast'; data: unknown } } }).createMachine({
      on: {
        broadcast: {
          actions: enqueueActions(({ event, enqueue }) => {
            for (const receiver of receivers) enqueue.sendTo(receiver, { type: 'event', data: event.data });
          }),
        },
      },
    }),
  ).start();
  return {
    run: async (broadcasts) => {
      const ms = await timeMs(() => {
        for (let i = 0; i < broadcasts; i++) sender.send({ type: 'broadcast', data: { finding: 'opportunity', i } });
      });
      return (subscribers * broadcasts) / (ms / 1000);
    },
    close: async () => {
      sender.stop();
      for (const receiver of receivers) receiver.stop();
    },
  };
}

/** orchestrator.broadcast to `subscribers` live thinking agents, each with a callback. */
function troupeDeliveries(subscribers: number): Runner {
  const orchestrator = new Orchestrator({ provider: 'simulated', maxParallelAgents: subscribers });
  let delivered = 0;
  for (let i = 0; i < subscribers; i++) {
    const agentId = `sub_${i}`;
    orchestrator.spawnAgent({ agentId });
    orchestrator.subscribe({ agentId, eventTypes: ['market.*'], callback: () => void delivered++ });
  }
  return {
    run: async (broadcasts) => {
      delivered = 0;
      const ms = await timeMs(async () => {
        for (let i = 0; i < broadcasts; i++) {
          await orchestrator.broadcast({ fromAgent: 'researcher', eventType: 'market.discovery', data: { finding: 'opportunity', i } });
        }
      });
      if (delivered !== subscribers * broadcasts) throw new Error(`expected ${subscribers * broadcasts} deliveries, got ${delivered}`);
      return (subscribers * broadcasts) / (ms / 1000);
    },
    close: () => orchestrator.shutdown(),
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/**
 * Runs baseline and subject in alternating rounds after a warm-up, so both see
 * the same machine load; reports each one's median rate.
 */
async function compare(baseline: Runner, subject: Runner, count: number, rounds: number): Promise<{ baseline: number; subject: number }> {
  try {
    await baseline.run(Math.ceil(count / 10));
    await subject.run(Math.ceil(count / 10));
    const base: number[] = [];
    const measured: number[] = [];
    for (let round = 0; round < rounds; round++) {
      base.push(await baseline.run(count));
      measured.push(await subject.run(count));
    }
    return { baseline: median(base), subject: median(measured) };
  } finally {
    await baseline.close();
    await subject.close();
  }
}

const round = (value: number): number => Math.round(value);

const messaging: BenchCase = async ({ quick }) => {
  const rounds = quick ? 1 : 5;
  const subscribers = quick ? 100 : SUBSCRIBERS;
  const custom = await compare(rawRoundTrips(), troupeRoundTrips('custom'), quick ? 300 : 5_000, rounds);
  const thinking = await compare(rawRoundTrips(), troupeRoundTrips('thinking'), quick ? 100 : 1_000, rounds);
  const fanOut = await compare(rawDeliveries(subscribers, 'minimal'), troupeDeliveries(subscribers), quick ? 5 : 40, rounds);
  const fanOutWindow = await compare(rawDeliveries(subscribers, 'window'), troupeDeliveries(subscribers), quick ? 5 : 40, rounds);

  const figures: BenchFigure[] = [
    {
      case: 'messaging/consultation',
      metric: 'round trips/s (custom agent answering)',
      value: round(custom.subject),
      unit: 'round trips/s',
      baseline: { name: 'raw XState sendTo request/reply', value: round(custom.baseline) },
      target: `>= ${TARGET_RATIO} of baseline`,
      met: custom.subject / custom.baseline >= TARGET_RATIO,
      notes: `ratio ${(custom.subject / custom.baseline).toFixed(2)}; medians of ${rounds} alternating rounds`,
    },
    {
      case: 'messaging/consultation',
      metric: 'round trips/s (thinking agent, zero-latency simulated model)',
      value: round(thinking.subject),
      unit: 'round trips/s',
      baseline: { name: 'raw XState sendTo request/reply', value: round(thinking.baseline) },
      notes:
        `ratio ${(thinking.subject / thinking.baseline).toFixed(3)}; each answer spawns a consultation child ` +
        'actor and makes a priced, budgeted model call (prompt built, simulated text generated)',
    },
    {
      case: 'messaging/broadcast',
      metric: `deliveries/s (1 sender, ${subscribers} subscribed agents with callbacks)`,
      value: round(fanOut.subject),
      unit: 'deliveries/s',
      baseline: { name: `raw XState sendTo to ${subscribers} actors`, value: round(fanOut.baseline) },
      target: `>= ${TARGET_RATIO} of baseline`,
      met: fanOut.subject / fanOut.baseline >= TARGET_RATIO,
      notes:
        `ratio ${(fanOut.subject / fanOut.baseline).toFixed(2)}; every delivery runs a callback and puts the observation ` +
        "into the agent's memory; the receivers keep only the last event (see docs/messaging.md)",
    },
    {
      case: 'messaging/broadcast',
      metric: `deliveries/s (1 sender, ${subscribers} subscribed agents with callbacks)`,
      value: round(fanOutWindow.subject),
      unit: 'deliveries/s',
      baseline: { name: `raw XState sendTo to ${subscribers} actors keeping their last 100 events`, value: round(fanOutWindow.baseline) },
      target: `>= ${TARGET_RATIO} of baseline`,
      met: fanOutWindow.subject / fanOutWindow.baseline >= TARGET_RATIO,
      notes: `ratio ${(fanOutWindow.subject / fanOutWindow.baseline).toFixed(2)}; receivers do the same memory work as agents`,
    },
  ];
  return figures;
};

export default messaging;

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  for (const figure of await messaging({ quick })) console.log(JSON.stringify(figure));
}
