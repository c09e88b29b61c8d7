import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApprovalNotFoundError, ConfigError } from '../../src/index.js';
import type { ApprovalRequest, ContentBlock, ModelRequest, Orchestrator, ToolCall } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { MemoryJournalStorage } from '../../src/index.js';
import { trackedForEachTest } from '../support/tracked.js';

const { orchestrator } = trackedForEachTest();

/** Resolves with the next approval request the orchestrator emits. */
function nextRequest(o: Orchestrator): Promise<ApprovalRequest> {
  return new Promise((resolve) => {
    const off = o.events.on('approval.requested', ({ request }) => {
      off();
      resolve(request);
    });
  });
}

/** The tool results the model got back in a request, in order. */
function toolResults(request: ModelRequest | undefined): { toolUseId: string; content: string; isError: boolean }[] {
  const last = request?.messages[request.messages.length - 1];
  if (!last || typeof last.content === 'string') return [];
  return last.content
    .filter((block): block is Extract<ContentBlock, { type: 'tool_result' }> => block.type === 'tool_result')
    .map((block) => ({ toolUseId: block.toolUseId, content: block.content, isError: block.isError === true }));
}

const PLAIN = { enableSelfReflection: false, enableExtendedThinking: false } as const;

/** An orchestrator whose `pay` tool needs approval above 100 (and `pay_all` always), with a scripted model. */
function payingSetup(toolCalls: ToolCall[], config: Record<string, unknown> = {}) {
  const model = createScriptedProvider().enqueue({ toolCalls }, { text: 'done' });
  const o = orchestrator({ provider: model, journal: false, ...config });
  const paid: number[] = [];
  o.registerTool({
    name: 'pay',
    description: 'Pay an amount',
    inputSchema: z.object({ amount: z.number() }),
    needsApproval: ({ amount }) => amount > 100,
    execute: ({ amount }) => {
      paid.push(amount);
      return `paid ${amount}`;
    },
  });
  o.registerTemplate('payer', { ...PLAIN, tools: ['pay'] });
  return { o, model, paid };
}

describe('tool approvals', () => {
  it('waits in awaitingApproval, lists the request, and runs the tool once approved (the note reaches the model)', async () => {
    const { o, model, paid } = payingSetup([
      { id: 'c1', name: 'pay', input: { amount: 500 } },
      { id: 'c2', name: 'pay', input: { amount: 5 } },
    ]);
    const requested = nextRequest(o);
    const running = o.executeTask({ agentId: 'payer', taskDescription: 'Pay the invoices' });
    const request = await requested;

    expect(o.approvals.list()).toEqual([request]);
    expect(request).toMatchObject({ kind: 'tool', tool: 'pay', input: { amount: 500 }, agentId: 'payer' });
    expect(request.id).toMatch(/^apr_[0-9a-f]{20}$/);
    expect(request.taskId).toContain('payer');
    expect(request.workflowId).toMatch(/^task_/);
    expect(typeof request.requestedAt).toBe('number');
    expect(request.expiresAt).toBeUndefined();
    expect(o.inspectAgent('payer')?.state).toBe('awaitingApproval');
    // Nothing of the turn ran while it waited, not even the ungated call.
    expect(paid).toEqual([]);
    expect(model.requests).toHaveLength(1);

    o.approvals.approve(request.id, { note: 'invoice checked' });
    const result = await running;
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('done');
    expect(paid).toEqual([500, 5]);
    expect(o.approvals.list()).toEqual([]);
    expect(toolResults(model.requests[1])).toEqual([
      { toolUseId: 'c1', content: 'paid 500\n\n(Approved by a person: invoice checked)', isError: false },
      { toolUseId: 'c2', content: 'paid 5', isError: false },
    ]);
  });

  it('a rejection reaches the model as the tool result, with the reason, and the tool never runs', async () => {
    const { o, model, paid } = payingSetup([{ id: 'c1', name: 'pay', input: { amount: 900 } }]);
    const decided: string[] = [];
    o.events.on('approval.decided', ({ decision }) => decided.push(decision?.outcome ?? 'none'));
    const requested = nextRequest(o);
    const running = o.executeTask({ agentId: 'payer', taskDescription: 'Pay' });
    o.approvals.reject((await requested).id, { reason: 'over the monthly limit' });
    expect((await running).status).toBe('succeeded');
    expect(paid).toEqual([]);
    expect(decided).toEqual(['rejected']);
    expect(toolResults(model.requests[1])).toEqual([
      { toolUseId: 'c1', content: 'A person rejected this call of "pay": over the monthly limit', isError: true },
    ]);
  });

  it('calls the needsApproval function with the validated input: an ungated call runs without asking', async () => {
    const { o, paid } = payingSetup([{ id: 'c1', name: 'pay', input: { amount: 7 } }]);
    let asked = 0;
    o.events.on('approval.requested', () => asked++);
    expect((await o.executeTask({ agentId: 'payer', taskDescription: 'Pay' })).status).toBe('succeeded');
    expect(asked).toBe(0);
    expect(paid).toEqual([7]);
  });

  it('fails the step with APPROVAL_TIMEOUT when nobody decides in time', async () => {
    const { o, paid } = payingSetup([{ id: 'c1', name: 'pay', input: { amount: 500 } }], { approvalTimeoutSeconds: 0.02 });
    const timedOut: boolean[] = [];
    o.events.on('approval.decided', (event) => timedOut.push(event.timedOut));
    const requested = nextRequest(o);
    const running = o.executeTask({ agentId: 'payer', taskDescription: 'Pay' });
    expect((await requested).expiresAt).toBeDefined();
    const result = await running;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('APPROVAL_TIMEOUT');
    expect(result.attempts).toBe(1);
    expect(timedOut).toEqual([true]);
    expect(paid).toEqual([]);
    expect(o.approvals.list()).toEqual([]);
  });

  it('a tool’s own approvalTimeoutSeconds wins over the orchestrator’s wait-forever default', async () => {
    const model = createScriptedProvider().enqueue({ toolCalls: [{ id: 'c1', name: 'wire', input: {} }] });
    const o = orchestrator({ provider: model, journal: false });
    o.registerTool({ name: 'wire', description: 'Wire money', inputSchema: { type: 'object' }, needsApproval: true, approvalTimeoutSeconds: 0.02, execute: () => 'sent' });
    o.registerTemplate('banker', { ...PLAIN, tools: ['wire'] });
    const result = await o.executeTask({ agentId: 'banker', taskDescription: 'Wire it' });
    expect(result.error?.code).toBe('APPROVAL_TIMEOUT');
  });

  it('refuses decisions on unknown ids, answers to tool approvals and empty reasons', async () => {
    const { o } = payingSetup([{ id: 'c1', name: 'pay', input: { amount: 500 } }]);
    expect(() => o.approvals.approve('apr_nope')).toThrow(ApprovalNotFoundError);
    const requested = nextRequest(o);
    const running = o.executeTask({ agentId: 'payer', taskDescription: 'Pay' });
    const { id } = await requested;
    expect(() => o.approvals.answer(id, 'yes')).toThrow(ApprovalNotFoundError);
    expect(() => o.approvals.reject(id, { reason: ' ' })).toThrow(ConfigError);
    expect(o.approvals.list().map((r) => r.id)).toEqual([id]);
    o.approvals.approve(id);
    await running;
    expect(() => o.approvals.approve(id)).toThrow(ApprovalNotFoundError);
  });

  it('cancelling the run while it waits ends the wait: the request leaves the list and the task is cancelled', async () => {
    const { o, paid } = payingSetup([{ id: 'c1', name: 'pay', input: { amount: 500 } }]);
    const controller = new AbortController();
    const requested = nextRequest(o);
    const running = o.executeTask({ agentId: 'payer', taskDescription: 'Pay' }, { signal: controller.signal });
    const { id } = await requested;
    controller.abort();
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(o.approvals.list()).toEqual([]);
    expect(() => o.approvals.approve(id)).toThrow(ApprovalNotFoundError);
    expect(paid).toEqual([]);
  });

  it('rejects a tool registered with a non-positive approvalTimeoutSeconds', () => {
    const o = orchestrator({ provider: createScriptedProvider(), journal: false });
    expect(() =>
      o.registerTool({ name: 'x', description: 'x', inputSchema: { type: 'object' }, approvalTimeoutSeconds: 0, execute: () => 'x' }),
    ).toThrow(ConfigError);
  });
});

describe('ask_human', () => {
  it('offers the tool to askHuman templates only; the person’s answer is the tool result', async () => {
    const model = createScriptedProvider().enqueue(
      { toolCalls: [{ id: 'q1', name: 'ask_human', input: { question: 'Which region?' } }] },
      { text: 'deploying to eu-west' },
      { text: 'plain answer' },
    );
    const o = orchestrator({ provider: model, journal: false });
    o.registerTemplate('asker', { ...PLAIN, askHuman: true });
    o.registerTemplate('quiet', { ...PLAIN });
    const requested = nextRequest(o);
    const running = o.executeTask({ agentId: 'asker', taskDescription: 'Deploy' });
    const request = await requested;
    expect(request).toMatchObject({ kind: 'question', question: 'Which region?', agentId: 'asker' });
    expect(() => o.approvals.approve(request.id)).toThrow(ApprovalNotFoundError);
    o.approvals.answer(request.id, 'eu-west, please');
    expect((await running).output).toBe('deploying to eu-west');
    expect(toolResults(model.requests[1])).toEqual([{ toolUseId: 'q1', content: 'eu-west, please', isError: false }]);
    expect(model.requests[0]?.tools?.map((t) => t.name)).toContain('ask_human');

    await o.executeTask({ agentId: 'quiet', taskDescription: 'Answer' });
    expect(model.requests[2]?.tools?.map((t) => t.name) ?? []).not.toContain('ask_human');
  });
});

describe('task requiresApproval', () => {
  /** A two-task workflow: `draft` needs approval, `publish` depends on it; the model answers by task. */
  function taskSetup() {
    const drafts: string[] = [];
    const model = createScriptedProvider({
      fallback: (request) => {
        const prompt = JSON.stringify(request.messages);
        if (prompt.includes('Publish')) return { text: 'published' };
        drafts.push(prompt);
        return { text: `draft v${drafts.length}` };
      },
    });
    const o = orchestrator({ provider: model, journal: false });
    o.registerTemplate('draft', PLAIN);
    o.registerTemplate('publish', PLAIN);
    const tasks = [
      { agentId: 'draft', taskDescription: 'Draft the note', requiresApproval: true },
      { agentId: 'publish', taskDescription: 'Publish the note', dependencies: ['draft'] },
    ];
    return { o, model, drafts, tasks };
  }

  it('holds the output for approval: the dependent runs only after it is approved', async () => {
    const { o, model, tasks } = taskSetup();
    const requested = nextRequest(o);
    const running = o.executeWorkflow({ tasks });
    const request = await requested;
    expect(request).toMatchObject({ kind: 'task', agentId: 'draft', output: 'draft v1' });
    expect(model.requests).toHaveLength(1);
    o.approvals.approve(request.id);
    const result = await running;
    expect(result.status).toBe('succeeded');
    expect(result.results.draft?.output).toBe('draft v1');
    expect(result.results.publish?.output).toBe('published');
    expect(model.requests).toHaveLength(2);
  });

  it('a rejection with retry runs the task again with the feedback; the dependent gets the revision', async () => {
    const { o, drafts, tasks } = taskSetup();
    const first = nextRequest(o);
    const running = o.executeWorkflow({ tasks });
    const one = await first;
    const second = nextRequest(o);
    o.approvals.reject(one.id, { reason: 'mention the deadline', retry: true });
    const two = await second;
    expect(two.id).not.toBe(one.id);
    expect(two.output).toBe('draft v2');
    expect(drafts[1]).toContain('mention the deadline');
    expect(drafts[1]).toContain('draft v1');
    o.approvals.approve(two.id);
    const result = await running;
    expect(result.results.draft).toMatchObject({ status: 'succeeded', output: 'draft v2', attempts: 2 });
    expect(result.results.publish?.status).toBe('succeeded');
  });

  it('a plain rejection fails the task with APPROVAL_REJECTED and its dependent does not run', async () => {
    const { o, model, tasks } = taskSetup();
    const requested = nextRequest(o);
    const running = o.executeWorkflow({ tasks, continueOnFailure: true });
    o.approvals.reject((await requested).id, { reason: 'off topic' });
    const result = await running;
    expect(result.results.draft).toMatchObject({ status: 'failed', output: null });
    expect(result.results.draft?.error).toMatchObject({ code: 'APPROVAL_REJECTED', message: 'Rejected by a person: off topic' });
    expect(result.results.publish?.status).toBe('skipped');
    expect(model.requests).toHaveLength(1);
  });

  it('validates requiresApproval as a boolean', async () => {
    const o = orchestrator({ provider: createScriptedProvider(), journal: false });
    await expect(o.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'x', requiresApproval: 'yes' as unknown as boolean }] })).rejects.toThrow(/requiresApproval/);
  });
});

describe('approvals seen from outside', () => {
  it('the Stately inspector sees the agent enter awaitingApproval and leave it for usingTools', async () => {
    const states: string[] = [];
    const model = createScriptedProvider().enqueue({ toolCalls: [{ id: 'c1', name: 'pay', input: { amount: 500 } }] }, { text: 'done' });
    const o = orchestrator({
      provider: model,
      journal: false,
      inspect: (event) => {
        if (event.type !== '@xstate.snapshot') return;
        const snapshot: unknown = event.snapshot;
        if (typeof snapshot !== 'object' || snapshot === null || !('context' in snapshot) || !('value' in snapshot)) return;
        const context: unknown = snapshot.context;
        if (typeof context !== 'object' || context === null || !('agentId' in context) || context.agentId !== 'payer') return;
        const { value } = snapshot;
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        if (states.at(-1) !== text) states.push(text);
      },
    });
    o.registerTool({ name: 'pay', description: 'Pay', inputSchema: z.object({ amount: z.number() }), needsApproval: true, execute: () => 'paid' });
    o.registerTemplate('payer', { ...PLAIN, tools: ['pay'] });
    const requested = nextRequest(o);
    const running = o.executeTask({ agentId: 'payer', taskDescription: 'Pay' });
    o.approvals.approve((await requested).id);
    await running;
    const around = states.indexOf('awaitingApproval');
    expect(around).toBeGreaterThan(0);
    expect(states[around - 1]).toBe('{"working":"acting"}');
    expect(states[around + 1]).toBe('{"working":"usingTools"}');
  });

  it('a replay of a run serves the recorded decision: nobody is asked again and the result is the same', async () => {
    const storage = new MemoryJournalStorage();
    const script = () =>
      createScriptedProvider({
        fallback: (request) =>
          JSON.stringify(request.messages).includes('tool_result')
            ? { text: 'paid and reported' }
            : { toolCalls: [{ id: 'c1', name: 'pay', input: { amount: 500 } }] },
      });
    const o = orchestrator({ provider: script(), journal: { storage } });
    let executed = 0;
    o.registerTool({ name: 'pay', description: 'Pay', inputSchema: z.object({ amount: z.number() }), needsApproval: true, execute: () => (executed++, 'paid') });
    o.registerTemplate('payer', { ...PLAIN, tools: ['pay'] });
    let asked = 0;
    o.events.on('approval.requested', ({ request }) => {
      asked++;
      o.approvals.reject(request.id, { reason: 'not this month' });
    });
    const run = await o.executeWorkflow({ tasks: [{ agentId: 'payer', taskDescription: 'Pay' }] });
    expect(asked).toBe(1);
    const replay = await o.replayWorkflow({ workflowId: run.workflowId, strict: true });
    expect(asked).toBe(1);
    expect(executed).toBe(0);
    expect(replay.results.payer?.output).toBe(run.results.payer?.output);
    expect(replay.diff.changed).toEqual([]);
  });
});
