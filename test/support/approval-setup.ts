/**
 * The run test/runs/approval-restart.test.ts kills and resumes: an agent
 * whose `pay` tool needs approval, and a task that depends on it. The
 * scripted model answers from the request alone, so both processes would
 * give the same answers; each counts the calls it actually made.
 */
import { z } from 'zod';
import type { ModelRequest, Orchestrator, SubAgentTaskSpec } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';

export const APPROVAL_WORKFLOW_ID = 'wf_approval_restart';

export const APPROVAL_TASKS: SubAgentTaskSpec[] = [
  { agentId: 'payer', taskDescription: 'Pay the invoice' },
  { agentId: 'notify', taskDescription: 'Notify the team', dependencies: ['payer'] },
];

function answered(request: ModelRequest): boolean {
  return request.messages.some((message) => typeof message.content !== 'string' && message.content.some((block) => block.type === 'tool_result'));
}

/** The scripted model: `payer` asks to pay, then reports; `notify` answers at once. */
export function approvalModel() {
  return createScriptedProvider({
    fallback: (request) => {
      if (JSON.stringify(request.messages).includes('Notify the team')) return { text: 'team notified' };
      if (answered(request)) return { text: 'invoice paid' };
      return { toolCalls: [{ id: 'call_pay', name: 'pay', input: { amount: 500 } }] };
    },
  });
}

/** Registers the gated tool and the templates; returns the amounts paid in this process. */
export function setUpApprovalRun(orchestrator: Orchestrator): number[] {
  const paid: number[] = [];
  orchestrator.registerTool({
    name: 'pay',
    description: 'Pay an amount',
    inputSchema: z.object({ amount: z.number() }),
    needsApproval: true,
    execute: ({ amount }) => {
      paid.push(amount);
      return `paid ${amount}`;
    },
  });
  const plain = { enableSelfReflection: false, enableExtendedThinking: false };
  orchestrator.registerTemplate('payer', { ...plain, tools: ['pay'] });
  orchestrator.registerTemplate('notify', plain);
  return paid;
}
