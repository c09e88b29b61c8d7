import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../../src/index.js';
import { ConfigError } from '../../../src/index.js';
import { EMPTY_USAGE } from '../../../src/index.js';
import type { TaskResult, TaskStatus } from '../../../src/index.js';
import { createScriptedProvider } from '../../../src/testing.js';
import { AlertMonitor } from '../../../src/index.js';
import type { AlertThresholds, MonitoringAlert } from '../../../src/index.js';

function result(agentId: string, status: TaskStatus, fields: Partial<TaskResult> = {}): TaskResult {
  return {
    agentId,
    status,
    output: null,
    confidence: null,
    attempts: 1,
    costCents: 0,
    usage: EMPTY_USAGE,
    startedAt: 0,
    finishedAt: 0,
    durationSeconds: 0,
    alternatives: [],
    simulated: false,
    ...fields,
  };
}

function monitor(thresholds: AlertThresholds) {
  const fired: MonitoringAlert[] = [];
  let clock = 1_000;
  const alerts = new AlertMonitor(thresholds, { now: () => clock++, fire: (alert) => fired.push(alert) });
  const feed = (...results: TaskResult[]) => {
    for (const each of results) alerts.observe({ type: 'task.finished', workflowId: 'wf', agentId: each.agentId, result: each });
  };
  return { fired, feed, alerts };
}

describe('alert thresholds', () => {
  it('fires error_rate once when the share of failed tasks goes above it, and re-arms only after it returns below', () => {
    const { fired, feed } = monitor({ error_rate: 0.25 });
    feed(result('a', 'succeeded'), result('b', 'succeeded'), result('c', 'succeeded')); // 0
    expect(fired).toEqual([]);
    feed(result('d', 'failed')); // 1/4 = 0.25: not above
    expect(fired).toEqual([]);
    feed(result('e', 'failed')); // 2/5 = 0.4: crosses
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ name: 'error_rate', value: 0.4, threshold: 0.25, unit: 'share', direction: 'above', agentId: 'e', workflowId: 'wf' });
    feed(result('f', 'budget_exceeded')); // 3/6 = 0.5: still above, no second alert
    expect(fired).toHaveLength(1);
    feed(...['g', 'h', 'i', 'j', 'k', 'l'].map((id) => result(id, 'succeeded'))); // 3/12 = 0.25: back, re-armed
    expect(fired).toHaveLength(1);
    feed(result('m', 'failed')); // 4/13 ≈ 0.31: crosses again
    expect(fired).toHaveLength(2);
    expect(fired[1]?.value).toBe(4 / 13);
  });

  it('does not count skipped or cancelled tasks in the error rate', () => {
    const { fired, feed } = monitor({ error_rate: 0.5 });
    feed(result('a', 'succeeded'), result('b', 'skipped'), result('c', 'cancelled'), result('d', 'skipped'));
    expect(fired).toEqual([]);
  });

  it('reads cost_per_task in dollars: a task of 150 cents crosses $1.00, one of 100 cents does not', () => {
    const { fired, feed } = monitor({ cost_per_task: 1.0 });
    feed(result('cheap', 'succeeded', { costCents: 100 }));
    expect(fired).toEqual([]);
    feed(result('dear', 'succeeded', { costCents: 150 }));
    expect(fired).toEqual([expect.objectContaining({ name: 'cost_per_task', value: 1.5, threshold: 1, unit: 'dollars', agentId: 'dear' })]);
    expect(fired[0]?.message).toContain('$1.5000');
    feed(result('dearer', 'failed', { costCents: 400 })); // still above: no new alert
    feed(result('ok', 'succeeded', { costCents: 20 })); // re-arms
    feed(result('again', 'succeeded', { costCents: 101 }));
    expect(fired.map((alert) => alert.agentId)).toEqual(['dear', 'again']);
  });

  it('reads execution_time in seconds per task', () => {
    const { fired, feed } = monitor({ execution_time: 300 });
    feed(result('quick', 'succeeded', { durationSeconds: 299.9 }), result('slow', 'failed', { durationSeconds: 301 }));
    expect(fired).toEqual([expect.objectContaining({ name: 'execution_time', value: 301, unit: 'seconds', agentId: 'slow' })]);
  });

  it('fires confidence_min when a confidence goes below it', () => {
    const { fired, feed } = monitor({ confidence_min: 0.6 });
    feed(result('sure', 'succeeded', { confidence: 0.6 }), result('unsure', 'succeeded', { confidence: 0.4 }));
    feed(result('lower', 'succeeded', { confidence: 0.2 }), result('none', 'failed'));
    expect(fired).toEqual([expect.objectContaining({ name: 'confidence_min', value: 0.4, direction: 'below', agentId: 'unsure' })]);
  });

  it('stamps alerts with the injected clock and watches nothing that has no threshold', () => {
    const { fired, feed, alerts } = monitor({ execution_time: 1 });
    feed(result('a', 'failed', { durationSeconds: 5, costCents: 10_000, confidence: 0 }));
    expect(fired).toEqual([expect.objectContaining({ name: 'execution_time', at: 1_000 })]);
    expect(alerts.firedCount).toBe(1);
  });

  it.each([
    [{ error_rate: 1.5 }, 'alertThresholds.error_rate'],
    [{ cost_per_task: -1 }, 'alertThresholds.cost_per_task'],
    [{ execution_time: Number.NaN }, 'alertThresholds.execution_time'],
    [{ latency: 3 }, 'alertThresholds.latency'],
  ])('refuses %o with a ConfigError naming %s', (thresholds, field) => {
    const attempt = () => new AlertMonitor(thresholds as AlertThresholds, { now: Date.now, fire: () => undefined });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      if (error instanceof ConfigError) expect(error.field).toBe(field);
    }
  });
});

describe('alerts from a running orchestrator', () => {
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.shutdown();
    orchestrator = undefined;
  });

  it('emits typed alert events on the event hub', async () => {
    // Tasks whose description says FAIL get a model error; one at a time, in priority order.
    const model = createScriptedProvider({
      fallback: (request) => (JSON.stringify(request.messages).includes('FAIL') ? new Error('down') : { text: 'fine' }),
    });
    orchestrator = new Orchestrator({ provider: model, model: 'claude-3-5-haiku', enableThinkingAgents: false, retryFailedAgents: false, enableAlternativePaths: false });
    await orchestrator.enableMonitoring({ alertThresholds: { error_rate: 0.1 } });
    const alerts: MonitoringAlert[] = [];
    orchestrator.events.on('alert', (event) => alerts.push(event));
    await orchestrator.executeWorkflow({
      tasks: [
        { agentId: 'first', taskDescription: 'one FAIL', priority: 'high' },
        { agentId: 'second', taskDescription: 'two', priority: 'medium' },
        { agentId: 'third', taskDescription: 'three FAIL', priority: 'low' },
      ],
      continueOnFailure: true,
      maxParallelAgents: 1,
    });
    // first fails (1/1 > 0.1: alert); second succeeds (1/2, still above); third fails (2/3, still above).
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'alert', name: 'error_rate', value: 1, agentId: 'first' });
  });
});
