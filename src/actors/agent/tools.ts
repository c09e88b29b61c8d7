/**
 * The agent's tool round: the tool calls of an acting turn, running them
 * (`consult_agent` through the system's consultation routing, the rest through
 * `runTool`) and folding the results back into the conversation.
 */
import type { AgentTask } from '../../protocols/agent.js';
import type { AgentServices, ConsultAnswer, ConsultRequest, ToolRunResult } from '../../protocols/agent-runtime.js';
import { toErrorData } from '../../protocols/errors/errors.js';
import type { ModelCallOutcome } from '../../protocols/gateway.js';
import { addUsage } from '../../protocols/model.js';
import type { ModelMessage, ToolCall } from '../../protocols/model.js';
import type { AgentContext } from './types.js';
import { actingPrompt, CONSULT_TOOL_NAME } from './prompts.js';
import type { AgentRun } from './run.js';
import { accountCall, consultableAgents } from './run.js';
import { addCents } from '../../protocols/cents.js';
import type { ApprovalDecision } from '../../protocols/approval.js';
import { decidedResult, withApprovalNote } from './ask-human.js';

export type ToolRunInput = {
  readonly calls: readonly ToolCall[];
  readonly agentId: string;
  readonly task: AgentTask;
  /** Agents the `consult_agent` tool may ask. */
  readonly peers: readonly string[];
  /** Prefix of the keys of calls this round makes for the task (stable across runs). */
  readonly keyPrefix: string;
  /** How many of the calls may run at the same time (the template's `maxParallelToolCalls`). */
  readonly maxParallel: number;
  /** A person's decisions on calls of this turn that waited in `awaitingApproval`, by call id. */
  readonly decisions?: Readonly<Record<string, ApprovalDecision>>;
};

/** Reads `consult_agent` arguments; a string is the error the model gets back. */
export function consultArguments(input: unknown): { agentId: string; question: string; context?: string } | string {
  if (typeof input !== 'object' || input === null) return 'consult_agent needs an object with agentId and question';
  const agentId: unknown = 'agentId' in input ? input.agentId : undefined;
  const question: unknown = 'question' in input ? input.question : undefined;
  const context: unknown = 'context' in input ? input.context : undefined;
  if (typeof agentId !== 'string' || typeof question !== 'string' || question.trim() === '') {
    return 'consult_agent needs a string agentId and a non-empty question';
  }
  return typeof context === 'string' && context !== '' ? { agentId, question, context } : { agentId, question };
}

/** Runs one `consult_agent` call through the system's routing; failures become error results. */
async function consultPeer(
  consult: (request: ConsultRequest) => Promise<ConsultAnswer>,
  toolCall: ToolCall,
  index: number,
  input: ToolRunInput,
  signal: AbortSignal,
): Promise<ToolRunResult> {
  const args = consultArguments(toolCall.input);
  if (typeof args === 'string') return { content: args, isError: true };
  if (!input.peers.includes(args.agentId)) {
    return { content: `"${args.agentId}" is not an agent you may consult (${input.peers.join(', ')})`, isError: true };
  }
  try {
    const answer = await consult({
      fromAgent: input.agentId,
      toAgent: args.agentId,
      question: args.question,
      context: args.context ?? input.task.task,
      chain: [input.agentId],
      taskId: input.task.taskId,
      ...(input.task.workflowId === undefined ? {} : { workflowId: input.task.workflowId }),
      callKey: `${input.keyPrefix}:consult:${index}`,
      signal,
    });
    return { content: answer.answer, usage: answer.usage, costCents: answer.costCents };
  } catch (error) {
    if (signal.aborted) throw error;
    return { content: `Consulting "${args.agentId}" failed: ${toErrorData(error).message}`, isError: true };
  }
}

/** Runs one call of a turn; a failing tool becomes an error result, only an abort rejects. */
async function runToolCall(
  services: AgentServices,
  toolCall: ToolCall,
  index: number,
  input: ToolRunInput,
  signal: AbortSignal,
): Promise<ToolRunResult> {
  if (toolCall.name === CONSULT_TOOL_NAME && services.consult) {
    return consultPeer(services.consult, toolCall, index, input, signal);
  }
  const decision = input.decisions?.[toolCall.id];
  const decided = decidedResult(toolCall, decision);
  if (decided) return decided;
  // A gated call nobody approved never runs (a machine built without requestApproval fails closed).
  if (decision === undefined && services.needsApproval?.(toolCall) === true) {
    return { content: `Tool "${toolCall.name}" needs a person's approval, and none was given`, isError: true };
  }
  if (!services.runTool) return { content: `No tool runner: cannot run "${toolCall.name}"`, isError: true };
  try {
    const result = await services.runTool(toolCall, { agentId: input.agentId, task: input.task, signal, callKey: `${input.keyPrefix}:tool:${index}` });
    return withApprovalNote(result, decision);
  } catch (error) {
    if (signal.aborted) throw error;
    return { content: `Tool "${toolCall.name}" failed: ${toErrorData(error).message}`, isError: true };
  }
}

/**
 * Runs `run` on every index, at most `limit` at a time, taking them in order.
 * A limit that is not a whole number of at least 1 (a machine input built by
 * hand, without `resolveAgentConfig`) runs them one at a time, never none.
 */
async function runBounded(indices: readonly number[], limit: number, run: (index: number) => Promise<void>): Promise<void> {
  const width = Number.isInteger(limit) && limit >= 1 ? limit : 1;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < indices.length) {
      const index = indices[next++];
      if (index !== undefined) await run(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, indices.length) }, worker));
}

/**
 * Runs a turn's tool calls concurrently, at most `input.maxParallel` at a
 * time, and returns their results in the model's order. A sequential tool
 * (`services.isSequentialTool`) waits for the calls before it to finish and
 * runs alone; the calls after it start once it is done. A failing tool becomes
 * an error result the model reads and does not stop its siblings; only an
 * abort (the agent left the state) rejects.
 */
export async function runToolCalls(services: AgentServices, input: ToolRunInput, signal: AbortSignal): Promise<ToolRunResult[]> {
  const results: ToolRunResult[] = [];
  const run = async (index: number): Promise<void> => {
    const toolCall = input.calls[index];
    if (toolCall) results[index] = await runToolCall(services, toolCall, index, input, signal);
  };
  let batch: number[] = [];
  for (const [index, toolCall] of input.calls.entries()) {
    if (!services.isSequentialTool?.(toolCall.name)) {
      batch.push(index);
      continue;
    }
    await runBounded(batch, input.maxParallel, run);
    batch = [];
    await run(index);
  }
  await runBounded(batch, input.maxParallel, run);
  return input.calls.map((_, index) => results[index] ?? { content: 'no result', isError: true });
}

/** The tool calls of the conversation's last assistant turn, in order. */
export function pendingToolCalls(conversation: readonly ModelMessage[]): ToolCall[] {
  const last = conversation[conversation.length - 1];
  if (!last || last.role !== 'assistant' || typeof last.content === 'string') return [];
  const calls: ToolCall[] = [];
  for (const block of last.content) {
    if (block.type === 'tool_use') calls.push({ id: block.id, name: block.name, input: block.input });
  }
  return calls;
}

/** Whether any of the calls asks another agent (the agent then waits in `consulting`). */
export function asksPeer(calls: readonly ToolCall[]): boolean {
  return calls.some((toolCall) => toolCall.name === CONSULT_TOOL_NAME);
}

/** The run after a tool round: the results answer the pending calls, their cost is added. */
export function withToolResults(run: AgentRun, results: readonly ToolRunResult[]): AgentRun {
  const calls = pendingToolCalls(run.conversation);
  let usage = run.usage;
  let costCents = run.costCents;
  for (const result of results) {
    if (result.usage) usage = addUsage(usage, result.usage);
    costCents = addCents(costCents, result.costCents ?? 0);
  }
  return {
    ...run,
    usage,
    costCents,
    toolRounds: run.toolRounds + 1,
    approvals: {},
    conversation: [
      ...run.conversation,
      {
        role: 'user',
        content: calls.map((toolCall, i) => ({
          type: 'tool_result' as const,
          toolUseId: toolCall.id,
          content: results[i]?.content ?? 'no result',
          ...(results[i]?.isError ? { isError: true } : {}),
        })),
      },
    ],
  };
}

/** The acting conversation so far; its opening is the acting prompt (as `actingCall` sends it). */
function openingOf(context: AgentContext, task: AgentTask): readonly ModelMessage[] {
  if (context.run.conversation.length > 0) return context.run.conversation;
  return actingPrompt(task, context.run.thinking);
}

/** The run after an acting call that asked for tools: the call joins the conversation. */
export function withToolCalls(context: AgentContext, task: AgentTask, outcome: ModelCallOutcome): AgentRun {
  const { text, toolCalls } = outcome.response;
  return {
    ...accountCall(context.run, outcome),
    conversation: [
      ...openingOf(context, task),
      {
        role: 'assistant' as const,
        content: [
          ...(text ? [{ type: 'text' as const, text }] : []),
          ...toolCalls.map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: c.input })),
        ],
      },
    ],
  };
}

export function toolRunInput(context: AgentContext, task: AgentTask): ToolRunInput {
  return {
    agentId: context.agentId,
    task,
    calls: pendingToolCalls(context.run.conversation),
    peers: consultableAgents(context, task),
    keyPrefix: `${task.taskId}#${task.attempt ?? 1}/${context.run.modelCalls}`,
    maxParallel: context.config.maxParallelToolCalls,
    decisions: context.run.approvals,
  };
}
