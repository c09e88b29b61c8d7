/**
 * Long-lived processes: monitoring's per-workflow and per-agent figures and the
 * budget ledger's per-agent accounts stay bounded while the totals stay exact.
 */
import { describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/index.js';
import { addCents } from '../../src/index.js';
import { ConfigError } from '../../src/index.js';
import { EMPTY_USAGE } from '../../src/index.js';
import type { TaskResult } from '../../src/index.js';
import { createRandom } from '../../src/testing.js';
import { BudgetLedger, DEFAULT_MAX_AGENT_ACCOUNTS } from '../../src/index.js';
import type { TroupeEvent } from '../../src/index.js';
import { DEFAULT_MAX_WORKFLOW_METRICS, MetricsCollector } from '../../src/index.js';

function succeeded(agentId: string, costCents: number): TaskResult {
  return {
    agentId,
    status: 'succeeded',
    output: 'ok',
    confidence: 0.8,
    attempts: 1,
    costCents,
    usage: EMPTY_USAGE,
    startedAt: 0,
    finishedAt: 1000,
    durationSeconds: 1,
    alternatives: [],
    simulated: false,
  };
}

/** One workflow's events: start, one call and one task per agent, and (unless running) its end. */
function workflowEvents(workflowId: string, agentIds: readonly string[], costCents: number, finish = true): TroupeEvent[] {
  const events: TroupeEvent[] = [{ type: 'workflow.started', workflowId, taskCount: agentIds.length, at: 0 }];
  for (const agentId of agentIds) {
    events.push({
      type: 'model.call.finished',
      callId: `${workflowId}/${agentId}`,
      agentId,
      purpose: 'acting',
      provider: 'scripted',
      model: 'm',
      workflowId,
      usage: { ...EMPTY_USAGE, inputTokens: 10, outputTokens: 1 },
      costCents,
      durationMs: 1,
      simulated: false,
      replayed: false,
    });
    events.push({ type: 'task.finished', workflowId, agentId, result: succeeded(agentId, costCents) });
  }
  if (!finish) return events;
  const result = {
    workflowId,
    status: 'succeeded' as const,
    results: {},
    summary: '',
    durationSeconds: 1,
    totalCostCents: costCents * agentIds.length,
    thinkingTraces: {},
    usage: EMPTY_USAGE,
    simulated: false,
  };
  events.push({ type: 'workflow.finished', workflowId, result });
  return events;
}

describe('MetricsCollector bounds', () => {
  it('keeps at most maxWorkflows workflows, the newest, while the totals count all of them exactly', () => {
    const collector = new MetricsCollector(undefined, { maxWorkflows: 3 });
    const costs: number[] = [];
    for (let i = 0; i < 50; i++) {
      const cost = 0.000117 * (i + 1);
      costs.push(cost, cost);
      for (const event of workflowEvents(`wf_${i}`, [`a${i}`, `b${i}`], cost)) collector.observe(event);
    }
    const metrics = collector.snapshot();
    expect(Object.keys(metrics.perWorkflow)).toEqual(['wf_47', 'wf_48', 'wf_49']);
    expect(metrics.dropped.workflows).toBe(47);
    expect(metrics.tasks.total).toBe(100);
    expect(metrics.workflows).toEqual({ started: 50, finished: 50 });
    expect(metrics.totalCostCents).toBe(addCents(...costs));
    expect(metrics.tokenUsage?.inputTokens).toBe(1000);
  });

  it('drops finished workflows before running ones', () => {
    const collector = new MetricsCollector(undefined, { maxWorkflows: 2 });
    for (const event of workflowEvents('long_running', ['r'], 1, false)) collector.observe(event);
    for (let i = 0; i < 5; i++) for (const event of workflowEvents(`done_${i}`, ['d'], 1)) collector.observe(event);
    expect(Object.keys(collector.snapshot().perWorkflow)).toEqual(['long_running', 'done_4']);
    expect(collector.snapshot().perWorkflow.long_running?.status).toBe('running');
  });

  it('keeps at most maxAgents agents, the most recently seen', () => {
    const collector = new MetricsCollector(['cost'], { maxAgents: 10 });
    for (let i = 0; i < 200; i++) for (const event of workflowEvents(`wf_${i}`, [`agent_${i}`, 'steady'], 0.5)) collector.observe(event);
    const metrics = collector.snapshot();
    expect(Object.keys(metrics.perAgent)).toHaveLength(10);
    expect(metrics.perAgent.steady?.tasks.total).toBe(200);
    expect(metrics.perAgent.agent_199).toBeDefined();
    expect(metrics.perAgent.agent_0).toBeUndefined();
    expect(metrics.dropped.agents).toBe(191);
    expect(metrics.totalCostCents).toBe(200);
  });

  it('bounds perWorkflow by default, and lone executeTask ids too', () => {
    const collector = new MetricsCollector();
    // A lone executeTask reports task.finished under its own id, with no workflow events.
    for (let i = 0; i < DEFAULT_MAX_WORKFLOW_METRICS + 500; i++) {
      collector.observe({ type: 'task.finished', workflowId: `task_${i}`, agentId: 'a', result: succeeded('a', 1) });
    }
    expect(collector.snapshot().dropped.workflows).toBe(500);
    expect(collector.snapshot().tasks.total).toBe(DEFAULT_MAX_WORKFLOW_METRICS + 500);
  });

  it('refuses a bound that is not a whole number ≥ 1', () => {
    expect(() => new MetricsCollector(undefined, { maxWorkflows: 0 })).toThrow(ConfigError);
    expect(() => new MetricsCollector(undefined, { maxAgents: 1.5 })).toThrow(ConfigError);
  });

  it('is configurable through enableMonitoring', async () => {
    const orchestrator = new Orchestrator({ journal: false });
    try {
      await expect(orchestrator.enableMonitoring({ maxWorkflows: -1 })).rejects.toThrow(ConfigError);
      await orchestrator.enableMonitoring({ maxWorkflows: 1 });
      await orchestrator.executeTask('one');
      await orchestrator.executeTask('two');
      expect(orchestrator.getMetrics().tasks.total).toBe(2);
      expect(orchestrator.getMetrics().dropped.workflows).toBe(1);
    } finally {
      await orchestrator.shutdown();
    }
  });
});

describe('BudgetLedger account bounds', () => {
  it('keeps at most maxAgentAccounts idle accounts; totals stay exact (random costs)', () => {
    const random = createRandom(5).next;
    const ledger = new BudgetLedger({ totalCostLimitCents: 1_000_000 }, { maxAgentAccounts: 5 });
    const costs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const cost = Math.round(random() * 1e6) / 1e6;
      costs.push(cost);
      ledger.reserve({ agentId: `agent_${i % 120}`, requestedCents: 1 }).settle(cost);
    }
    const snapshot = ledger.snapshot();
    expect(Object.keys(snapshot.perAgent)).toHaveLength(5);
    expect(snapshot.totalSpentCents).toBe(addCents(...costs));
    const kept = addCents(...Object.values(snapshot.perAgent).map((account) => account.spentCents));
    expect(addCents(kept, snapshot.evictedAgents.spentCents)).toBe(snapshot.totalSpentCents);
    expect(snapshot.evictedAgents.count).toBe(300 - 5);
  });

  it('never drops an account with an open reservation or one an overrun closed', () => {
    const ledger = new BudgetLedger({ maxCostPerAgentCents: 10 }, { maxAgentAccounts: 2 });
    const held = ledger.reserve({ agentId: 'held', requestedCents: 1 });
    ledger.reserve({ agentId: 'closed', requestedCents: 1 }).settle(5); // an overrun: closes the agent's limit
    for (let i = 0; i < 20; i++) ledger.reserve({ agentId: `idle_${i}`, requestedCents: 1 }).settle(1);
    const snapshot = ledger.snapshot();
    expect(Object.keys(snapshot.perAgent).sort()).toEqual(['closed', 'held']);
    expect(snapshot.closed.agents).toEqual(['closed']);
    expect(() => ledger.reserve({ agentId: 'closed', requestedCents: 1 })).toThrow(/closed/);
    held.settle(1);
    expect(ledger.snapshot().openReservations).toBe(0);
  });

  it('bounds accounts by default and takes the bound from the orchestrator config', async () => {
    const ledger = new BudgetLedger();
    for (let i = 0; i < DEFAULT_MAX_AGENT_ACCOUNTS + 100; i++) ledger.reserve({ agentId: `a${i}`, requestedCents: 0 }).settle(0.000001);
    expect(Object.keys(ledger.snapshot().perAgent)).toHaveLength(DEFAULT_MAX_AGENT_ACCOUNTS);
    expect(ledger.spentCents()).toBe((DEFAULT_MAX_AGENT_ACCOUNTS + 100) / 1e6);

    expect(() => new Orchestrator({ maxBudgetAccounts: 0 })).toThrow(ConfigError);
    const orchestrator = new Orchestrator({ journal: false, maxBudgetAccounts: 3 });
    try {
      for (let i = 0; i < 10; i++) orchestrator.budget.reserve({ agentId: `a${i}`, requestedCents: 0 }).settle(0.5);
      expect(Object.keys(orchestrator.budget.snapshot().perAgent)).toEqual(['a7', 'a8', 'a9']);
      expect(orchestrator.budget.spentCents()).toBe(5);
    } finally {
      await orchestrator.shutdown();
    }
  });
});
