import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../src/index.js';
import type { ApprovalRequest, ModelRequest, Orchestrator } from '../../src/index.js';
import { MemoryJournalStorage } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { trackedForEachTest } from '../support/tracked.js';
import { APPROVAL_TASKS, APPROVAL_WORKFLOW_ID, approvalModel, setUpApprovalRun } from '../support/approval-setup.js';

const { orchestrator, tempDir } = trackedForEachTest();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Starts the child and resolves with the first `waiting` line (the pending approval's id and its model calls). */
async function runChildUntilWaiting(workspacePath: string): Promise<{ id: string; calls: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/processes/approval-child.ts'), workspacePath], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const waiting = await new Promise<{ id: string; calls: number }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /waiting (\S+) (\d+)\n/.exec(stdout);
      if (match?.[1] && match[2]) resolve({ id: match[1], calls: Number(match[2]) });
    });
    child.on('exit', () => reject(new Error(`the child ended before waiting: ${stdout} ${stderr}`)));
  });
  // Killed while it waits for a person: nothing is flushed or closed.
  child.kill('SIGKILL');
  expect(await exited, stderr).toBe('SIGKILL');
  return waiting;
}

describe('an approval across a process restart', () => {
  it('is pending again after a SIGKILL, and the resumed run finishes once approved with no repeated model call', async () => {
    const workspacePath = tempDir('troupe-approval-');
    const first = await runChildUntilWaiting(workspacePath);
    expect(first.calls).toBe(1);

    const model = approvalModel();
    const resumer = orchestrator({ workspacePath, provider: model });
    const paid = setUpApprovalRun(resumer);
    const before = await resumer.getWorkflow(APPROVAL_WORKFLOW_ID);
    expect(before?.status).toBe('interrupted');
    // Before resuming, the journal already tells what waits for a person.
    expect(before?.pendingApprovals?.map((r) => r.id)).toEqual([first.id]);
    const pending = new Promise<ApprovalRequest>((resolve) => {
      const off = resumer.events.on('approval.requested', ({ request }) => {
        off();
        resolve(request);
      });
    });
    const replayed: string[] = [];
    resumer.events.on('model.call.finished', (event) => {
      if (event.replayed) replayed.push(event.agentId);
    });
    const resumed = resumer.resumeWorkflow({ workflowId: APPROVAL_WORKFLOW_ID, tasks: APPROVAL_TASKS });
    const request = await pending;

    // The same request as before the kill, served the recorded model answer: this process asked no model yet.
    expect(request.id).toBe(first.id);
    expect(resumer.approvals.list()).toEqual([request]);
    expect(request).toMatchObject({ kind: 'tool', tool: 'pay', input: { amount: 500 }, agentId: 'payer', workflowId: APPROVAL_WORKFLOW_ID });
    expect(model.requests).toHaveLength(0);
    expect(replayed).toEqual(['payer']);
    expect(paid).toEqual([]);

    resumer.approvals.approve(request.id, { note: 'approved after the restart' });
    const result = await resumed;
    expect(result.status).toBe('succeeded');
    expect(result.results.payer?.output).toBe('invoice paid');
    expect(result.results.notify?.output).toBe('team notified');
    expect((await resumer.getWorkflow(APPROVAL_WORKFLOW_ID))?.pendingApprovals).toBeUndefined();
    expect(paid).toEqual([500]);
    // Only the calls that had not been made before the kill: payer's answer to the tool result, and notify.
    expect(model.requests).toHaveLength(2);

    const { records } = parseJournal(APPROVAL_WORKFLOW_ID, readFileSync(join(workspacePath, 'journals', `${APPROVAL_WORKFLOW_ID}.jsonl`), 'utf8'));
    const requested = records.filter((r) => r.type === 'approval.requested');
    const decided = records.flatMap((r) => (r.type === 'approval.decided' ? [r] : []));
    expect(requested).toHaveLength(1);
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatchObject({ approvalId: first.id, decision: { outcome: 'approved', note: 'approved after the restart' } });
  }, 60_000);
});

/** The model of the question-then-task run: ask a person, then answer with what they said. */
function askingModel() {
  const answeredWith = (request: ModelRequest): string | undefined => {
    for (const message of request.messages) {
      if (typeof message.content === 'string') continue;
      for (const block of message.content) if (block.type === 'tool_result') return block.content;
    }
    return undefined;
  };
  return createScriptedProvider({
    fallback: (request) => {
      const answer = answeredWith(request);
      return answer === undefined
        ? { toolCalls: [{ id: 'q1', name: 'ask_human', input: { question: 'Which region?' } }] }
        : { text: `deploying to ${answer}` };
    },
  });
}

function nextRequest(o: Orchestrator): Promise<ApprovalRequest> {
  return new Promise((resolve) => {
    const off = o.events.on('approval.requested', ({ request }) => (off(), resolve(request)));
  });
}

describe('approvals across graceful restarts', () => {
  it('a question and then a task approval survive two shutdowns; each process asks the model only what was not asked', async () => {
    const storage = new MemoryJournalStorage();
    const tasks = [{ agentId: 'deployer', taskDescription: 'Deploy the service', requiresApproval: true }];
    const start = () => {
      const model = askingModel();
      const o = orchestrator({ provider: model, journal: { storage } });
      o.registerTemplate('deployer', { askHuman: true, enableSelfReflection: false, enableExtendedThinking: false });
      return { o, model };
    };

    const one = start();
    const asked = nextRequest(one.o);
    void one.o.executeWorkflow({ tasks, workflowId: 'wf_ask' }).catch(() => undefined);
    const question = await asked;
    expect(question).toMatchObject({ kind: 'question', question: 'Which region?' });
    await one.o.shutdown();
    expect(one.model.requests).toHaveLength(1);

    const two = start();
    expect(await two.o.getWorkflow('wf_ask')).toMatchObject({ status: 'interrupted', pendingApprovals: [question] });
    const askedAgain = nextRequest(two.o);
    void two.o.resumeWorkflow({ workflowId: 'wf_ask' }).catch(() => undefined);
    expect(await askedAgain).toEqual(question);
    const held = nextRequest(two.o);
    two.o.approvals.answer(question.id, 'eu-west');
    const taskApproval = await held;
    expect(taskApproval).toMatchObject({ kind: 'task', agentId: 'deployer', output: 'deploying to eu-west' });
    expect(two.model.requests).toHaveLength(1);
    await two.o.shutdown();

    const three = start();
    const heldAgain = nextRequest(three.o);
    const resumed = three.o.resumeWorkflow({ workflowId: 'wf_ask' });
    expect(await heldAgain).toEqual(taskApproval);
    // The answered question was served from the journal: only the task approval is pending.
    expect(three.o.approvals.list()).toEqual([taskApproval]);
    three.o.approvals.approve(taskApproval.id);
    const result = await resumed;
    expect(result.status).toBe('succeeded');
    expect(result.results.deployer?.output).toBe('deploying to eu-west');
    expect(three.model.requests).toHaveLength(0);
  });
});
