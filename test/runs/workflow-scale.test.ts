/**
 * A 1,000-task random DAG on the simulated model: dependencies always finish
 * before their dependents start, concurrency stays within maxParallelAgents,
 * and cancelling mid-run leaves no model call running.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedProvider, Orchestrator } from '../../src/index.js';
import type { ModelProvider, SubAgentTaskSpec } from '../../src/index.js';
import { createRandom } from '../../src/testing.js';

/** n tasks; each depends on up to 3 earlier ones, with mixed priorities, modes and requireAllDependencies. */
function randomDag(n: number, seed: number): SubAgentTaskSpec[] {
  const random = createRandom(seed).next;
  const priorities = ['high', 'medium', 'low'] as const;
  return Array.from({ length: n }, (_, i) => {
    const dependencies = new Set<string>();
    const count = i === 0 ? 0 : Math.floor(random() * 4);
    for (let k = 0; k < count; k++) dependencies.add(`t${Math.floor(random() * i)}`);
    return {
      agentId: `t${i}`,
      taskDescription: `Task ${i}`,
      template: 'fast',
      priority: priorities[Math.floor(random() * 3)] ?? 'medium',
      estimatedDurationSeconds: Math.floor(random() * 100),
      executionMode: random() < 0.01 ? 'sequential' : 'parallel',
      requireAllDependencies: random() < 0.8,
      dependencies: [...dependencies],
    } satisfies SubAgentTaskSpec;
  });
}

/** Wraps a provider to count the calls in flight. */
function counting(inner: ModelProvider) {
  const stats = { inFlight: 0, peak: 0, calls: 0 };
  const provider: ModelProvider = {
    name: 'counting',
    async complete(request) {
      stats.calls++;
      stats.inFlight++;
      stats.peak = Math.max(stats.peak, stats.inFlight);
      try {
        return await inner.complete(request);
      } finally {
        stats.inFlight--;
      }
    },
  };
  return { provider, stats };
}

const open: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((orchestrator) => orchestrator.shutdown()));
});

function fastOrchestrator(provider: ModelProvider, maxParallelAgents: number): Orchestrator {
  const orchestrator = new Orchestrator({ provider, enableThinkingAgents: false, maxParallelAgents });
  orchestrator.registerTemplate('fast', { enableSelfReflection: false });
  open.push(orchestrator);
  return orchestrator;
}

describe('a 1,000-task random DAG', () => {
  it('completes with every dependency finished before its dependent starts, never above maxParallelAgents', async () => {
    const maxParallelAgents = 8;
    const { provider, stats } = counting(createSimulatedProvider({ seed: 7 }));
    const orchestrator = fastOrchestrator(provider, maxParallelAgents);
    const tasks = randomDag(1000, 2024);
    const byId = new Map(tasks.map((task) => [task.agentId, task]));
    const finished = new Set<string>();
    const running = new Set<string>();
    let peakRunning = 0;
    const violations: string[] = [];
    orchestrator.events.on('task.started', ({ agentId }) => {
      for (const dependency of byId.get(agentId)?.dependencies ?? []) {
        if (!finished.has(dependency)) violations.push(`${agentId} started before ${dependency} finished`);
      }
      running.add(agentId);
      peakRunning = Math.max(peakRunning, running.size);
    });
    orchestrator.events.on('task.finished', ({ agentId }) => {
      running.delete(agentId);
      finished.add(agentId);
    });
    const run = await orchestrator.executeWorkflow({ tasks, continueOnFailure: true });
    expect(violations).toEqual([]);
    expect(finished.size).toBe(1000);
    expect(Object.keys(run.results)).toHaveLength(1000);
    expect(Object.values(run.results).every((result) => result.status === 'succeeded')).toBe(true);
    expect(peakRunning).toBeLessThanOrEqual(maxParallelAgents);
    expect(peakRunning).toBeGreaterThan(1);
    expect(stats.peak).toBeLessThanOrEqual(maxParallelAgents);
    expect(stats.calls).toBe(1000);
    expect(orchestrator.listAgents()).toEqual([]);
  });

  it('cancelled mid-run, leaves no model call running and every unfinished task cancelled', async () => {
    const { provider, stats } = counting(createSimulatedProvider({ seed: 7, latencyMs: 2 }));
    const orchestrator = fastOrchestrator(provider, 6);
    const controller = new AbortController();
    let done = 0;
    orchestrator.events.on('task.finished', () => {
      if (++done === 50) controller.abort();
    });
    const run = await orchestrator.executeWorkflow({ tasks: randomDag(1000, 99), continueOnFailure: true, signal: controller.signal });
    expect(run.status).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stats.inFlight).toBe(0);
    const statuses = Object.values(run.results).map((result) => result.status);
    expect(statuses).toHaveLength(1000);
    expect(statuses.filter((status) => status === 'cancelled').length).toBeGreaterThan(900);
    expect(statuses.every((status) => status === 'succeeded' || status === 'cancelled' || status === 'skipped')).toBe(true);
    const callsAtEnd = stats.calls;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stats.calls).toBe(callsAtEnd); // nothing new starts after the run ends
    expect(orchestrator.listAgents()).toEqual([]);
  });
});
