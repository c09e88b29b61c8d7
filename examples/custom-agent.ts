/**
 * A custom agent actor: your own XState machine that speaks the agent protocol
 * (docs/custom-agents.md), registered with `registerAgentType`, spawned by id,
 * given a workflow task, consulted by another agent and sent broadcasts, next
 * to built-in thinking agents.
 *
 * This one is a glossary: it answers from a fixed table, with no model at all.
 * Run offline: `npx tsx examples/custom-agent.ts`
 */
import { assign, enqueueActions, setup } from 'xstate';
import { agentTaskResult, consultReply, Orchestrator } from '../src/index.js';
import type { AgentInboundEvent, AgentMachineInput, AgentResultEvent } from '../src/index.js';
import { runIfMain } from './support/run-example.js';

export interface GlossaryContext {
  readonly agentId: string;
  /** Broadcasts received, newest last. */
  readonly observations: readonly string[];
  readonly answered: number;
}

/** Every glossary entry whose term the text mentions, one per line. */
export function define(glossary: Readonly<Record<string, string>>, text: string): string {
  const lower = text.toLowerCase();
  const found = Object.entries(glossary).filter(([term]) => lower.includes(term.toLowerCase()));
  return found.length > 0 ? found.map(([term, meaning]) => `${term}: ${meaning}`).join('\n') : 'No glossary entry matches.';
}

/**
 * A protocol agent answering tasks and consultations from `glossary`.
 *
 * @example
 * ```ts
 * orchestrator.registerAgentType('glossary', createGlossaryAgent({ churn: 'customers lost in a period' }));
 * orchestrator.spawnAgent({ agentId: 'glossary', agentType: 'glossary' });
 * ```
 */
export function createGlossaryAgent(glossary: Readonly<Record<string, string>>) {
  return setup({
    types: {
      context: {} as GlossaryContext,
      events: {} as AgentInboundEvent,
      input: {} as AgentMachineInput,
    },
  }).createMachine({
    id: 'glossary',
    context: ({ input }) => ({ agentId: input.agentId, observations: [], answered: 0 }),
    on: {
      // A task: answer `replyTo` with agent.result (or agent.failure).
      'agent.task': {
        actions: enqueueActions(({ context, event, enqueue }) => {
          const reply: AgentResultEvent = {
            type: 'agent.result',
            agentId: context.agentId,
            taskId: event.task.taskId,
            result: agentTaskResult(define(glossary, event.task.task)),
          };
          if (event.replyTo) enqueue.sendTo(event.replyTo, reply);
          enqueue.assign({ answered: context.answered + 1 });
        }),
      },
      // A question from another agent: answer `replyTo` with agent.consult.reply, same requestId.
      'agent.consult': {
        actions: enqueueActions(({ context, event, enqueue }) => {
          if (event.replyTo) enqueue.sendTo(event.replyTo, consultReply(event, context.agentId, { answer: define(glossary, event.question) }));
          enqueue.assign({ answered: context.answered + 1 });
        }),
      },
      // A broadcast it subscribed to.
      'agent.broadcast': {
        actions: assign(({ context, event }) => ({
          observations: [...context.observations, `${event.eventType} from ${event.fromAgent}: ${JSON.stringify(event.data)}`],
        })),
      },
      // Nothing runs in the background, so abort and resume have nothing to do.
      'agent.abort': {},
      'agent.resume': {},
    },
  });
}

const GLOSSARY = {
  churn: 'the share of customers lost in a period',
  ARR: 'annual recurring revenue: yearly value of subscriptions',
  cohort: 'customers who started in the same period',
};

/** Runs the example and returns what it printed. */
export async function runCustomAgentExample(print: (line: string) => void = console.log): Promise<void> {
  const orchestrator = new Orchestrator({ provider: 'simulated', enableThinkingAgents: false });
  try {
    orchestrator.registerAgentType('glossary', createGlossaryAgent(GLOSSARY));
    const glossary = orchestrator.spawnAgent({ agentId: 'glossary', agentType: 'glossary' });
    orchestrator.spawnAgent({ agentId: 'writer', config: { role: 'writer', enableSelfReflection: false } });

    // 1. A workflow: the custom agent's task, then a thinking agent that builds on it.
    const run = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'glossary', taskDescription: 'Define churn and ARR for the board report' },
        { agentId: 'writer', taskDescription: 'Write a two-line board summary using the definitions', dependencies: ['glossary'] },
      ],
    });
    print(`workflow ${run.status}`);
    print(`glossary → ${run.results.glossary?.output?.replace(/\n/g, ' | ')}`);
    print(`writer   → ${run.results.writer?.output?.slice(0, 100)}`);

    // 2. Consulted by another agent, through the supervisor.
    const reply = await orchestrator.routeMessage({
      fromAgent: 'writer',
      toAgent: 'glossary',
      message: { type: 'consultation', question: 'What does cohort mean?' },
    });
    print(`consultation → ${reply.answer}`);

    // 3. Sent a broadcast it subscribed to.
    orchestrator.subscribe({ agentId: 'glossary', eventTypes: ['terms.*'] });
    await orchestrator.broadcast({ fromAgent: 'writer', eventType: 'terms.added', data: { term: 'NRR' } });
    const snapshot = glossary.actor?.getSnapshot();
    const context: unknown = snapshot && typeof snapshot === 'object' && 'context' in snapshot ? snapshot.context : undefined;
    print(`glossary observations → ${JSON.stringify(context && typeof context === 'object' && 'observations' in context ? context.observations : [])}`);
  } finally {
    await orchestrator.shutdown();
  }
}

runIfMain(import.meta.url, runCustomAgentExample);
