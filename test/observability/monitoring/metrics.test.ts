import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../../src/index.js';
import { ConfigError } from '../../../src/index.js';
import { EMPTY_USAGE } from '../../../src/index.js';
import type { TokenUsage } from '../../../src/index.js';
import type { TaskResult, TaskStatus } from '../../../src/index.js';
import { createScriptedProvider } from '../../../src/testing.js';
import type { TroupeEvent } from '../../../src/index.js';
import { MetricsCollector } from '../../../src/index.js';

function task(agentId: string, status: TaskStatus, fields: Partial<TaskResult> = {}): TaskResult {
  const ran = status === 'succeeded' || status === 'failed' || status === 'budget_exceeded';
  return {
    agentId,
    status,
    output: status === 'succeeded' ? 'ok' : null,
    confidence: null,
    attempts: ran ? 1 : 0,
    costCents: 0,
    usage: EMPTY_USAGE,
    startedAt: ran ? 1_000 : null,
    finishedAt: ran ? 2_000 : null,
    durationSeconds: 0,
    alternatives: [],
    simulated: false,
    ...fields,
  };
}

function finished(workflowId: string, result: TaskResult): TroupeEvent {
  return { type: 'task.finished', workflowId, agentId: result.agentId, result };
}

function call(agentId: string, costCents: number, usage: Partial<TokenUsage>, workflowId?: string, replayed = false): TroupeEvent {
  return {
    type: 'model.call.finished',
    callId: `c_${agentId}_${costCents}`,
    agentId,
    purpose: 'acting',
    provider: 'scripted',
    model: 'claude-3-5-haiku',
    ...(workflowId === undefined ? {} : { workflowId }),
    usage: { ...EMPTY_USAGE, ...usage },
    costCents,
    durationMs: 5,
    simulated: false,
    replayed,
  };
}

/** A scripted run: two workflows, four agents, every status, model calls with costs and tokens. */
const RUN: readonly TroupeEvent[] = [
  { type: 'agent.spawned', agentId: 'researcher', template: 'default', role: 'default' },
  { type: 'agent.spawned', agentId: 'writer', template: 'default', role: 'default' },
  { type: 'agent.spawned', agentId: 'critic', template: 'default', role: 'default' },
  { type: 'workflow.started', workflowId: 'wf_a', taskCount: 3, at: 0 },
  call('researcher', 0.3, { inputTokens: 100, outputTokens: 20 }, 'wf_a'),
  call('researcher', 0.1, { inputTokens: 50, outputTokens: 10, thinkingTokens: 7 }, 'wf_a'),
  finished('wf_a', task('researcher', 'succeeded', { durationSeconds: 1.5, costCents: 0.4, confidence: 0.9 })),
  call('writer', 0.25, { inputTokens: 80, outputTokens: 40, cacheReadTokens: 30 }, 'wf_a'),
  { type: 'model.call.failed', callId: 'x1', agentId: 'writer', purpose: 'acting', provider: 'scripted', model: 'm', workflowId: 'wf_a', error: { name: 'ProviderError', code: 'UNKNOWN', message: 'boom', retryable: true }, durationMs: 3 },
  finished('wf_a', task('writer', 'failed', { durationSeconds: 2.25, costCents: 0.25 })),
  finished('wf_a', task('critic', 'skipped')),
  { type: 'agent.stopped', agentId: 'researcher' },
  { type: 'workflow.started', workflowId: 'wf_b', taskCount: 2, at: 10 },
  call('critic', 0.05, { inputTokens: 10, outputTokens: 5 }, 'wf_b'),
  finished('wf_b', task('critic', 'succeeded', { durationSeconds: 0.75, costCents: 0.05, confidence: 0.35 })),
  finished('wf_b', task('writer', 'succeeded', { durationSeconds: 3, costCents: 0, confidence: 1 })),
  call('orchestrator', 0.02, { inputTokens: 4, outputTokens: 2 }, 'wf_b'),
  call('critic', 9, { inputTokens: 999, outputTokens: 999 }, 'wf_b', true), // replayed: no money, no tokens
  { type: 'agent.crashed', agentId: 'critic', error: { name: 'Error', code: 'AGENT_FAILED', message: 'x', retryable: false } },
  { type: 'workflow.finished', workflowId: 'wf_a', result: { workflowId: 'wf_a', status: 'partial', results: {}, summary: '', durationSeconds: 4, totalCostCents: 0.65, thinkingTraces: {}, usage: EMPTY_USAGE, simulated: false } },
];

function collect(metrics?: readonly string[]): MetricsCollector {
  const collector = new MetricsCollector(metrics);
  for (const event of RUN) collector.observe(event);
  return collector;
}

describe('metrics from a scripted run', () => {
  it('reports the hand-computed overall figures exactly', () => {
    const metrics = collect().snapshot();
    // 5 tasks settled: 3 succeeded, 1 failed, 1 skipped; 4 ran.
    expect(metrics.tasks).toEqual({ total: 5, ran: 4, succeeded: 3, failed: 1, budgetExceeded: 0, skipped: 1, cancelled: 0 });
    expect(metrics.successRate).toBe(3 / 4);
    expect(metrics.errorRate).toBe(1 / 4);
    // durations 1.5 + 2.25 + 0.75 + 3 = 7.5 s over 4 tasks
    expect(metrics.avgDuration).toBe(7.5 / 4);
    expect(metrics.maxDuration).toBe(3);
    // calls (replayed excluded): 0.3 + 0.1 + 0.25 + 0.05 + 0.02 = 0.72¢
    expect(metrics.totalCostCents).toBe(0.72);
    expect(metrics.totalCost).toBe(0.0072);
    // tasks' own costs 0.4 + 0.25 + 0.05 + 0 = 0.7¢ over 4 tasks, in dollars
    expect(metrics.avgCostPerTask).toBe(0.007 / 4);
    expect(metrics.tokenUsage).toEqual({
      inputTokens: 244,
      outputTokens: 77,
      thinkingTokens: 7,
      cacheReadTokens: 30,
      cacheWriteTokens: 0,
      totalTokens: 328,
    });
    expect(metrics.modelCalls).toEqual({ total: 6, failed: 1, errorRate: 1 / 6 });
    expect(metrics.confidence).toEqual({
      count: 3,
      mean: (0.9 + 0.35 + 1) / 3,
      min: 0.35,
      max: 1,
      distribution: {
        '0.0-0.1': 0,
        '0.1-0.2': 0,
        '0.2-0.3': 0,
        '0.3-0.4': 1,
        '0.4-0.5': 0,
        '0.5-0.6': 0,
        '0.6-0.7': 0,
        '0.7-0.8': 0,
        '0.8-0.9': 0,
        '0.9-1.0': 2,
      },
    });
    expect(metrics.agents).toEqual({ spawned: 3, stopped: 1, crashed: 1, live: 1 });
    expect(metrics.workflows).toEqual({ started: 2, finished: 1 });
  });

  it('breaks the figures down per agent', () => {
    const { perAgent } = collect().snapshot();
    expect(Object.keys(perAgent).sort()).toEqual(['critic', 'orchestrator', 'researcher', 'writer']);
    const writer = perAgent.writer;
    expect(writer?.tasks).toMatchObject({ total: 2, ran: 2, succeeded: 1, failed: 1 });
    expect(writer?.successRate).toBe(0.5);
    expect(writer?.avgDuration).toBe(5.25 / 2);
    expect(writer?.totalCostCents).toBe(0.25);
    expect(writer?.modelCalls).toEqual({ total: 2, failed: 1, errorRate: 0.5 });
    expect(writer?.confidence?.mean).toBe(1);
    const critic = perAgent.critic;
    expect(critic?.tasks).toMatchObject({ total: 2, ran: 1, skipped: 1 });
    expect(critic?.totalCostCents).toBe(0.05);
    expect(critic?.confidence?.min).toBe(0.35);
    expect(perAgent.orchestrator?.tasks.total).toBe(0);
    expect(perAgent.orchestrator?.successRate).toBeNull();
    expect(perAgent.orchestrator?.avgDuration).toBeNull();
    expect(perAgent.orchestrator?.totalCostCents).toBe(0.02);
  });

  it('breaks the figures down per workflow, with status and wall time', () => {
    const { perWorkflow } = collect().snapshot();
    expect(perWorkflow.wf_a).toMatchObject({ status: 'partial', taskCount: 3, durationSeconds: 4, successRate: 0.5 });
    expect(perWorkflow.wf_a?.totalCostCents).toBe(0.65);
    expect(perWorkflow.wf_a?.tasks).toMatchObject({ total: 3, succeeded: 1, failed: 1, skipped: 1 });
    expect(perWorkflow.wf_b).toMatchObject({ status: 'running', taskCount: 2, durationSeconds: null, successRate: 1 });
    expect(perWorkflow.wf_b?.totalCostCents).toBe(0.07);
    expect(perWorkflow.wf_b?.avgDuration).toBe(3.75 / 2);
  });

  it('leaves out what was not selected, rather than reporting zero', () => {
    const metrics = collect(['cost']).snapshot();
    expect(metrics.collected).toEqual(['cost']);
    expect(metrics.totalCost).toBe(0.0072);
    expect(metrics).not.toHaveProperty('avgDuration');
    expect(metrics).not.toHaveProperty('errorRate');
    expect(metrics).not.toHaveProperty('tokenUsage');
    expect(metrics).not.toHaveProperty('confidence');
    expect(metrics.perAgent.writer).not.toHaveProperty('avgDuration');
    expect(metrics.perWorkflow.wf_a).not.toHaveProperty('durationSeconds');
    // Counts and the success rate are always there.
    expect(metrics.successRate).toBe(0.75);
  });

  it('gives null, not zero or NaN, for averages over nothing', () => {
    const metrics = new MetricsCollector().snapshot();
    expect(metrics.successRate).toBeNull();
    expect(metrics.avgDuration).toBeNull();
    expect(metrics.errorRate).toBeNull();
    expect(metrics.avgCostPerTask).toBeNull();
    expect(metrics.confidence?.mean).toBeNull();
    expect(metrics.totalCost).toBe(0);
  });

  it('sums money exactly whatever the order (10,000 calls of 0.0001¢ make 1¢)', () => {
    const collector = new MetricsCollector(['cost']);
    for (let i = 0; i < 10_000; i++) collector.observe(call('a', 0.0001, {}));
    expect(collector.snapshot().totalCostCents).toBe(1);
    expect(collector.snapshot().totalCost).toBe(0.01);
  });

  it('lists only workflows whose start or end it saw: a lone task is no workflow, a run joined midway appears once finished', () => {
    const collector = new MetricsCollector();
    collector.observe(call('lone', 0.5, { inputTokens: 3 }, 'task_2'));
    collector.observe(finished('task_2', task('lone', 'succeeded', { costCents: 0.5 })));
    collector.observe(finished('wf_joined', task('late', 'succeeded', { costCents: 0.25 })));
    const during = collector.snapshot();
    expect(during.perWorkflow).toEqual({});
    expect(during.tasks.succeeded).toBe(2);
    expect(during.perAgent.lone?.totalCostCents).toBe(0.5);
    collector.observe({
      type: 'workflow.finished',
      workflowId: 'wf_joined',
      result: { workflowId: 'wf_joined', status: 'succeeded', results: {}, summary: '', durationSeconds: 1, totalCostCents: 0.25, thinkingTraces: {}, usage: EMPTY_USAGE, simulated: false },
    });
    expect(Object.keys(collector.snapshot().perWorkflow)).toEqual(['wf_joined']);
    expect(collector.snapshot().perWorkflow.wf_joined).toMatchObject({ status: 'succeeded', tasks: { succeeded: 1 } });
  });

  it('refuses an unknown metric name with a ConfigError', () => {
    expect(() => new MetricsCollector(['latency'])).toThrow(ConfigError);
  });
});

describe('orchestrator.getMetrics', () => {
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.shutdown();
    orchestrator = undefined;
  });

  it('counts a lone executeTask in the totals and per agent, not as a workflow', async () => {
    orchestrator = new Orchestrator({ provider: createScriptedProvider({ fallback: () => ({ text: 'ok' }) }), journal: false, enableThinkingAgents: false });
    await orchestrator.enableMonitoring();
    const result = await orchestrator.executeTask({ agentId: 'solo', taskDescription: 'alone' });
    expect(result.status).toBe('succeeded');
    const metrics = orchestrator.getMetrics();
    expect(metrics.tasks).toMatchObject({ total: 1, succeeded: 1 });
    expect(metrics.perAgent.solo?.tasks.succeeded).toBe(1);
    expect(metrics.perWorkflow).toEqual({});
  });

  it('throws until monitoring is enabled', () => {
    orchestrator = new Orchestrator({ enableThinkingAgents: false });
    expect(() => orchestrator?.getMetrics()).toThrow(ConfigError);
  });

  it('agrees with the workflow result of a scripted run', async () => {
    const model = createScriptedProvider().enqueue(
      { text: 'trend report', usage: { ...EMPTY_USAGE, inputTokens: 1000, outputTokens: 200 } },
      { structured: { confidence: 0.8, critique: 'good' }, usage: { ...EMPTY_USAGE, inputTokens: 300, outputTokens: 50 } },
      new Error('the model is down'),
    );
    orchestrator = new Orchestrator({
      provider: model,
      model: 'claude-3-5-haiku',
      enableThinkingAgents: false,
      enableAlternativePaths: false,
      retryFailedAgents: false,
    });
    await orchestrator.enableMonitoring({ alertThresholds: { error_rate: 0.9 } });
    const run = await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'researcher', taskDescription: 'Research trends' },
        { agentId: 'writer', taskDescription: 'Write it up', dependencies: ['researcher'] },
      ],
      continueOnFailure: true,
    });
    const metrics = orchestrator.getMetrics();
    const researcher = run.results.researcher;
    const writer = run.results.writer;
    expect(researcher?.status).toBe('succeeded');
    expect(writer?.status).toBe('failed');
    expect(metrics.tasks).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    expect(metrics.successRate).toBe(0.5);
    expect(metrics.errorRate).toBe(0.5);
    expect(metrics.totalCostCents).toBeCloseTo(run.totalCostCents, 9);
    expect(metrics.totalCostCents).toBeGreaterThan(0);
    expect(metrics.tokenUsage).toMatchObject({ inputTokens: 1300, outputTokens: 250 });
    expect(metrics.confidence).toMatchObject({ count: 1, mean: researcher?.confidence, min: researcher?.confidence });
    const ms = (result: typeof researcher) => Math.round((result?.durationSeconds ?? NaN) * 1000);
    expect(metrics.avgDuration).toBe((ms(researcher) + ms(writer)) / 2000);
    expect(metrics.modelCalls).toEqual({ total: 3, failed: 1, errorRate: 1 / 3 });
    expect(metrics.perWorkflow[run.workflowId]).toMatchObject({ status: 'partial', taskCount: 2 });
    expect(metrics.perAgent.writer?.tasks.failed).toBe(1);
  });
});
