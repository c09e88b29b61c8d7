/**
 * executeWorkflow, option by option: scheduling, dependencies, conditions,
 * the result's fields and validation (a task's own route, from its agent to
 * its result, is in task-runner.test.ts). Every test would fail if the
 * option it names were ignored.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Orchestrator, ProviderError, WorkflowValidationError } from '../../src/index.js';
import type { OrchestratorConfig, SubAgentTaskSpec, TroupeEvent } from '../../src/index.js';
import { systemText } from '../../src/index.js';
import type { ScriptedProvider, ScriptedStep } from '../../src/testing.js';
import { agentOf, isReflection, promptOf } from '../support/requests.js';
import { trackedForEachTest } from '../support/tracked.js';
import { RUN_TEST_CONFIG, scripted } from '../support/scripted-runs.js';

const tracked = trackedForEachTest();
function orchestratorWith(provider: ScriptedProvider, config: OrchestratorConfig = {}): Orchestrator {
  return tracked.orchestrator({ ...RUN_TEST_CONFIG, ...config, provider });
}

afterEach(() => {
  vi.useRealTimers();
});

/** Holds model calls until `size` are in flight together (or a safety timeout passes), then releases them all. */
function barrier(size: number, safetyMs = 2000) {
  let waiting: (() => void)[] = [];
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const release = () => {
    clearTimeout(timer);
    timer = undefined;
    const released = waiting;
    waiting = [];
    for (const resolve of released) resolve();
  };
  return {
    get timedOut() {
      return timedOut;
    },
    wait(): Promise<void> {
      const arrived = new Promise<void>((resolve) => waiting.push(resolve));
      if (waiting.length >= size) release();
      else
        timer ??= setTimeout(() => {
          timedOut = true;
          release();
        }, safetyMs);
      return arrived;
    },
  };
}

function startOrder(orchestrator: Orchestrator): string[] {
  const order: string[] = [];
  orchestrator.events.on('task.started', (event) => order.push(event.agentId));
  return order;
}

const requestsOf = (provider: ScriptedProvider, agent: string) => provider.requests.filter((r) => agentOf(r) === agent);

describe('scheduling', () => {
  it('starts ready tasks by priority, then longest estimated duration, then declaration order', async () => {
    const model = scripted();
    const orchestrator = orchestratorWith(model, { maxParallelAgents: 1 });
    const order = startOrder(orchestrator);
    const run = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'low_first', taskDescription: 'x', priority: 'low' },
        { agentId: 'medium_short', taskDescription: 'x', estimatedDurationSeconds: 10 },
        { agentId: 'medium_plain', taskDescription: 'x' },
        { agentId: 'medium_long', taskDescription: 'x', estimatedDurationSeconds: 300 },
        { agentId: 'high_late', taskDescription: 'x', priority: 'high' },
        { agentId: 'medium_plain_2', taskDescription: 'x' },
      ],
    });
    expect(run.status).toBe('succeeded');
    expect(order).toEqual(['high_late', 'medium_long', 'medium_short', 'medium_plain', 'medium_plain_2', 'low_first']);
  });

  it('never runs more than maxParallelAgents tasks at once, and fills every slot', async () => {
    const gate = barrier(3);
    let inFlight = 0;
    let peak = 0;
    const model = scripted({
      intercept: (_agent, request) => {
        if (isReflection(request)) return undefined;
        inFlight++;
        peak = Math.max(peak, inFlight);
        return gate.wait().then(() => {
          inFlight--;
          return { text: 'done' };
        });
      },
    });
    const orchestrator = orchestratorWith(model, { maxParallelAgents: 3 });
    const tasks = Array.from({ length: 6 }, (_, i) => ({ agentId: `t${i}`, taskDescription: 'work' }));
    const run = await orchestrator.executeWorkflow({ tasks });
    expect(run.status).toBe('succeeded');
    expect(peak).toBe(3);
    expect(gate.timedOut).toBe(false); // every wave filled all three slots
  });

  it('the per-run maxParallelAgents override wins over the config', async () => {
    let inFlight = 0;
    let peak = 0;
    const model = scripted({
      intercept: (_agent, request) => {
        if (isReflection(request)) return undefined;
        inFlight++;
        peak = Math.max(peak, inFlight);
        return new Promise<ScriptedStep>((resolve) =>
          setTimeout(() => {
            inFlight--;
            resolve({ text: 'ok' });
          }, 5),
        );
      },
    });
    const orchestrator = orchestratorWith(model, { maxParallelAgents: 4 });
    const tasks = Array.from({ length: 4 }, (_, i) => ({ agentId: `t${i}`, taskDescription: 'work' }));
    await orchestrator.executeWorkflow({ tasks, maxParallelAgents: 1 });
    expect(peak).toBe(1);
  });

  it('runs Parallel tasks side by side and a Sequential task alone', async () => {
    const gate = barrier(2);
    const live = new Set<string>();
    const overlaps: string[][] = [];
    const model = scripted({
      intercept: (agent, request) => {
        if (isReflection(request)) return undefined;
        live.add(agent);
        overlaps.push([...live].sort());
        const held = agent === 'a' || agent === 'b' ? gate.wait() : new Promise((resolve) => setTimeout(resolve, 5));
        return held.then(() => {
          live.delete(agent);
          return { text: `${agent} done` };
        });
      },
    });
    const orchestrator = orchestratorWith(model, { maxParallelAgents: 4 });
    const run = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'a', taskDescription: 'x', executionMode: 'parallel' },
        { agentId: 'b', taskDescription: 'x', executionMode: 'parallel' },
        { agentId: 'solo', taskDescription: 'x', executionMode: 'sequential' },
        { agentId: 'c', taskDescription: 'x', executionMode: 'parallel' },
      ],
    });
    expect(run.status).toBe('succeeded');
    expect(gate.timedOut).toBe(false); // a and b were in flight together
    expect(overlaps).toContainEqual(['a', 'b']);
    for (const set of overlaps) if (set.includes('solo')) expect(set).toEqual(['solo']);
  });

  it('passes the outputs of dependencies into the dependent task prompt', async () => {
    const model = scripted({ text: (agent) => (agent === 'research' ? 'FINDING-42: demand is rising' : `${agent} answer`) });
    const orchestrator = orchestratorWith(model);
    const run = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'research', taskDescription: 'Research' },
        { agentId: 'synthesis', taskDescription: 'Synthesize', dependencies: ['research'] },
      ],
    });
    expect(run.status).toBe('succeeded');
    const acting = requestsOf(model, 'synthesis').find((request) => !isReflection(request));
    expect(acting && promptOf(acting)).toContain('## research\nFINDING-42: demand is rising');
    const upstream = requestsOf(model, 'research')[0];
    expect(upstream && promptOf(upstream)).not.toContain('FINDING-42');
  });

  it('starts a task only after its dependencies have settled', async () => {
    const model = scripted();
    const orchestrator = orchestratorWith(model, { maxParallelAgents: 5 });
    const finished = new Set<string>();
    const violations: string[] = [];
    const tasks: SubAgentTaskSpec[] = [
      { agentId: 'a', taskDescription: 'x' },
      { agentId: 'b', taskDescription: 'x', dependencies: ['a'] },
      { agentId: 'c', taskDescription: 'x', dependencies: ['a'] },
      { agentId: 'd', taskDescription: 'x', dependencies: ['b', 'c'] },
    ];
    orchestrator.events.on('task.finished', (event) => finished.add(event.agentId));
    orchestrator.events.on('task.started', (event) => {
      const task = tasks.find((t) => t.agentId === event.agentId);
      for (const dependency of task?.dependencies ?? []) if (!finished.has(dependency)) violations.push(event.agentId);
    });
    const run = await orchestrator.executeWorkflow({ tasks });
    expect(run.status).toBe('succeeded');
    expect(violations).toEqual([]);
    expect(finished.size).toBe(4);
  });
});

describe('requireAllDependencies', () => {
  it('true needs every dependency to succeed; false needs one once all have settled', async () => {
    const model = scripted({
      intercept: (agent) => (agent === 'broken' ? new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', 'bad request') : undefined),
    });
    const orchestrator = orchestratorWith(model);
    const run = await orchestrator.executeWorkflow({
      continueOnFailure: true,
      tasks: [
        { agentId: 'ok', taskDescription: 'x' },
        { agentId: 'broken', taskDescription: 'x' },
        { agentId: 'needs_all', taskDescription: 'x', dependencies: ['ok', 'broken'] },
        { agentId: 'needs_one', taskDescription: 'x', dependencies: ['ok', 'broken'], requireAllDependencies: false },
        { agentId: 'only_broken', taskDescription: 'x', dependencies: ['broken'], requireAllDependencies: false },
      ],
    });
    expect(run.results.broken?.status).toBe('failed');
    expect(run.results.needs_all?.status).toBe('skipped');
    expect(run.results.needs_all?.reason).toMatch(/not every dependency succeeded/);
    expect(run.results.needs_one?.status).toBe('succeeded');
    expect(run.results.only_broken?.status).toBe('skipped');
    expect(requestsOf(model, 'needs_all')).toHaveLength(0);
    expect(run.status).toBe('partial');
  });
});

describe('requireAllDependencies: false waits for every dependency to settle', () => {
  it('does not start when the first dependency succeeds while another is still running', async () => {
    let releaseSlow: () => void = () => undefined;
    const slowHeld = new Promise<void>((resolve) => (releaseSlow = resolve));
    const model = scripted({
      intercept: (agent, request) => (agent === 'slow' && !isReflection(request) ? slowHeld.then(() => ({ text: 'slow done' })) : undefined),
    });
    const orchestrator = orchestratorWith(model, { maxParallelAgents: 4 });
    const started: string[] = [];
    orchestrator.events.on('task.started', (event) => started.push(event.agentId));
    orchestrator.events.on('task.finished', (event) => {
      // Once the fast dependency is done, give the scheduler every chance to start the tolerant task early.
      if (event.agentId === 'fast') setTimeout(releaseSlow, 20);
    });
    const run = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'fast', taskDescription: 'x' },
        { agentId: 'slow', taskDescription: 'x' },
        { agentId: 'tolerant', taskDescription: 'x', dependencies: ['fast', 'slow'], requireAllDependencies: false },
      ],
    });
    expect(run.results.tolerant?.status).toBe('succeeded');
    expect(started.indexOf('tolerant')).toBeGreaterThan(started.indexOf('slow'));
    const tolerantStart = run.results.tolerant?.startedAt ?? 0;
    expect(tolerantStart).toBeGreaterThanOrEqual(run.results.slow?.finishedAt ?? Infinity);
  });
});

describe('condition', () => {
  const reviewWorkflow = (): SubAgentTaskSpec[] => [
    { agentId: 'strategy_synthesizer', taskDescription: 'Synthesize' },
    {
      agentId: 'senior_reviewer',
      taskDescription: 'Review and refine strategy',
      dependencies: ['strategy_synthesizer'],
      condition: (results) => (results.strategy_synthesizer?.confidence ?? 0) < 0.9,
    },
  ];

  it('skips the task when the condition is false (seed: confidence < 0.9 with 0.95)', async () => {
    const model = scripted({ confidence: () => 0.95 });
    const run = await orchestratorWith(model).executeWorkflow({ tasks: reviewWorkflow() });
    expect(run.results.strategy_synthesizer?.confidence).toBe(0.95);
    expect(run.results.senior_reviewer?.status).toBe('skipped');
    expect(run.results.senior_reviewer?.reason).toBe('its condition was false');
    expect(requestsOf(model, 'senior_reviewer')).toHaveLength(0);
    expect(run.status).toBe('succeeded');
  });

  it('runs the task when the condition is true (confidence 0.6)', async () => {
    const model = scripted({ confidence: () => 0.6 });
    const run = await orchestratorWith(model).executeWorkflow({ tasks: reviewWorkflow() });
    expect(run.results.senior_reviewer?.status).toBe('succeeded');
    expect(requestsOf(model, 'senior_reviewer').length).toBeGreaterThan(0);
  });

  it('fails the task whose condition throws, with the error', async () => {
    const model = scripted();
    const run = await orchestratorWith(model).executeWorkflow({
      continueOnFailure: true,
      tasks: [
        {
          agentId: 'a',
          taskDescription: 'x',
          condition: () => {
            throw new Error('boom in condition');
          },
        },
      ],
    });
    expect(run.results.a?.status).toBe('failed');
    expect(run.results.a?.error?.message).toBe('boom in condition');
  });
});

describe('the workflow result', () => {
  it('has workflowId, status, results with their fields, durationSeconds, totalCostCents and usage', async () => {
    const model = scripted();
    const orchestrator = orchestratorWith(model);
    const calls: TroupeEvent<'model.call.finished'>[] = [];
    orchestrator.events.on('model.call.finished', (event) => calls.push(event));
    const run = await orchestrator.executeWorkflow({
      workflowId: 'wf_given',
      tasks: [
        { agentId: 'a', taskDescription: 'x' },
        { agentId: 'b', taskDescription: 'y', dependencies: ['a'] },
      ],
    });
    expect(run.workflowId).toBe('wf_given');
    expect(run.status).toBe('succeeded');
    for (const agentId of ['a', 'b']) {
      const result = run.results[agentId];
      expect(result).toMatchObject({ agentId, status: 'succeeded', output: `${agentId} answer`, confidence: 0.8, attempts: 1 });
      expect(result?.costCents).toBeGreaterThan(0);
      expect(result?.startedAt).toBeTypeOf('number');
      expect(result?.finishedAt).toBeGreaterThanOrEqual(result?.startedAt ?? Infinity);
      expect(result?.durationSeconds).toBeGreaterThanOrEqual(0);
    }
    const spent = calls.reduce((sum, call) => sum + call.costCents, 0);
    expect(run.totalCostCents).toBeCloseTo(spent, 10);
    expect(run.usage.outputTokens).toBe(calls.reduce((sum, call) => sum + call.usage.outputTokens, 0));
    expect(run.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(run.thinkingTraces).toEqual({});
    const generated = await orchestrator.executeWorkflow({ tasks: [{ agentId: 'c', taskDescription: 'x' }] });
    expect(generated.workflowId).toMatch(/^wf_/);
  });

  it('generateSummary asks the model for a summary, whose cost is in totalCostCents', async () => {
    const model = scripted({
      intercept: (_agent, request) =>
        systemText(request.system).includes('executive summaries') ? { text: 'EXECUTIVE SUMMARY: all good' } : undefined,
    });
    const orchestrator = orchestratorWith(model);
    let summaryCost = 0;
    orchestrator.events.on('model.call.finished', (event) => {
      if (event.purpose === 'summary') summaryCost += event.costCents;
    });
    const run = await orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'x' }], generateSummary: true });
    expect(run.summary).toBe('EXECUTIVE SUMMARY: all good');
    expect(summaryCost).toBeGreaterThan(0);
    expect(run.totalCostCents).toBeCloseTo((run.results.a?.costCents ?? 0) + summaryCost, 10);
    const summaryRequest = model.requests.find((request) => systemText(request.system).includes('executive summaries'));
    expect(summaryRequest && promptOf(summaryRequest)).toContain('a: succeeded');
  });

  it('without generateSummary the summary is a deterministic digest and the model is not asked', async () => {
    const model = scripted();
    const orchestrator = orchestratorWith(model);
    const tasks: SubAgentTaskSpec[] = [
      { agentId: 'a', taskDescription: 'x' },
      { agentId: 'b', taskDescription: 'x', dependencies: ['a'] },
    ];
    const first = await orchestrator.executeWorkflow({ tasks });
    const second = await orchestrator.executeWorkflow({ tasks });
    expect(first.summary).toBe(second.summary);
    expect(first.summary).toContain('Workflow succeeded: 2 succeeded.');
    expect(first.summary).toContain('- a: succeeded, confidence 0.80: a answer');
    expect(model.requests.some((request) => systemText(request.system).includes('executive summaries'))).toBe(false);
    expect(model.requests).toHaveLength(8);
  });

  it('collectThinkingTraces puts each task thinking in thinkingTraces; off, it stays empty', async () => {
    const model = scripted({
      intercept: (agent, request) => (request.thinkingBudgetTokens !== undefined ? { text: '', thinking: `${agent} pondered` } : undefined),
    });
    const orchestrator = orchestratorWith(model, { enableThinkingAgents: true });
    const tasks: SubAgentTaskSpec[] = [
      { agentId: 'a', taskDescription: 'x' },
      { agentId: 'b', taskDescription: 'x' },
    ];
    const withTraces = await orchestrator.executeWorkflow({ tasks, collectThinkingTraces: true });
    expect(withTraces.thinkingTraces).toEqual({ a: 'a pondered', b: 'b pondered' });
    const without = await orchestrator.executeWorkflow({ tasks });
    expect(without.thinkingTraces).toEqual({});
  });

  it('executeTasks runs independent tasks and returns each result by agentId', async () => {
    const model = scripted();
    const results = await orchestratorWith(model).executeTasks([
      { agentId: 'x', taskDescription: 'one' },
      { agentId: 'y', taskDescription: 'two' },
    ]);
    expect(Object.keys(results).sort()).toEqual(['x', 'y']);
    expect(results.x?.output).toBe('x answer');
  });
});

describe('validation', () => {
  it('surfaces WorkflowValidationError before any model call', async () => {
    const model = scripted();
    const orchestrator = orchestratorWith(model);
    const invalid: SubAgentTaskSpec[][] = [
      [],
      [
        { agentId: 'a', taskDescription: 'x', dependencies: ['b'] },
        { agentId: 'b', taskDescription: 'x', dependencies: ['a'] },
      ],
      [{ agentId: 'a', taskDescription: 'x', dependencies: ['nobody'] }],
      [{ agentId: 'a', taskDescription: 'x', fallbackAgent: 'a' }],
    ];
    for (const tasks of invalid) {
      await expect(orchestrator.executeWorkflow({ tasks })).rejects.toBeInstanceOf(WorkflowValidationError);
    }
    await expect(orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'x' }], maxParallelAgents: 0 })).rejects.toBeInstanceOf(
      WorkflowValidationError,
    );
    expect(model.requests).toHaveLength(0);
  });
});
