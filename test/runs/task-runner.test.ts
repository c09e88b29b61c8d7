/**
 * A workflow task's route to its result, option by option: the agent it runs
 * on, fallback agents, alternative paths, retries with backoff and the
 * attempt deadline. Every test would fail if the option it names were ignored.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Orchestrator, ProviderError, retryDelayMs } from '../../src/index.js';
import type { ModelRequest, OrchestratorConfig, SubAgentTaskSpec, TroupeEvent } from '../../src/index.js';
import { systemText } from '../../src/index.js';
import type { ScriptedProvider, ScriptedStep } from '../../src/testing.js';
import { agentOf, isReflection, promptOf } from '../support/requests.js';
import { trackedForEachTest } from '../support/tracked.js';
import { RUN_TEST_CONFIG, scripted } from '../support/scripted-runs.js';
import type { Script } from '../support/scripted-runs.js';

const tracked = trackedForEachTest();
function orchestratorWith(provider: ScriptedProvider, config: OrchestratorConfig = {}): Orchestrator {
  return tracked.orchestrator({ ...RUN_TEST_CONFIG, ...config, provider });
}

afterEach(() => {
  vi.useRealTimers();
});

const requestsOf = (provider: ScriptedProvider, agent: string) => provider.requests.filter((r) => agentOf(r) === agent);

describe('agents for tasks', () => {
  it('a task whose agentId names a template runs on an agent spawned from it, stopped afterwards', async () => {
    const model = scripted();
    const orchestrator = orchestratorWith(model);
    orchestrator.registerTemplate('researcher', { systemPrompt: 'You are researcher, TEMPLATE PROMPT', temperature: 0.3 });
    const run = await orchestrator.executeWorkflow({ tasks: [{ agentId: 'researcher', taskDescription: 'Find sources' }] });
    expect(run.status).toBe('succeeded');
    expect(systemText(model.requests[0]?.system)).toContain('TEMPLATE PROMPT');
    expect(model.requests[0]?.temperature).toBe(0.3);
    expect(orchestrator.listAgents()).toEqual([]);
  });

  it('a task naming a template field uses that template', async () => {
    const model = scripted();
    const orchestrator = orchestratorWith(model);
    orchestrator.registerTemplate('analyst', { systemPrompt: 'You are analyst_7, ANALYST TEMPLATE' });
    await orchestrator.executeWorkflow({ tasks: [{ agentId: 'analyst_7', template: 'analyst', taskDescription: 'x' }] });
    expect(systemText(model.requests[0]?.system)).toContain('ANALYST TEMPLATE');
  });
});

describe('fallbackAgent', () => {
  const failingPrimary: Script = {
    intercept: (agent) => (agent === 'primary' ? new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', 'cannot do it') : undefined),
    text: (agent) => `${agent} rescued it`,
  };

  it('runs the same task on the fallback agent when the task fails after its retries', async () => {
    const model = scripted(failingPrimary);
    const orchestrator = orchestratorWith(model);
    orchestrator.registerTemplate('expert_consultant', { systemPrompt: 'You are expert_consultant, a senior expert.' });
    const run = await orchestrator.executeWorkflow({
      tasks: [{ agentId: 'primary', taskDescription: 'Review the plan', fallbackAgent: 'expert_consultant' }],
    });
    const result = run.results.primary;
    expect(result?.status).toBe('succeeded');
    expect(result?.fallbackUsed).toBe('expert_consultant');
    expect(result?.output).toBe('expert_consultant rescued it');
    const fallbackActing = requestsOf(model, 'expert_consultant').find((r) => !isReflection(r));
    expect(fallbackActing && promptOf(fallbackActing)).toContain('Review the plan');
  });

  it('a fallbackAgent with no template is spawned from the orchestrator defaults and runs the task', async () => {
    const model = scripted(failingPrimary);
    const run = await orchestratorWith(model).executeWorkflow({
      tasks: [{ agentId: 'primary', taskDescription: 'Review the plan', fallbackAgent: 'expert_consultant' }],
    });
    const result = run.results.primary;
    expect(result?.status).toBe('succeeded');
    expect(result?.fallbackUsed).toBe('expert_consultant');
    expect(result?.output).toBe('expert_consultant rescued it');
    expect(result?.providers).toEqual(['scripted']);
  });

  it('without a fallback the same failure fails the task', async () => {
    const model = scripted(failingPrimary);
    const run = await orchestratorWith(model).executeWorkflow({
      tasks: [{ agentId: 'primary', taskDescription: 'Review the plan' }],
    });
    expect(run.results.primary?.status).toBe('failed');
    expect(run.results.primary?.fallbackUsed).toBeUndefined();
    expect(run.status).toBe('failed');
  });
});

describe('alternative paths', () => {
  const differentApproach = (request: ModelRequest) => promptOf(request).includes('Take a different approach');
  const task: SubAgentTaskSpec = {
    agentId: 'strategist',
    taskDescription: 'Recommend a strategy',
    confidenceThreshold: 0.8,
    alternativePathsAllowed: true,
  };

  it('under the threshold, tries an alternative and keeps the best, recording both', async () => {
    const model = scripted({
      text: (_agent, request) => (differentApproach(request) ? 'second approach' : 'first approach'),
      confidence: (_agent, request) => (differentApproach(request) ? 0.9 : 0.5),
    });
    const run = await orchestratorWith(model, { enableAlternativePaths: true }).executeWorkflow({ tasks: [task] });
    const result = run.results.strategist;
    expect(result?.output).toBe('second approach');
    expect(result?.confidence).toBe(0.9);
    expect(result?.attempts).toBe(2);
    expect(result?.alternatives.map((alternative) => [alternative.output, alternative.confidence])).toEqual([['first approach', 0.5]]);
  });

  it('keeps the first answer when the alternative is worse', async () => {
    const model = scripted({
      text: (_agent, request) => (differentApproach(request) ? 'second approach' : 'first approach'),
      confidence: (_agent, request) => (differentApproach(request) ? 0.3 : 0.5),
    });
    const run = await orchestratorWith(model, { enableAlternativePaths: true }).executeWorkflow({ tasks: [task] });
    expect(run.results.strategist?.output).toBe('first approach');
    expect(run.results.strategist?.alternatives.map((alternative) => alternative.output)).toEqual(['second approach']);
  });

  it('runs nothing extra when enableAlternativePaths is off, or the task does not allow it, or confidence is high', async () => {
    const cases: [OrchestratorConfig, SubAgentTaskSpec, number][] = [
      [{ enableAlternativePaths: false }, task, 0.5],
      [{ enableAlternativePaths: true }, { ...task, alternativePathsAllowed: false }, 0.5],
      [{ enableAlternativePaths: true }, task, 0.85],
    ];
    for (const [config, spec, confidence] of cases) {
      const model = scripted({ confidence: () => confidence });
      const run = await orchestratorWith(model, config).executeWorkflow({ tasks: [spec] });
      expect(run.results.strategist?.attempts).toBe(1);
      expect(run.results.strategist?.alternatives).toEqual([]);
      expect(model.requests).toHaveLength(2); // acting + reflecting
    }
  });
});

describe('retries', () => {
  it('retries a retryable failure (retryFailedAgents) and reports each retry', async () => {
    let failures = 0;
    const model = scripted({
      intercept: (_agent, request) => {
        if (isReflection(request) || failures >= 2) return undefined;
        failures++;
        return new ProviderError('PROVIDER_OVERLOADED', 'scripted', 'busy');
      },
    });
    const orchestrator = orchestratorWith(model, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const retrying: TroupeEvent<'task.retrying'>[] = [];
    orchestrator.events.on('task.retrying', (event) => retrying.push(event));
    const run = await orchestrator.executeWorkflow({ tasks: [{ agentId: 'flaky', taskDescription: 'x' }] });
    expect(run.results.flaky?.status).toBe('succeeded');
    expect(run.results.flaky?.attempts).toBe(3);
    expect(retrying.map((event) => [event.attempt, event.error.code])).toEqual([
      [1, 'PROVIDER_OVERLOADED'],
      [2, 'PROVIDER_OVERLOADED'],
    ]);
  });

  it('gives up after retry.maxAttempts with the last error', async () => {
    const model = scripted({ intercept: () => new ProviderError('PROVIDER_OVERLOADED', 'scripted', 'busy') });
    const run = await orchestratorWith(model, { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 } }).executeWorkflow({
      tasks: [{ agentId: 'down', taskDescription: 'x' }],
    });
    expect(run.results.down?.attempts).toBe(4);
    expect(run.results.down?.error?.code).toBe('PROVIDER_OVERLOADED');
  });

  it('makes one attempt when retryFailedAgents is false', async () => {
    const model = scripted({ intercept: () => new ProviderError('PROVIDER_OVERLOADED', 'scripted', 'busy') });
    const run = await orchestratorWith(model, { retryFailedAgents: false }).executeWorkflow({
      tasks: [{ agentId: 'down', taskDescription: 'x' }],
    });
    expect(run.results.down?.status).toBe('failed');
    expect(run.results.down?.attempts).toBe(1);
    expect(model.requests).toHaveLength(1);
  });

  it('does not retry an error that is not retryable', async () => {
    const model = scripted({ intercept: () => new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', 'bad') });
    const run = await orchestratorWith(model).executeWorkflow({ tasks: [{ agentId: 'bad', taskDescription: 'x' }] });
    expect(run.results.bad?.attempts).toBe(1);
  });

  it('backs off exponentially with jitter', async () => {
    const model = scripted({ intercept: () => new ProviderError('PROVIDER_OVERLOADED', 'scripted', 'busy') });
    const orchestrator = orchestratorWith(model, { retry: { maxAttempts: 4, baseDelayMs: 4, maxDelayMs: 1000, jitter: 0.5 } });
    const delays: number[] = [];
    orchestrator.events.on('task.retrying', (event) => delays.push(event.delayMs));
    await orchestrator.executeWorkflow({ tasks: [{ agentId: 'down', taskDescription: 'x' }] });
    expect(delays).toHaveLength(3);
    delays.forEach((delay, i) => {
      const exponential = 4 * 2 ** i;
      expect(delay).toBeGreaterThanOrEqual(exponential * 0.5);
      expect(delay).toBeLessThanOrEqual(exponential * 1.5);
    });
    const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000, jitter: 0.2 };
    const error = { code: 'PROVIDER_OVERLOADED' as const, name: 'ProviderError', message: 'busy', retryable: true };
    expect(retryDelayMs(policy, 3, error, () => 0)).toBe(320);
    expect(retryDelayMs(policy, 3, error, () => 1)).toBe(480);
    expect(retryDelayMs({ ...policy, maxDelayMs: 150 }, 3, error, () => 0.5)).toBe(150);
  });

  it("waits at least the provider's retry-after", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const model = scripted({
      intercept: (_agent, request) => {
        if (isReflection(request)) return undefined;
        calls++;
        return calls === 1
          ? new ProviderError('PROVIDER_RATE_LIMITED', 'scripted', 'slow down', { retryAfterSeconds: 2 })
          : undefined;
      },
    });
    const orchestrator = orchestratorWith(model, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const retrying: TroupeEvent<'task.retrying'>[] = [];
    orchestrator.events.on('task.retrying', (event) => retrying.push(event));
    const running = orchestrator.executeWorkflow({ tasks: [{ agentId: 'limited', taskDescription: 'x' }] });
    await vi.advanceTimersByTimeAsync(1900);
    expect(retrying).toHaveLength(1);
    expect(retrying[0]?.delayMs).toBeGreaterThanOrEqual(2000);
    expect(calls).toBe(1); // still waiting
    await vi.advanceTimersByTimeAsync(200);
    const run = await running;
    expect(calls).toBe(2);
    expect(run.results.limited?.status).toBe('succeeded');
  });
});

describe('agentTimeoutSeconds', () => {
  it('fails an attempt that runs past the deadline with AGENT_TIMEOUT, aborting its call, and retries it', async () => {
    const signals: AbortSignal[] = [];
    const model = scripted({
      intercept: (_agent, request) => {
        if (request.signal) signals.push(request.signal);
        return new Promise<ScriptedStep>(() => undefined); // never answers
      },
    });
    const orchestrator = orchestratorWith(model, { agentTimeoutSeconds: 0.05, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const run = await orchestrator.executeWorkflow({ tasks: [{ agentId: 'slow', taskDescription: 'x' }] });
    expect(run.results.slow?.status).toBe('failed');
    expect(run.results.slow?.error?.code).toBe('AGENT_TIMEOUT');
    expect(run.results.slow?.attempts).toBe(2);
    expect(signals).toHaveLength(2);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });
});
