/**
 * Child process of test/runs/resume.test.ts: runs a 20-task workflow with
 * simulated model latency on a fs workspace until the test SIGKILLs it.
 * Each finished task's output is also stored as an artifact, so the test can
 * check that artifacts written before the kill are intact.
 *
 * Usage: node --import tsx test/support/processes/crash-workflow.ts <workspacePath>
 */
import { Orchestrator } from '../../../src/index.js';
import { crashArtifactStore, CRASH_WORKFLOW_ID, crashTasks, storeResultArtifacts } from '../crash-tasks.js';

const workspacePath = process.argv[2];
if (!workspacePath) throw new Error('usage: crash-workflow.ts <workspacePath>');

const orchestrator = new Orchestrator({
  workspacePath,
  maxParallelAgents: 4,
  simulated: { latencyMs: 30, jitterMs: 50 },
});
const store = crashArtifactStore(workspacePath);
storeResultArtifacts(orchestrator, store);
process.stdout.write('started\n');
await orchestrator.executeWorkflow({ tasks: crashTasks(), workflowId: CRASH_WORKFLOW_ID, continueOnFailure: true });
// Reaching this line means the test did not kill us in time; it fails on the exit code.
process.stdout.write('finished\n');
await store.close();
await orchestrator.shutdown();
process.exit(3);
