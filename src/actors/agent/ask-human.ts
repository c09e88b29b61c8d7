/**
 * The `ask_human` tool and what a person's decision on a waiting call gives
 * the model: an answer, a rejection's reason as an error result, or an
 * approver's note beside the tool's own result.
 */
import type { ApprovalDecision } from '../../protocols/approval.js';
import type { ToolRunResult } from '../../protocols/agent-runtime.js';
import type { ToolCall, ToolDefinition } from '../../protocols/model.js';

/** The tool an agent with `askHuman: true` may call to ask a person. */
export const ASK_HUMAN_TOOL_NAME = 'ask_human';

/**
 * The `ask_human` tool: the agent asks a person a question and waits; the
 * answer (`orchestrator.approvals.answer`) is the tool's result. Offered to
 * agents whose template has `askHuman: true`.
 *
 * @example
 * ```ts
 * orchestrator.registerTemplate('planner', { askHuman: true }); // its agents see ASK_HUMAN_TOOL
 * ```
 */
export const ASK_HUMAN_TOOL: ToolDefinition = {
  name: ASK_HUMAN_TOOL_NAME,
  description:
    'Ask a person a question and wait for the answer. Use it when you need a decision, a preference or a fact only a person has.',
  inputSchema: {
    type: 'object',
    properties: { question: { type: 'string', description: 'The question, self-contained.' } },
    required: ['question'],
    additionalProperties: false,
  },
};

/**
 * The result a decided call gives the model without running the tool, or
 * undefined when the tool should run (approved). A note on an approval is
 * added to the tool's result by {@link withApprovalNote}.
 */
export function decidedResult(call: ToolCall, decision: ApprovalDecision | undefined): ToolRunResult | undefined {
  if (decision === undefined || decision.outcome === 'approved') return undefined;
  if (decision.outcome === 'answered') return { content: decision.text };
  const who = call.name === ASK_HUMAN_TOOL_NAME ? 'A person declined to answer' : `A person rejected this call of "${call.name}"`;
  return { content: `${who}: ${decision.reason}`, isError: true };
}

/** A tool's result with the approver's note, when there is one. */
export function withApprovalNote(result: ToolRunResult, decision: ApprovalDecision | undefined): ToolRunResult {
  if (decision?.outcome !== 'approved' || decision.note === undefined || decision.note === '') return result;
  return { ...result, content: `${result.content}\n\n(Approved by a person: ${decision.note})` };
}
