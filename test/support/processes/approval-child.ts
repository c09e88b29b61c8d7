/**
 * Child process of test/runs/approval-restart.test.ts: runs the approval
 * workflow on a fs workspace until it waits for a person, prints
 * `waiting <id> <model calls>` and waits until the test SIGKILLs it.
 *
 * Usage: node --import tsx test/support/processes/approval-child.ts <workspacePath>
 */
import { Orchestrator } from '../../../src/index.js';
import { APPROVAL_TASKS, APPROVAL_WORKFLOW_ID, approvalModel, setUpApprovalRun } from '../approval-setup.js';

const workspacePath = process.argv[2];
if (!workspacePath) throw new Error('usage: approval-child.ts <workspacePath>');

const model = approvalModel();
const orchestrator = new Orchestrator({ workspacePath, provider: model });
setUpApprovalRun(orchestrator);
orchestrator.events.on('approval.requested', ({ request }) => {
  process.stdout.write(`waiting ${request.id} ${model.requests.length}\n`);
});
// Keeps the process alive while it waits: nothing else holds the event loop.
setInterval(() => undefined, 1000);
await orchestrator.executeWorkflow({ tasks: APPROVAL_TASKS, workflowId: APPROVAL_WORKFLOW_ID });
// Reaching this line means nobody killed us: the test fails on the exit code.
process.stdout.write('finished\n');
process.exit(3);
