/**
 * The thinking agent: idle → thinking → acting (⇄ awaitingApproval → usingTools | consulting) →
 * reflecting (⇄ exploring) → done | failed, reusable for the next task. Every
 * model call runs in a `fromPromise` actor whose AbortSignal reaches the
 * provider, so leaving a state (timeout, abort, stop) cancels the call in flight.
 *
 * Consultations from other agents are answered in any state, each by its own
 * child actor, so two agents that consult each other mid-task never deadlock
 * (agent-consultation.ts). The steps' data and calls live in agent-run.ts,
 * agent-tools.ts and agent-compaction.ts; this file only sequences them.
 */
import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import type { AnyEventObject } from 'xstate';
import type { AgentFailure, AgentTask } from '../../protocols/agent.js';
import type { AgentFailureEvent, AgentResultEvent } from '../../protocols/agent-protocol.js';
import type { AgentServices, ToolRunResult } from '../../protocols/agent-runtime.js';
import { AgentBusyError, AgentTimeoutError, CancelledError, toErrorData } from '../../protocols/errors/errors.js';
import type { ErrorData } from '../../protocols/errors/errors.js';
import type { ModelCall, ModelCallOutcome } from '../../protocols/gateway.js';
import { EMPTY_USAGE } from '../../protocols/model.js';
import { initialContext } from './initial-context.js';
import { compactedContext, compactionInput, compactMemoryLogic } from './compaction.js';
import { answerConsultationLogic, closeConsultation, openConsultation } from './consultation.js';
import {
  accountCall,
  actingCall,
  alternativeCall,
  EMPTY_RUN,
  evaluateCandidate,
  invalidReflection,
  reflectionFailure,
  observationOf,
  reflectingCall,
  rememberTurn,
  resultOf,
  shouldExplore,
  thinkingCall,
  withCandidate,
  withObservation,
  withReflectionRetry,
} from './run.js';
import { asksPeer, pendingToolCalls, runToolCalls, toolRunInput, withToolCalls, withToolResults } from './tools.js';
import { approvalRoundInput, awaitApprovalsLogic, needsPerson } from './approvals.js';
import type { ToolRunInput } from './tools.js';
import type { AgentContext, AgentEmitted, AgentEvent, AgentMachineInput, AgentStep } from './types.js';
import { addCents } from '../../protocols/cents.js';

// The agent's types live in agent-types.ts; re-exported so importers of the machine keep one path.
export type { AgentContext, AgentEmitted, AgentMachineInput, AgentStep, PendingConsultation } from './types.js';

/** Builds the error of a failed step from whatever the step threw. */
function stepError(error: unknown): ErrorData {
  return toErrorData(error);
}

/**
 * Creates the thinking agent machine bound to the system's services.
 *
 * @example
 * ```ts
 * const machine = createAgentMachine({ gateway, now: Date.now });
 * const agent = createActor(machine, { input: { agentId: 'a', template: 'default', config } }).start();
 * agent.on('agent.result', ({ result }) => console.log(result.output));
 * agent.send({ type: 'agent.task', task: { taskId: 't1', task: 'Summarise the report' } });
 * ```
 */
export function createAgentMachine(services: AgentServices) {
  const canConsult = services.consult !== undefined;
  // A task picks its first step as it arrives (one microstep fewer than a transient state).
  const beginTask = [
    { guard: 'mayCompact', target: 'working.compacting', actions: 'startTask' },
    { guard: 'thinkingEnabled', target: 'working.thinking', actions: 'startTask' },
    { target: 'working.acting', actions: 'startTask' },
  ] as const;
  return setup({
    types: {
      context: {} as AgentContext,
      events: {} as AgentEvent,
      input: {} as AgentMachineInput,
      emitted: {} as AgentEmitted,
    },
    actors: {
      callModel: fromPromise<ModelCallOutcome, ModelCall>(({ input, signal }) =>
        services.gateway.call({ ...input, request: { ...input.request, signal } }),
      ),
      runTools: fromPromise<ToolRunResult[], ToolRunInput>(({ input, signal }) => runToolCalls(services, input, signal)),
      answerConsultation: answerConsultationLogic(services),
      compactMemory: compactMemoryLogic(services),
      awaitApprovals: awaitApprovalsLogic(services),
    },
    delays: {
      attemptDeadline: ({ context }) => Math.max(0, (context.deadline ?? services.now()) - services.now()),
    },
    guards: {
      thinkingEnabled: ({ context }) => context.config.enableExtendedThinking,
      reflectionEnabled: ({ context }) => context.config.enableSelfReflection,
      mayCompact: ({ context }) => services.compactMemory !== undefined && context.memory.messages.length > 0,
      shouldExplore: ({ context }) => shouldExplore(context.config, context.run),
      breakpointOnError: ({ context }) => context.breakpointOnError,
    },
    actions: {
      // Arms the deadline too: one context copy per task rather than two.
      startTask: assign(({ context, event }) => {
        if (event.type !== 'agent.task') return {};
        const now = services.now();
        return {
          task: event.task,
          replyTo: event.replyTo,
          startedAt: now,
          deadline: now + context.config.timeoutSeconds * 1000,
          run: EMPTY_RUN,
          lastError: null,
          failedStep: null,
        };
      }),
      armDeadline: assign(({ context }) => ({
        deadline: services.now() + context.config.timeoutSeconds * 1000,
      })),
      observe: assign(({ context, event }) => {
        if (event.type !== 'agent.broadcast') return {};
        return { memory: withObservation(context.memory, observationOf(event)) };
      }),
      startConsultation: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'agent.consult') return;
        const opened = openConsultation(context, event);
        enqueue.assign(opened.context);
        enqueue.spawnChild('answerConsultation', { id: opened.childId, input: opened.input });
      }),
      finishConsultation: enqueueActions(({ context, event, enqueue }) => {
        const { childId, answered } = closeConsultation(context, event);
        enqueue.stopChild(childId);
        if (!answered) return;
        enqueue.assign(answered.context);
        if (answered.replyTo) enqueue.sendTo(answered.replyTo, answered.reply);
      }),
      finishTask: enqueueActions(({ context, enqueue }) => {
        const task = context.task;
        const result = resultOf(context.run, context.startedAt, services.now());
        enqueue.assign({
          memory: task ? rememberTurn(context.memory, task, result.output) : context.memory,
          tasksCompleted: context.tasksCompleted + 1,
          totalCostCents: addCents(context.totalCostCents, context.run.costCents),
          deadline: null,
        });
        if (!task) return;
        const event: AgentResultEvent = { type: 'agent.result', agentId: context.agentId, taskId: task.taskId, result };
        if (context.replyTo) enqueue.sendTo(context.replyTo, event);
        enqueue.emit(event);
      }),
      replyFailure: enqueueActions(({ context, enqueue }) => {
        const task = context.task;
        if (!task) return;
        const failure: AgentFailure = {
          error: context.lastError ?? toErrorData(new Error('unknown failure')),
          usage: context.run.usage,
          costCents: context.run.costCents,
        };
        const event: AgentFailureEvent = { type: 'agent.failure', agentId: context.agentId, taskId: task.taskId, failure };
        if (context.replyTo) enqueue.sendTo(context.replyTo, event);
        enqueue.emit(event);
      }),
      replyBusy: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'agent.task') return;
        const failure: AgentFailure = {
          error: toErrorData(new AgentBusyError(context.agentId, context.task?.taskId ?? null)),
          usage: EMPTY_USAGE,
          costCents: 0,
        };
        const reply: AgentFailureEvent = { type: 'agent.failure', agentId: context.agentId, taskId: event.task.taskId, failure };
        if (event.replyTo) enqueue.sendTo(event.replyTo, reply);
        enqueue.emit(reply);
      }),
      settleFailure: assign(({ context }) => ({
        totalCostCents: addCents(context.totalCostCents, context.run.costCents),
        deadline: null,
      })),
    },
  }).createMachine({
    id: 'agent',
    context: ({ input }) => initialContext(input),
    initial: 'idle',
    on: {
      'agent.broadcast': { actions: 'observe' },
      // Debug mode applies to live agents too, without a respawn.
      'agent.debug': { actions: assign(({ event }) => ({ breakpointOnError: event.breakpointOnError })) },
      // A parked actor given to another agent (sent only while no task or consultation runs).
      'agent.reassign': { target: '.idle', actions: assign(({ event }) => initialContext(event.input)) },
      'agent.consult': { actions: 'startConsultation' },
      'xstate.done.actor.consult.*': { actions: 'finishConsultation' },
      'xstate.error.actor.consult.*': { actions: 'finishConsultation' },
    },
    states: {
      idle: {
        on: { 'agent.task': beginTask },
      },
      working: {
        // Entered through `beginTask`, which picks the first step.
        initial: 'acting',
        after: {
          attemptDeadline: {
            target: 'failed',
            actions: assign(({ context }) => ({
              lastError: toErrorData(new AgentTimeoutError(context.agentId, context.config.timeoutSeconds)),
            })),
          },
        },
        on: {
          'agent.task': { actions: 'replyBusy' },
          'agent.abort': {
            target: 'failed',
            actions: assign(({ event }) => ({ lastError: toErrorData(new CancelledError(event.reason)) })),
          },
        },
        states: {
          compacting: {
            invoke: {
              src: 'compactMemory',
              input: ({ context }) => compactionInput(context),
              onDone: [
                {
                  guard: 'thinkingEnabled',
                  target: 'thinking',
                  actions: assign(({ context, event }) => compactedContext(context, event.output)),
                },
                { target: 'acting', actions: assign(({ context, event }) => compactedContext(context, event.output)) },
              ],
              onError: { target: 'failing', actions: assign(failedAt('compacting')) },
            },
          },
          thinking: {
            invoke: {
              src: 'callModel',
              input: ({ context }) => thinkingCall(context, taskOf(context), context.run),
              onDone: {
                target: 'acting',
                actions: assign(({ context, event }) => ({
                  run: {
                    ...accountCall(context.run, event.output),
                    thinking: event.output.response.thinking ?? event.output.response.text,
                  },
                })),
              },
              onError: { target: 'failing', actions: assign(failedAt('thinking')) },
            },
          },
          acting: {
            invoke: {
              src: 'callModel',
              input: ({ context }) => actingCall(context, taskOf(context), context.run, canConsult),
              onDone: [
                {
                  // A call waits for a person: the whole turn waits in `awaitingApproval`.
                  guard: ({ context, event }) =>
                    needsPerson(services, context, event.output.response.toolCalls) && context.run.toolRounds < context.config.maxToolRounds,
                  target: '#agent.awaitingApproval',
                  actions: assign(({ context, event }) => ({ run: withToolCalls(context, taskOf(context), event.output) })),
                },
                {
                  // Asking a peer: wait in `consulting` (other tool calls of the turn run there too).
                  guard: ({ context, event }) =>
                    asksPeer(event.output.response.toolCalls) && context.run.toolRounds < context.config.maxToolRounds,
                  target: 'consulting',
                  actions: assign(({ context, event }) => ({ run: withToolCalls(context, taskOf(context), event.output) })),
                },
                {
                  guard: ({ context, event }) =>
                    event.output.response.toolCalls.length > 0 && context.run.toolRounds < context.config.maxToolRounds,
                  target: 'usingTools',
                  actions: assign(({ context, event }) => ({ run: withToolCalls(context, taskOf(context), event.output) })),
                },
                {
                  guard: 'reflectionEnabled',
                  target: 'reflecting',
                  actions: assign(({ context, event }) => ({ run: withCandidate(context.run, event.output) })),
                },
                {
                  target: '#agent.done',
                  actions: assign(({ context, event }) => ({ run: withCandidate(context.run, event.output) })),
                },
              ],
              onError: { target: 'failing', actions: assign(failedAt('acting')) },
            },
          },
          usingTools: {
            invoke: {
              src: 'runTools',
              input: ({ context }) => toolRunInput(context, taskOf(context)),
              onDone: {
                target: 'acting',
                actions: assign(({ context, event }) => ({ run: withToolResults(context.run, event.output) })),
              },
              onError: { target: 'failing', actions: assign(failedAt('usingTools')) },
            },
          },
          consulting: {
            // Waits for the peers' answers (routed through the supervisor), then acts on them.
            invoke: {
              src: 'runTools',
              input: ({ context }) => toolRunInput(context, taskOf(context)),
              onDone: {
                target: 'acting',
                actions: assign(({ context, event }) => ({ run: withToolResults(context.run, event.output) })),
              },
              onError: { target: 'failing', actions: assign(failedAt('consulting')) },
            },
          },
          reflecting: {
            invoke: {
              src: 'callModel',
              input: ({ context }) => reflectingCall(context, taskOf(context), context.run),
              onDone: [
                {
                  // An invalid reflection (a confidence outside 0..1) is asked once more, like a consensus vote...
                  guard: ({ context, event }) => invalidReflection(event.output) !== undefined && context.run.reflectionRetry === null,
                  target: 'reflecting',
                  reenter: true,
                  actions: assign(({ context, event }) => ({ run: withReflectionRetry(context.run, event.output) })),
                },
                {
                  // ...and a second one fails the step.
                  guard: ({ event }) => invalidReflection(event.output) !== undefined,
                  target: 'failing',
                  actions: assign(({ context, event }) => reflectionFailure(context, event.output)),
                },
                {
                  target: 'exploring',
                  guard: ({ context, event }) =>
                    shouldExplore(context.config, evaluateCandidate(accountCall(context.run, event.output), event.output)),
                  actions: assign(({ context, event }) => ({
                    run: evaluateCandidate(accountCall(context.run, event.output), event.output),
                  })),
                },
                {
                  target: '#agent.done',
                  actions: assign(({ context, event }) => ({
                    run: evaluateCandidate(accountCall(context.run, event.output), event.output),
                  })),
                },
              ],
              onError: { target: 'failing', actions: assign(failedAt('reflecting')) },
            },
          },
          exploring: {
            entry: assign(({ context }) => ({ run: { ...context.run, round: context.run.round + 1 } })),
            invoke: {
              src: 'callModel',
              input: ({ context }) => alternativeCall(context, taskOf(context), context.run),
              onDone: {
                target: 'reflecting',
                actions: assign(({ context, event }) => ({ run: withCandidate(context.run, event.output) })),
              },
              onError: { target: 'failing', actions: assign(failedAt('exploring')) },
            },
          },
          failing: {
            always: [{ guard: 'breakpointOnError', target: '#agent.paused' }, { target: '#agent.failed' }],
          },
        },
      },
      // Outside `working`: the attempt deadline does not run while a person decides (approvalTimeoutSeconds bounds it).
      awaitingApproval: {
        invoke: {
          src: 'awaitApprovals',
          input: ({ context }) => approvalRoundInput(services, context, taskOf(context)),
          onDone: [
            {
              guard: ({ context }) => asksPeer(pendingToolCalls(context.run.conversation)),
              target: 'working.consulting',
              actions: [assign(({ context, event }) => ({ run: { ...context.run, approvals: event.output } })), 'armDeadline'],
            },
            {
              target: 'working.usingTools',
              actions: [assign(({ context, event }) => ({ run: { ...context.run, approvals: event.output } })), 'armDeadline'],
            },
          ],
          onError: { target: 'failed', actions: assign(({ event }) => ({ lastError: stepError(event.error) })) },
        },
        on: {
          'agent.task': { actions: 'replyBusy' },
          'agent.abort': {
            target: 'failed',
            actions: assign(({ event }) => ({ lastError: toErrorData(new CancelledError(event.reason)) })),
          },
        },
      },
      paused: {
        on: {
          'agent.task': { actions: 'replyBusy' },
          'agent.resume': [
            { guard: ({ context }) => context.failedStep === 'compacting', target: 'working.compacting', actions: 'armDeadline' },
            { guard: ({ context }) => context.failedStep === 'thinking', target: 'working.thinking', actions: 'armDeadline' },
            { guard: ({ context }) => context.failedStep === 'usingTools', target: 'working.usingTools', actions: 'armDeadline' },
            { guard: ({ context }) => context.failedStep === 'consulting', target: 'working.consulting', actions: 'armDeadline' },
            { guard: ({ context }) => context.failedStep === 'reflecting', target: 'working.reflecting', actions: 'armDeadline' },
            { guard: ({ context }) => context.failedStep === 'exploring', target: 'working.exploring', actions: 'armDeadline' },
            { target: 'working.acting', actions: 'armDeadline' },
          ],
          'agent.abort': {
            target: 'failed',
            actions: assign(({ event }) => ({ lastError: toErrorData(new CancelledError(event.reason)) })),
          },
        },
      },
      done: {
        entry: 'finishTask',
        on: { 'agent.task': beginTask },
      },
      failed: {
        entry: ['replyFailure', 'settleFailure'],
        on: { 'agent.task': beginTask },
      },
    },
  });
}

/** The machine type, for `ActorRefFrom` and friends. */
export type AgentMachine = ReturnType<typeof createAgentMachine>;

function taskOf(context: AgentContext): AgentTask {
  if (!context.task) throw new Error(`agent "${context.agentId}" has no task`);
  return context.task;
}

/** Assigner for a step's `onError`: records the error and where it happened. */
function failedAt(step: AgentStep) {
  return ({ event }: { event: AnyEventObject }) => {
    const error: unknown = 'error' in event ? event.error : event;
    return { lastError: stepError(error), failedStep: step };
  };
}
