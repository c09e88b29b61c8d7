/**
 * The check on a custom agent type's reply. A custom agent machine is code
 * troupe does not own: a result whose output is not a string, or a failure
 * without usage, would otherwise flow into task results and journal lines.
 */
import { AgentFailedError } from '../protocols/errors/errors.js';
import type { AgentFailureEvent, AgentResultEvent } from '../protocols/agent-protocol.js';
import { agentFailureShape, agentTaskResultShape, shapeProblem } from '../protocols/shapes.js';
import { failedOutcome } from './consultation-desk.js';
import type { FailedOutcome } from './consultation-desk.js';

/**
 * A failed outcome (AgentFailedError) naming the first bad field of a reply,
 * or undefined when the reply has the protocol's shape.
 *
 * @example
 * ```ts
 * malformedReply({ type: 'agent.result', agentId: 'a', taskId: 't', result: { ...agentTaskResult('ok'), confidence: 2 } });
 * // { ok: false, error: { code: 'AGENT_FAILED', message: 'Agent "a" failed: it replied with a malformed result: field confidence: …' }, … }
 * ```
 */
export function malformedReply(event: AgentResultEvent | AgentFailureEvent): FailedOutcome | undefined {
  const problem = event.type === 'agent.result' ? shapeProblem(agentTaskResultShape, event.result) : shapeProblem(agentFailureShape, event.failure);
  if (!problem) return undefined;
  const what = event.type === 'agent.result' ? 'result' : 'failure';
  return failedOutcome(new AgentFailedError(event.agentId, `it replied with a malformed ${what}: field ${problem.field}: ${problem.reason}`));
}
