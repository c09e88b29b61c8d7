/**
 * The agent's wait for a person: which tool calls of an acting turn need one
 * (a gated tool, an `ask_human` question), asking for all of them at once
 * while the agent sits in `awaitingApproval`, and how a decision becomes the
 * result the model reads.
 */
import { fromPromise } from 'xstate';
import type { ApprovalAsk, ApprovalDecision } from '../../protocols/approval.js';
import type { AgentTask } from '../../protocols/agent.js';
import type { AgentServices } from '../../protocols/agent-runtime.js';
import type { ToolCall } from '../../protocols/model.js';
import type { AgentContext } from './types.js';
import { pendingToolCalls, toolRunInput } from './tools.js';
import { ASK_HUMAN_TOOL_NAME } from './ask-human.js';

/** The question of an `ask_human` call, or undefined when its input has none. */
function questionOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || !('question' in input)) return undefined;
  return typeof input.question === 'string' && input.question.trim() !== '' ? input.question : undefined;
}

/** Whether a call is a question this agent may ask (a malformed one is answered by the tool runner's error). */
function isQuestion(context: AgentContext, call: ToolCall): boolean {
  return call.name === ASK_HUMAN_TOOL_NAME && context.config.askHuman && questionOf(call.input) !== undefined;
}

/** Whether any of the calls waits for a person. */
export function needsPerson(services: AgentServices, context: AgentContext, calls: readonly ToolCall[]): boolean {
  if (!services.requestApproval) return false;
  return calls.some((call) => isQuestion(context, call) || services.needsApproval?.(call) === true);
}

/** What the `awaitApprovals` actor asks for: one ask per waiting call, by call id. */
export interface ApprovalRoundInput {
  readonly asks: readonly WaitingCall[];
}

/** A call that waits for a person, and what is asked about it. */
export interface WaitingCall {
  readonly callId: string;
  readonly ask: Omit<ApprovalAsk, 'signal'>;
}

/**
 * The asks of the conversation's pending calls. Keys are the calls' own
 * tool-call keys, so a resumed run asks at the same keys (and ids).
 */
export function approvalRoundInput(services: AgentServices, context: AgentContext, task: AgentTask): ApprovalRoundInput {
  const { keyPrefix } = toolRunInput(context, task);
  const timeoutSeconds = context.config.approvalTimeoutSeconds;
  const asks = pendingToolCalls(context.run.conversation).flatMap((call, index): WaitingCall[] => {
    const base = {
      workflowId: task.workflowId ?? task.taskId,
      agentId: context.agentId,
      taskId: task.taskId,
      key: `${keyPrefix}:tool:${index}`,
      ...(timeoutSeconds > 0 ? { timeoutSeconds } : {}),
    };
    if (isQuestion(context, call)) {
      return [{ callId: call.id, ask: { ...base, kind: 'question', question: questionOf(call.input) ?? '' } }];
    }
    if (services.needsApproval?.(call) !== true) return [];
    return [{ callId: call.id, ask: { ...base, kind: 'tool', tool: call.name, input: call.input } }];
  });
  return { asks };
}

/** Decisions of one round, by tool-call id. */
export type ApprovalDecisions = Readonly<Record<string, ApprovalDecision>>;

/** The actor of `awaitingApproval`: asks for every waiting call at once; leaving the state cancels the waits. */
export function awaitApprovalsLogic(services: AgentServices) {
  return fromPromise<ApprovalDecisions, ApprovalRoundInput>(async ({ input, signal }) => {
    const request = services.requestApproval;
    if (!request) return {};
    const decided = await Promise.all(input.asks.map(async ({ callId, ask }) => [callId, await request({ ...ask, signal })] as const));
    return Object.fromEntries(decided);
  });
}

