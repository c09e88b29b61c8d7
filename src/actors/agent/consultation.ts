/**
 * Answering consultations: another agent asks this one a question (an
 * `agent.consult` event) and gets an `agent.consult.reply`. Each question is
 * answered by its own child actor (`consult.<n>`), in any state of the agent,
 * so two agents that consult each other mid-task never deadlock.
 *
 * The agent machine sequences these pieces: `openConsultation` when a question
 * arrives, the `answerConsultation` logic as the child, `closeConsultation`
 * when the child ends.
 */
import { fromPromise } from 'xstate';
import type { AnyActorRef } from 'xstate';
import type { AgentConsultEvent, ConsultReplyEvent } from '../../protocols/agent-protocol.js';
import type { AgentServices } from '../../protocols/agent-runtime.js';
import { toErrorData } from '../../protocols/errors/errors.js';
import type { ModelCall } from '../../protocols/gateway.js';
import { EMPTY_USAGE } from '../../protocols/model.js';
import { consultationCall } from './run.js';
import type { AgentContext, AgentEvent } from './types.js';
import { addCents } from '../../protocols/cents.js';

/** What a child answering a consultation is started with. */
export interface ConsultationInput {
  readonly call: ModelCall;
  readonly requestId: string;
}

/** A consultation just received: the child to spawn and the context that records it. */
export interface OpenedConsultation {
  /** Id of the child actor that answers it (`consult.<n>`). */
  readonly childId: string;
  readonly input: ConsultationInput;
  readonly context: Pick<AgentContext, 'consultCount' | 'consultations'>;
}

/** A consultation child that ended: always stopped; answered when it was a pending consultation. */
export interface ClosedConsultation {
  readonly childId: string;
  readonly answered?: {
    readonly context: Pick<AgentContext, 'consultations' | 'totalCostCents'>;
    readonly reply: ConsultReplyEvent;
    readonly replyTo: AnyActorRef | undefined;
  };
}

const CONSULTATION_DONE = 'xstate.done.actor.';
const CONSULTATION_ERROR = 'xstate.error.actor.';

/**
 * The child logic that answers one consultation with a model call. A failed
 * call becomes a reply carrying the error, so the asker is never left waiting;
 * only an abort (the agent stopped) rejects, since nobody is left to answer.
 *
 * @example
 * ```ts
 * setup({ actors: { answerConsultation: answerConsultationLogic(services) } });
 * ```
 */
export function answerConsultationLogic(services: AgentServices) {
  return fromPromise<ConsultReplyEvent, ConsultationInput>(async ({ input, signal }) => {
    const { call, requestId } = input;
    try {
      const outcome = await services.gateway.call({ ...call, request: { ...call.request, signal } });
      return {
        type: 'agent.consult.reply',
        requestId,
        agentId: call.agentId,
        answer: outcome.response.text,
        usage: outcome.response.usage,
        costCents: outcome.costCents,
      };
    } catch (error) {
      if (signal.aborted) throw error; // the agent was stopped: nobody to answer
      return { type: 'agent.consult.reply', requestId, agentId: call.agentId, error: toErrorData(error), usage: EMPTY_USAGE, costCents: 0 };
    }
  });
}

/**
 * Records a received consultation and names the child that will answer it.
 *
 * @example
 * ```ts
 * const opened = openConsultation(context, event);
 * enqueue.assign(opened.context);
 * enqueue.spawnChild('answerConsultation', { id: opened.childId, input: opened.input });
 * ```
 */
export function openConsultation(context: AgentContext, consult: AgentConsultEvent): OpenedConsultation {
  const childId = `consult.${context.consultCount}`;
  return {
    childId,
    input: { call: consultationCall(context, consult), requestId: consult.requestId },
    context: {
      consultCount: context.consultCount + 1,
      consultations: {
        ...context.consultations,
        [childId]: { requestId: consult.requestId, fromAgent: consult.fromAgent, replyTo: consult.replyTo },
      },
    },
  };
}

/**
 * Settles the consultation whose child ended (`xstate.done|error.actor.consult.<n>`):
 * its reply (the child's, or one carrying the child's error), the context
 * without it, and its cost added to the agent's lifetime spending.
 *
 * @example
 * ```ts
 * const closed = closeConsultation(context, event);
 * enqueue.stopChild(closed.childId);
 * if (closed.answered?.replyTo) enqueue.sendTo(closed.answered.replyTo, closed.answered.reply);
 * ```
 */
export function closeConsultation(context: AgentContext, event: AgentEvent): ClosedConsultation {
  const done = event.type.startsWith(CONSULTATION_DONE);
  const childId = event.type.slice((done ? CONSULTATION_DONE : CONSULTATION_ERROR).length);
  const pending = context.consultations[childId];
  if (!pending) return { childId };
  const { [childId]: _finished, ...rest } = context.consultations;
  const reply: ConsultReplyEvent =
    'output' in event
      ? { ...event.output, requestId: pending.requestId }
      : {
          type: 'agent.consult.reply',
          requestId: pending.requestId,
          agentId: context.agentId,
          error: toErrorData('error' in event ? event.error : event),
          usage: EMPTY_USAGE,
          costCents: 0,
        };
  return {
    childId,
    answered: {
      context: { consultations: rest, totalCostCents: addCents(context.totalCostCents, reply.costCents) },
      reply,
      replyTo: pending.replyTo,
    },
  };
}
