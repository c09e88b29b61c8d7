/**
 * The thinking agent's context as it starts, from its input: at spawn, and
 * when a parked actor is given to a new agent (`agent.reassign`, see
 * agents/agent-slots.ts), so a reused actor holds nothing of the agent it
 * served before.
 */
import { EMPTY_MEMORY } from '../../protocols/agent.js';
import { EMPTY_RUN } from './run.js';
import type { AgentContext, AgentMachineInput } from './types.js';

/**
 * The context of a new agent.
 *
 * @example
 * ```ts
 * initialContext({ agentId: 'a', template: 'default', config }).memory; // EMPTY_MEMORY
 * ```
 */
export function initialContext(input: AgentMachineInput): AgentContext {
  return {
    agentId: input.agentId,
    template: input.template,
    config: input.config,
    tools: input.tools ?? [],
    memory: input.memory ?? EMPTY_MEMORY,
    task: null,
    replyTo: undefined,
    deadline: null,
    startedAt: 0,
    run: EMPTY_RUN,
    lastError: null,
    failedStep: null,
    breakpointOnError: input.breakpointOnError ?? false,
    tasksCompleted: 0,
    totalCostCents: 0,
    consultations: {},
    consultCount: 0,
  };
}
