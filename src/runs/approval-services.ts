/**
 * The agent machine's approval services, bound to the tool registry (which
 * tools are gated, their own timeouts) and the approval desk (where the
 * calls wait for a person).
 */
import type { AgentServices } from '../protocols/agent-runtime.js';
import type { ToolRegistry } from '../agents/tools.js';
import type { ApprovalDesk } from './approvals.js';

/**
 * `needsApproval` and `requestApproval` for `createAgentMachine`. A tool's own
 * `approvalTimeoutSeconds` wins over the template's; the request names the
 * tool by its registered name (not the one the model saw).
 *
 * @example
 * ```ts
 * const machine = createAgentMachine({ gateway, now: Date.now, runTool, ...approvalServices(tools, desk) });
 * ```
 */
export function approvalServices(tools: ToolRegistry, desk: ApprovalDesk): Pick<AgentServices, 'needsApproval' | 'requestApproval'> {
  return {
    needsApproval: (call) => tools.needsApproval(call.name, call.input),
    requestApproval: (ask) => {
      if (ask.kind !== 'tool' || ask.tool === undefined) return desk.request(ask);
      const name = tools.resolve(ask.tool) ?? ask.tool;
      const own = tools.approvalTimeoutSeconds(name);
      return desk.request({ ...ask, tool: name, ...(own === undefined ? {} : { timeoutSeconds: own }) });
    },
  };
}
