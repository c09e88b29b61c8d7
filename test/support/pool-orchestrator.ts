/**
 * Orchestrators for the messaging tests: one that can hand a task straight
 * to an agent of its pool and read an agent's remembered memory, created per
 * test and shut down after it. Call at the top level of a test file.
 */
import { afterEach } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import type { AgentTask, OrchestratorConfig } from '../../src/index.js';
import type { AgentRunOutcome } from '../../src/agents/index.js';
import type { ScriptedProvider } from '../../src/testing.js';

/** An orchestrator that can hand a task with `availableAgents` straight to an agent. */
export class PoolOrchestrator extends Orchestrator {
  runOn(agentId: string, task: AgentTask): Promise<AgentRunOutcome> {
    return this.runtime.pool.run(agentId, task);
  }
  memoryOf(agentId: string) {
    return this.runtime.pool.get(agentId)?.memory;
  }
}

/** An agent config that makes one call a task: no reflection, no extended thinking. */
export const plain = { enableSelfReflection: false, enableExtendedThinking: false };

/**
 * A factory of {@link PoolOrchestrator}s on `model` (claude-3-5-sonnet, no
 * thinking agents unless `config` says so), each shut down after its test.
 *
 * @example
 * ```ts
 * const orchestrator = poolOrchestrators();
 * it('consults', async () => {
 *   const o = orchestrator(createScriptedProvider({ fallback: () => ({ text: 'ok' }) }));
 * });
 * ```
 */
export function poolOrchestrators(): (model: ScriptedProvider, config?: OrchestratorConfig) => PoolOrchestrator {
  const open: Orchestrator[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.shutdown();
  });
  return (model, config = {}) => {
    const o = new PoolOrchestrator({ provider: model, model: 'claude-3-5-sonnet', enableThinkingAgents: false, ...config });
    open.push(o);
    return o;
  };
}
