/**
 * Performance metrics: a pure aggregation of the orchestrator's progress
 * events (`task.finished`, `workflow.started`/`finished`, `model.call.*`,
 * `agent.*`) into the figures `getMetrics()` reports, overall, per agent and
 * per workflow. No clock, no I/O: the same events always give the same numbers.
 *
 * Exactness: money is summed in whole micro-cents and durations in whole
 * milliseconds (both integers), and every average is one division of such a
 * sum, so a figure does not depend on the order events arrived in.
 */
import { ConfigError } from '../../protocols/errors.js';
import type { TokenUsage } from '../../protocols/model.js';
import type { TaskResult, TaskStatus, WorkflowStatus } from '../../protocols/task.js';
import type { TroupeEvent } from '../../protocols/events.js';

/** The seed's metric names; `enableMonitoring({ metrics })` picks some of them. */
export const METRIC_NAMES = ['execution_time', 'token_usage', 'cost', 'error_rate', 'confidence_scores'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Ten buckets of width 0.1; the last one holds 1.0 too. */
export const CONFIDENCE_BUCKETS = [
  '0.0-0.1',
  '0.1-0.2',
  '0.2-0.3',
  '0.3-0.4',
  '0.4-0.5',
  '0.5-0.6',
  '0.6-0.7',
  '0.7-0.8',
  '0.8-0.9',
  '0.9-1.0',
] as const;
export type ConfidenceBucket = (typeof CONFIDENCE_BUCKETS)[number];

/** Settled tasks by status. `ran` = succeeded + failed + budgetExceeded (skipped and cancelled did not run to an end). */
export interface TaskCounts {
  readonly total: number;
  readonly ran: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly budgetExceeded: number;
  readonly skipped: number;
  readonly cancelled: number;
}

export interface ConfidenceStats {
  /** Tasks that reported a confidence. */
  readonly count: number;
  readonly mean: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** How many confidences fell in each 0.1-wide bucket. */
  readonly distribution: Readonly<Record<ConfidenceBucket, number>>;
}

export interface TokenTotals extends TokenUsage {
  /** input + output + thinking (cache reads and writes are part of input). */
  readonly totalTokens: number;
}

/**
 * Figures of one scope (everything, one agent, one workflow). A field whose
 * metric was not selected is absent; a rate or average over nothing is null.
 */
export interface GroupMetrics {
  readonly tasks: TaskCounts;
  /** succeeded / ran. */
  readonly successRate: number | null;
  /** execution_time: mean task duration over tasks that ran, in seconds. */
  readonly avgDuration?: number | null;
  /** execution_time: longest task duration, in seconds. */
  readonly maxDuration?: number | null;
  /** error_rate: (failed + budgetExceeded) / ran. */
  readonly errorRate?: number | null;
  /** error_rate: model calls and how many failed. */
  readonly modelCalls?: { readonly total: number; readonly failed: number; readonly errorRate: number | null };
  /** cost: money spent on model calls, in dollars (the seed prints `$total_cost`). */
  readonly totalCost?: number;
  /** cost: the same in cents, the unit of the orchestrator's limits. */
  readonly totalCostCents?: number;
  /** cost: mean cost of a task that ran, in dollars (what the `cost_per_task` alert watches, per task). */
  readonly avgCostPerTask?: number | null;
  /** token_usage: tokens of all model calls. */
  readonly tokenUsage?: TokenTotals;
  /** confidence_scores: confidences tasks reported. */
  readonly confidence?: ConfidenceStats;
}

export interface WorkflowMetrics extends GroupMetrics {
  readonly status: WorkflowStatus | 'running';
  readonly taskCount: number | null;
  /** execution_time: the workflow's wall time in seconds, once finished. */
  readonly durationSeconds?: number | null;
}

/** What `getMetrics()` returns. */
export interface MonitoringMetrics extends GroupMetrics {
  /** The metrics being collected. */
  readonly collected: readonly MetricName[];
  readonly agents: { readonly spawned: number; readonly stopped: number; readonly crashed: number; readonly live: number };
  readonly workflows: { readonly started: number; readonly finished: number };
  readonly perAgent: Readonly<Record<string, GroupMetrics>>;
  /** Workflows whose start or end was seen; a lone `executeTask` counts in the totals and per agent only. */
  readonly perWorkflow: Readonly<Record<string, WorkflowMetrics>>;
}

const MICRO_PER_CENT = 1_000_000;
const MICRO_PER_DOLLAR = 100 * MICRO_PER_CENT;

/** Running sums of one scope; integers wherever exactness matters. */
class Tally {
  readonly counts: Record<TaskStatus, number> = { succeeded: 0, failed: 0, budget_exceeded: 0, skipped: 0, cancelled: 0 };
  durationMsSum = 0;
  durationMsMax = 0;
  taskCostMicroSum = 0;
  callCostMicro = 0;
  calls = 0;
  failedCalls = 0;
  inputTokens = 0;
  outputTokens = 0;
  thinkingTokens = 0;
  cacheReadTokens = 0;
  cacheWriteTokens = 0;
  confidenceSum = 0;
  confidenceCount = 0;
  confidenceMin = Infinity;
  confidenceMax = -Infinity;
  readonly buckets: number[] = CONFIDENCE_BUCKETS.map(() => 0);

  addTask(result: TaskResult): void {
    this.counts[result.status]++;
    if (!ran(result.status)) return;
    const ms = Math.round(result.durationSeconds * 1000);
    this.durationMsSum += ms;
    this.durationMsMax = Math.max(this.durationMsMax, ms);
    this.taskCostMicroSum += Math.round(result.costCents * MICRO_PER_CENT);
    if (result.confidence !== null && Number.isFinite(result.confidence)) {
      const confidence = result.confidence;
      this.confidenceSum += confidence;
      this.confidenceCount++;
      this.confidenceMin = Math.min(this.confidenceMin, confidence);
      this.confidenceMax = Math.max(this.confidenceMax, confidence);
      const index = Math.min(CONFIDENCE_BUCKETS.length - 1, Math.max(0, Math.floor(confidence * 10 + 1e-9)));
      this.buckets[index] = (this.buckets[index] ?? 0) + 1;
    }
  }

  addCall(costCents: number, usage: TokenUsage): void {
    this.calls++;
    this.callCostMicro += Math.round(costCents * MICRO_PER_CENT);
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    this.thinkingTokens += usage.thinkingTokens;
    this.cacheReadTokens += usage.cacheReadTokens;
    this.cacheWriteTokens += usage.cacheWriteTokens;
  }

  addFailedCall(): void {
    this.calls++;
    this.failedCalls++;
  }

  report(selected: ReadonlySet<MetricName>): GroupMetrics {
    const c = this.counts;
    const ranCount = c.succeeded + c.failed + c.budget_exceeded;
    const tasks: TaskCounts = {
      total: ranCount + c.skipped + c.cancelled,
      ran: ranCount,
      succeeded: c.succeeded,
      failed: c.failed,
      budgetExceeded: c.budget_exceeded,
      skipped: c.skipped,
      cancelled: c.cancelled,
    };
    const metrics: { -readonly [K in keyof GroupMetrics]: GroupMetrics[K] } = {
      tasks,
      successRate: ratio(c.succeeded, ranCount),
    };
    if (selected.has('execution_time')) {
      metrics.avgDuration = ranCount === 0 ? null : this.durationMsSum / (ranCount * 1000);
      metrics.maxDuration = ranCount === 0 ? null : this.durationMsMax / 1000;
    }
    if (selected.has('error_rate')) {
      metrics.errorRate = ratio(c.failed + c.budget_exceeded, ranCount);
      metrics.modelCalls = { total: this.calls, failed: this.failedCalls, errorRate: ratio(this.failedCalls, this.calls) };
    }
    if (selected.has('cost')) {
      metrics.totalCost = this.callCostMicro / MICRO_PER_DOLLAR;
      metrics.totalCostCents = this.callCostMicro / MICRO_PER_CENT;
      metrics.avgCostPerTask = ranCount === 0 ? null : this.taskCostMicroSum / (ranCount * MICRO_PER_DOLLAR);
    }
    if (selected.has('token_usage')) {
      metrics.tokenUsage = {
        inputTokens: this.inputTokens,
        outputTokens: this.outputTokens,
        thinkingTokens: this.thinkingTokens,
        cacheReadTokens: this.cacheReadTokens,
        cacheWriteTokens: this.cacheWriteTokens,
        totalTokens: this.inputTokens + this.outputTokens + this.thinkingTokens,
      };
    }
    if (selected.has('confidence_scores')) {
      const distribution = emptyBuckets();
      CONFIDENCE_BUCKETS.forEach((bucket, i) => {
        distribution[bucket] = this.buckets[i] ?? 0;
      });
      const none = this.confidenceCount === 0;
      metrics.confidence = {
        count: this.confidenceCount,
        mean: none ? null : this.confidenceSum / this.confidenceCount,
        min: none ? null : this.confidenceMin,
        max: none ? null : this.confidenceMax,
        distribution,
      };
    }
    return metrics;
  }
}

function ran(status: TaskStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'budget_exceeded';
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function emptyBuckets(): Record<ConfidenceBucket, number> {
  return {
    '0.0-0.1': 0,
    '0.1-0.2': 0,
    '0.2-0.3': 0,
    '0.3-0.4': 0,
    '0.4-0.5': 0,
    '0.5-0.6': 0,
    '0.6-0.7': 0,
    '0.7-0.8': 0,
    '0.8-0.9': 0,
    '0.9-1.0': 0,
  };
}

function isMetricName(name: unknown): name is MetricName {
  return METRIC_NAMES.some((known) => known === name);
}

/**
 * Checks a `metrics` selection; absent means all five.
 * @throws ConfigError naming the unknown metric.
 */
function resolveMetricSelection(metrics: readonly string[] | undefined): readonly MetricName[] {
  if (metrics === undefined) return [...METRIC_NAMES];
  if (!Array.isArray(metrics)) throw new ConfigError('metrics', 'must be a list of metric names');
  const selected: MetricName[] = [];
  for (const name of metrics) {
    if (!isMetricName(name)) {
      throw new ConfigError('metrics', `unknown metric "${String(name)}"; known: ${METRIC_NAMES.join(', ')}`);
    }
    if (!selected.includes(name)) selected.push(name);
  }
  return selected;
}

interface WorkflowTally {
  readonly tally: Tally;
  /** A workflow.started or workflow.finished was seen: a lone `executeTask` (its own id, no workflow events) is not a workflow. */
  known: boolean;
  status: WorkflowStatus | 'running';
  taskCount: number | null;
  durationSeconds: number | null;
}

/**
 * Folds progress events into metrics. Feed it every event (`observe`), read
 * `snapshot()` at any time.
 *
 * @example
 * ```ts
 * const metrics = new MetricsCollector(['execution_time', 'cost']);
 * const off = orchestrator.events.onAny((event) => metrics.observe(event));
 * await orchestrator.executeWorkflow({ tasks });
 * console.log(metrics.snapshot().avgDuration, metrics.snapshot().totalCost);
 * ```
 */
export class MetricsCollector {
  readonly selected: readonly MetricName[];
  readonly #selected: ReadonlySet<MetricName>;
  readonly #all = new Tally();
  readonly #agents = new Map<string, Tally>();
  readonly #workflows = new Map<string, WorkflowTally>();
  #spawned = 0;
  #stopped = 0;
  #crashed = 0;
  readonly #live = new Set<string>();
  #workflowsStarted = 0;
  #workflowsFinished = 0;

  /** @throws ConfigError for an unknown metric name. */
  constructor(metrics?: readonly string[]) {
    this.selected = resolveMetricSelection(metrics);
    this.#selected = new Set(this.selected);
  }

  observe(event: TroupeEvent): void {
    switch (event.type) {
      case 'task.finished':
        this.#all.addTask(event.result);
        this.#agent(event.agentId).addTask(event.result);
        this.#workflow(event.workflowId).tally.addTask(event.result);
        return;
      case 'model.call.finished':
        if (event.replayed) return; // a recorded answer: no money was spent, no tokens were used now
        this.#all.addCall(event.costCents, event.usage);
        this.#agent(event.agentId).addCall(event.costCents, event.usage);
        if (event.workflowId !== undefined) this.#workflow(event.workflowId).tally.addCall(event.costCents, event.usage);
        return;
      case 'model.call.failed':
        this.#all.addFailedCall();
        this.#agent(event.agentId).addFailedCall();
        if (event.workflowId !== undefined) this.#workflow(event.workflowId).tally.addFailedCall();
        return;
      case 'workflow.started': {
        this.#workflowsStarted++;
        const workflow = this.#workflow(event.workflowId);
        workflow.known = true;
        workflow.taskCount = event.taskCount;
        return;
      }
      case 'workflow.finished': {
        this.#workflowsFinished++;
        const workflow = this.#workflow(event.workflowId);
        workflow.known = true;
        workflow.status = event.result.status;
        workflow.durationSeconds = event.result.durationSeconds;
        return;
      }
      case 'agent.spawned':
        this.#spawned++;
        this.#live.add(event.agentId);
        return;
      case 'agent.stopped':
        this.#stopped++;
        this.#live.delete(event.agentId);
        return;
      case 'agent.crashed':
        this.#crashed++;
        this.#live.delete(event.agentId);
        return;
      default:
        return;
    }
  }

  snapshot(): MonitoringMetrics {
    const perAgent: Record<string, GroupMetrics> = {};
    for (const [agentId, tally] of this.#agents) perAgent[agentId] = tally.report(this.#selected);
    const perWorkflow: Record<string, WorkflowMetrics> = {};
    for (const [workflowId, workflow] of this.#workflows) {
      if (!workflow.known) continue;
      perWorkflow[workflowId] = {
        ...workflow.tally.report(this.#selected),
        status: workflow.status,
        taskCount: workflow.taskCount,
        ...(this.#selected.has('execution_time') ? { durationSeconds: workflow.durationSeconds } : {}),
      };
    }
    return {
      ...this.#all.report(this.#selected),
      collected: this.selected,
      agents: { spawned: this.#spawned, stopped: this.#stopped, crashed: this.#crashed, live: this.#live.size },
      workflows: { started: this.#workflowsStarted, finished: this.#workflowsFinished },
      perAgent,
      perWorkflow,
    };
  }

  #agent(agentId: string): Tally {
    let tally = this.#agents.get(agentId);
    if (!tally) this.#agents.set(agentId, (tally = new Tally()));
    return tally;
  }

  #workflow(workflowId: string): WorkflowTally {
    let workflow = this.#workflows.get(workflowId);
    if (!workflow) {
      workflow = { tally: new Tally(), known: false, status: 'running', taskCount: null, durationSeconds: null };
      this.#workflows.set(workflowId, workflow);
    }
    return workflow;
  }
}
