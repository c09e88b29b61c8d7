/**
 * How a workflow fails: continueOnFailure both ways, caller cancellation,
 * cost limits, and the run's status values.
 */
import { describe, expect, it } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { createWorkflowMachine } from '../../src/actors/workflow/index.js';
import type { WorkflowServices } from '../../src/actors/workflow/index.js';
import { normalizeTasks } from '../../src/actors/workflow/index.js';
import { Orchestrator, ProviderError } from '../../src/index.js';
import type { OrchestratorConfig, SubAgentTaskSpec, TaskResult, TroupeEvent } from '../../src/index.js';
import { EMPTY_USAGE } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedProvider, ScriptedStep } from '../../src/testing.js';
import { agentOf, isReflection } from '../support/requests.js';
import { trackedForEachTest } from '../support/tracked.js';
import { RUN_TEST_CONFIG } from '../support/scripted-runs.js';


const tracked = trackedForEachTest();
function orchestratorWith(provider: ScriptedProvider, config: OrchestratorConfig = {}): Orchestrator {
  return tracked.orchestrator({ ...RUN_TEST_CONFIG, ...config, provider });
}

/** A promise with its resolver outside. */
function deferred<T = void>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const forever = () => new Promise<ScriptedStep>(() => undefined);
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('continueOnFailure: false (the default)', () => {
  it('aborts the tasks in flight at the first failure and cancels every task that has not run', async () => {
    const slowStarted = deferred();
    const seen: { agent: string; signal: AbortSignal | undefined }[] = [];
    const model = createScriptedProvider({
      fallback: (request) => {
        const agent = agentOf(request);
        seen.push({ agent, signal: request.signal });
        if (agent === 'slow') {
          slowStarted.resolve();
          return forever();
        }
        if (agent === 'breaks') {
          return slowStarted.promise.then(() => new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', 'bad input'));
        }
        return isReflection(request) ? { structured: { confidence: 0.9, critique: '' } } : { text: `${agent} ok` };
      },
    });
    const orchestrator = orchestratorWith(model, { maxParallelAgents: 2 });
    const run = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'slow', taskDescription: 'x', priority: 'high' },
        { agentId: 'breaks', taskDescription: 'x', priority: 'high' },
        { agentId: 'queued', taskDescription: 'x' },
        { agentId: 'after_slow', taskDescription: 'x', dependencies: ['slow'] },
        { agentId: 'after_breaks', taskDescription: 'x', dependencies: ['breaks'], requireAllDependencies: false },
      ],
    });
    expect(run.status).toBe('failed');
    expect(run.results.breaks?.status).toBe('failed');
    expect(run.results.breaks?.error?.code).toBe('PROVIDER_BAD_REQUEST');
    expect(run.results.slow?.status).toBe('cancelled');
    expect(run.results.queued?.status).toBe('cancelled');
    expect(run.results.after_slow?.status).toBe('cancelled');
    expect(run.results.after_breaks?.status).toBe('cancelled');
    expect(seen.find((call) => call.agent === 'slow')?.signal?.aborted).toBe(true);
    expect(seen.map((call) => call.agent).sort()).toEqual(['breaks', 'slow']);
    await flush();
    expect(model.pending).toBe(0);
    expect(orchestrator.listAgents()).toEqual([]);
  });

  it('a task cancelled mid-run reports what it spent before the abort, and the run counts it', async () => {
    const slowReflecting = deferred();
    const model = createScriptedProvider({
      fallback: (request) => {
        const agent = agentOf(request);
        if (agent === 'slow' && isReflection(request)) {
          slowReflecting.resolve();
          return forever();
        }
        if (agent === 'breaks') {
          return slowReflecting.promise.then(() => new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', 'bad input'));
        }
        return { text: `${agent} answered`, usage: { ...EMPTY_USAGE, inputTokens: 1000, outputTokens: 500 } };
      },
    });
    const orchestrator = orchestratorWith(model, { maxParallelAgents: 2 });
    const charged: { agentId: string; costCents: number }[] = [];
    orchestrator.events.on('model.call.finished', ({ agentId, costCents }) => charged.push({ agentId, costCents }));
    const run = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'slow', taskDescription: 'x' },
        { agentId: 'breaks', taskDescription: 'x' },
      ],
    });
    expect(run.results.slow?.status).toBe('cancelled');
    // One finished acting call (1,000 input and 500 output tokens), then the abort.
    const slowCharges = charged.filter((call) => call.agentId === 'slow');
    expect(slowCharges).toHaveLength(1);
    expect(slowCharges[0]?.costCents).toBeGreaterThan(0);
    expect(run.results.slow?.costCents).toBeCloseTo(slowCharges[0]?.costCents ?? 0, 10);
    expect(run.results.slow?.usage.outputTokens).toBe(500);
    expect(run.results.slow?.attempts).toBe(1);
    expect(run.totalCostCents).toBeCloseTo(charged.reduce((sum, call) => sum + call.costCents, 0), 10);
  });

  it('a budget-exceeded task stops the run like a failure', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'ok' }) });
    const orchestrator = orchestratorWith(model, { totalCostLimitCents: 0.001, maxParallelAgents: 1 });
    const run = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'a', taskDescription: 'x' },
        { agentId: 'b', taskDescription: 'x' },
      ],
    });
    expect(run.results.a?.status).toBe('budget_exceeded');
    expect(run.results.b?.status).toBe('cancelled');
    expect(run.status).toBe('failed');
  });
});

describe('continueOnFailure: true', () => {
  it('skips the dependents of a failed task, unless they do not require all dependencies, and runs the rest', async () => {
    const model = createScriptedProvider({
      fallback: (request) => {
        const agent = agentOf(request);
        if (agent === 'breaks') return new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', 'bad input');
        return isReflection(request) ? { structured: { confidence: 0.9, critique: '' } } : { text: `${agent} ok` };
      },
    });
    const run = await orchestratorWith(model).executeWorkflow({
      continueOnFailure: true,
      tasks: [
        { agentId: 'breaks', taskDescription: 'x' },
        { agentId: 'fine', taskDescription: 'x' },
        { agentId: 'dependent', taskDescription: 'x', dependencies: ['breaks'] },
        { agentId: 'grandchild', taskDescription: 'x', dependencies: ['dependent'] },
        { agentId: 'tolerant', taskDescription: 'x', dependencies: ['breaks', 'fine'], requireAllDependencies: false },
        { agentId: 'independent', taskDescription: 'x', dependencies: ['fine'] },
      ],
    });
    expect(run.status).toBe('partial');
    expect(run.results.breaks?.status).toBe('failed');
    expect(run.results.dependent?.status).toBe('skipped');
    expect(run.results.grandchild?.status).toBe('skipped');
    expect(run.results.tolerant?.status).toBe('succeeded');
    expect(run.results.independent?.status).toBe('succeeded');
  });

  it('is failed when nothing succeeded', async () => {
    const model = createScriptedProvider({ fallback: () => new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', 'no') });
    const run = await orchestratorWith(model).executeWorkflow({
      continueOnFailure: true,
      tasks: [
        { agentId: 'a', taskDescription: 'x' },
        { agentId: 'b', taskDescription: 'x' },
      ],
    });
    expect(run.status).toBe('failed');
  });
});

describe('caller cancellation', () => {
  it('aborts the model calls in flight and ends every unfinished task cancelled', async () => {
    const inFlight = deferred();
    const signals: AbortSignal[] = [];
    const model = createScriptedProvider({
      fallback: (request) => {
        if (agentOf(request) === 'quick') {
          return isReflection(request) ? { structured: { confidence: 0.9, critique: '' } } : { text: 'quick ok' };
        }
        if (request.signal) signals.push(request.signal);
        inFlight.resolve();
        return forever();
      },
    });
    const orchestrator = orchestratorWith(model, { maxParallelAgents: 2 });
    const controller = new AbortController();
    const finished: string[] = [];
    orchestrator.events.on('task.finished', (event) => finished.push(`${event.agentId}:${event.result.status}`));
    const running = orchestrator.executeWorkflow({
      signal: controller.signal,
      continueOnFailure: true,
      tasks: [
        { agentId: 'quick', taskDescription: 'x', priority: 'high' },
        { agentId: 'stuck', taskDescription: 'x' },
        { agentId: 'later', taskDescription: 'x', dependencies: ['stuck'] },
        { agentId: 'waiting', taskDescription: 'x', priority: 'low' },
      ],
    });
    await inFlight.promise;
    controller.abort();
    const run = await running;
    expect(run.status).toBe('cancelled');
    expect(run.results.stuck?.status).toBe('cancelled');
    expect(run.results.later?.status).toBe('cancelled');
    expect(run.results.waiting?.status).toBe('cancelled');
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(finished).toContain('stuck:cancelled');
    await flush();
    expect(model.pending).toBe(0);
  });

  it('a signal aborted before the run starts cancels every task without calling the model', async () => {
    const model = createScriptedProvider({ fallback: () => ({ text: 'ok' }) });
    const orchestrator = orchestratorWith(model);
    const controller = new AbortController();
    controller.abort();
    const run = await orchestrator.executeWorkflow({
      signal: controller.signal,
      tasks: [
        { agentId: 'a', taskDescription: 'x' },
        { agentId: 'b', taskDescription: 'x', dependencies: ['a'] },
      ],
    });
    expect(run.status).toBe('cancelled');
    expect(Object.values(run.results).map((result) => result.status)).toEqual(['cancelled', 'cancelled']);
    await flush();
    expect(model.requests).toHaveLength(0);
    expect(orchestrator.listAgents()).toEqual([]);
  });
});

describe('shutdown during a run', () => {
  it('ends the run cancelled, with its model calls aborted', async () => {
    const signals: AbortSignal[] = [];
    const started = deferred();
    const model = createScriptedProvider({
      fallback: (request) => {
        if (request.signal) signals.push(request.signal);
        started.resolve();
        return forever();
      },
    });
    const orchestrator = new Orchestrator({ enableThinkingAgents: false, provider: model });
    const running = orchestrator.executeWorkflow({
      generateSummary: true,
      tasks: [
        { agentId: 'a', taskDescription: 'x' },
        { agentId: 'b', taskDescription: 'x', dependencies: ['a'] },
      ],
    });
    await started.promise;
    await orchestrator.shutdown();
    const run = await running;
    expect(run.status).toBe('cancelled');
    expect(run.results.a?.status).toBe('cancelled');
    expect(run.results.b?.status).toBe('cancelled');
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(model.requests).toHaveLength(1); // no summary call after shutdown
  });
});

describe('agents of cancelled tasks', () => {
  it('are stopped when the run is cancelled while a task waits to retry', async () => {
    const failed = deferred();
    const model = createScriptedProvider({
      fallback: () => {
        failed.resolve();
        return new ProviderError('PROVIDER_RATE_LIMITED', 'scripted', 'slow down', { retryAfterSeconds: 60 });
      },
    });
    const orchestrator = orchestratorWith(model);
    const controller = new AbortController();
    const retrying = deferred();
    orchestrator.events.on('task.retrying', () => retrying.resolve());
    const running = orchestrator.executeWorkflow({ signal: controller.signal, tasks: [{ agentId: 'waits', taskDescription: 'x' }] });
    await failed.promise;
    await retrying.promise;
    controller.abort();
    const run = await running;
    expect(run.results.waits?.status).toBe('cancelled');
    await flush();
    expect(orchestrator.listAgents()).toEqual([]);
    expect(model.requests).toHaveLength(1);
  });
});

describe('cost limits', () => {
  it('ends tasks budget_exceeded and never spends past totalCostLimitCents', async () => {
    const limit = 2;
    // 150 output tokens at the default model's $15/MTok: 0.225¢ a call, so a few calls fit.
    const model = createScriptedProvider({
      fallback: (request) =>
        isReflection(request)
          ? { structured: { confidence: 0.9, critique: '' }, usage: { ...EMPTY_USAGE, inputTokens: 40, outputTokens: 150 } }
          : { text: 'answer', usage: { ...EMPTY_USAGE, inputTokens: 40, outputTokens: 150 } },
    });
    const orchestrator = orchestratorWith(model, { totalCostLimitCents: limit, maxTokens: 200, maxParallelAgents: 3 });
    const exceeded: TroupeEvent<'budget.exceeded'>[] = [];
    orchestrator.events.on('budget.exceeded', (event) => exceeded.push(event));
    const tasks: SubAgentTaskSpec[] = Array.from({ length: 8 }, (_, i) => ({ agentId: `t${i}`, taskDescription: 'work' }));
    const run = await orchestrator.executeWorkflow({ tasks, continueOnFailure: true });
    const statuses = Object.values(run.results).map((result) => result.status);
    expect(statuses).toContain('succeeded');
    expect(statuses).toContain('budget_exceeded');
    const budget = orchestrator.budget.snapshot();
    expect(budget.totalSpentCents).toBeLessThanOrEqual(limit);
    expect(budget.overruns.count).toBe(0);
    expect(run.totalCostCents).toBeCloseTo(budget.totalSpentCents, 10);
    const failed = Object.values(run.results).find((result) => result.status === 'budget_exceeded');
    expect(failed?.error?.code).toBe('BUDGET_EXCEEDED');
    expect(failed?.attempts).toBe(1); // not retried
  });
});

describe('a task runner that breaks its contract', () => {
  /** Runs the workflow actor alone on `runTask`; `a` and `b` are roots, `c` depends on `a`. */
  async function runWith(runTask: WorkflowServices['runTask'], continueOnFailure: boolean) {
    const machine = createWorkflowMachine({ runTask, evaluateCondition: () => true, now: Date.now });
    const tasks = normalizeTasks(
      [
        { agentId: 'a', taskDescription: 'x' },
        { agentId: 'b', taskDescription: 'x' },
        { agentId: 'c', taskDescription: 'x', dependencies: ['a'] },
      ],
      { knownTemplates: new Set() },
    );
    const actor = createActor(machine, { input: { workflowId: 'wf', tasks, maxParallel: 1, continueOnFailure } }).start();
    actor.send({ type: 'workflow.start' });
    return toPromise(actor);
  }
  const succeeded = (agentId: string): TaskResult => ({
    agentId,
    status: 'succeeded',
    output: 'ok',
    confidence: 1,
    attempts: 1,
    costCents: 0,
    usage: EMPTY_USAGE,
    startedAt: 0,
    finishedAt: 0,
    durationSeconds: 0,
    alternatives: [],
    simulated: false,
  });

  it('a runner that throws fails the task with its error and, continueOnFailure off, cancels the rest', async () => {
    const output = await runWith(async ({ task }) => {
      if (task.agentId === 'a') throw new Error('runner bug');
      return succeeded(task.agentId);
    }, false);
    expect(output.status).toBe('failed');
    expect(output.results.a).toMatchObject({ status: 'failed', reason: 'the task runner threw', error: { message: 'runner bug' } });
    expect(output.results.b?.status).toBe('cancelled');
    expect(output.results.c).toMatchObject({ status: 'cancelled', reason: 'task "a" failed' });
  });

  it('continueOnFailure on, a task whose runner threw only skips its dependents', async () => {
    const output = await runWith(async ({ task }) => {
      if (task.agentId === 'a') throw new Error('runner bug');
      return succeeded(task.agentId);
    }, true);
    expect(output.status).toBe('partial');
    expect(output.results.a).toMatchObject({ status: 'failed', reason: 'the task runner threw' });
    expect(output.results.b?.status).toBe('succeeded');
    expect(output.results.c?.status).toBe('skipped');
  });
});
