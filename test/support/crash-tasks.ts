/**
 * The workflow of the crash test (test/runs/resume.test.ts), shared by the child
 * process that is killed and the test that resumes it.
 */
import type { Orchestrator } from '../../src/index.js';
import { SharedContextStore } from '../../src/index.js';
import type { SubAgentTaskSpec } from '../../src/index.js';

export const CRASH_WORKFLOW_ID = 'wf_crash_test';
export const CRASH_WRITER = 'crash-test';

/** 20 tasks: 8 roots, 8 depending on two roots each, 4 on two of those. */
export function crashTasks(): SubAgentTaskSpec[] {
  const tasks: SubAgentTaskSpec[] = [];
  for (let i = 0; i < 8; i++) tasks.push({ agentId: `root_${i}`, taskDescription: `Research topic ${i} in depth` });
  for (let i = 0; i < 8; i++) {
    tasks.push({
      agentId: `mid_${i}`,
      taskDescription: `Combine findings ${i}`,
      dependencies: [`root_${i}`, `root_${(i + 1) % 8}`],
    });
  }
  for (let i = 0; i < 4; i++) {
    tasks.push({
      agentId: `top_${i}`,
      taskDescription: `Synthesize section ${i}`,
      dependencies: [`mid_${2 * i}`, `mid_${2 * i + 1}`],
    });
  }
  return tasks;
}

export function crashArtifactStore(workspacePath: string): SharedContextStore {
  return new SharedContextStore({ workspacePath, agentPermissions: { [CRASH_WRITER]: ['read', 'write'] } });
}

/** Stores every succeeded task's output as artifact `result.<agentId>`. */
export function storeResultArtifacts(orchestrator: Orchestrator, store: SharedContextStore): void {
  orchestrator.events.on('task.finished', ({ agentId, result }) => {
    if (result.status !== 'succeeded') return;
    void store.storeArtifact({ artifactId: `result.${agentId}`, content: result.output, agentId: CRASH_WRITER }).catch(() => {
      // The process may be killed mid-write; the test checks what survived.
    });
  });
}
