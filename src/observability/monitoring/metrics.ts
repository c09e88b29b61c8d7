/**
 * Performance metrics: a pure aggregation of the orchestrator's progress
 * events (`task.finished`, `workflow.started`/`finished`, `model.call.*`,
 * `agent.*`) into the figures `getMetrics()` reports, overall, per agent and
 * per workflow. No clock, no I/O: the same events always give the same numbers.
 *
 * Exactness: money is summed in whole micro-cents and durations in whole
 * milliseconds (both integers), and every average is one division of such a
 * sum, so a figure does not depend on the order events arrived in.
 *
 * Bounded: a long-lived process sees ever new workflow ids (and agent ids), so
 * the collector keeps the figures of at most `maxWorkflows` workflows and
 * `maxAgents` agents ({@link MetricsBounds}), dropping finished workflows
 * first, oldest first, and the agents seen least recently. The overall totals
 * never drop anything: they stay exact.
 */
import { ConfigError } from '../../protocols/errors/errors.js';
import type { WorkflowStatus } from '../../protocols/task.js';
import type { TroupeEvent } from '../../protocols/events.js';
import { Tally } from './metrics-tally.js';
import { METRIC_NAMES } from './metric-types.js';
import type { GroupMetrics, MetricName } from './metric-types.js';

export { CONFIDENCE_BUCKETS, METRIC_NAMES } from './metric-types.js';
export type { ConfidenceBucket, ConfidenceStats, GroupMetrics, MetricName, TaskCounts, TokenTotals } from './metric-types.js';

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
  /**
   * Workflows whose start or end was seen; a lone `executeTask` counts in the
   * totals and per agent only. At most `maxWorkflows` of them (finished ones dropped first).
   */
  readonly perWorkflow: Readonly<Record<string, WorkflowMetrics>>;
  /** Per-workflow and per-agent entries dropped past the bounds (their figures stay in the totals). */
  readonly dropped: { readonly workflows: number; readonly agents: number };
}

/** Workflows kept in `perWorkflow` by default. */
export const DEFAULT_MAX_WORKFLOW_METRICS = 1000;
/** Agents kept in `perAgent` by default. */
export const DEFAULT_MAX_AGENT_METRICS = 10_000;

/** How many per-workflow and per-agent entries a collector keeps (totals are never bounded). */
export interface MetricsBounds {
  /** Most workflows in `perWorkflow` (default 1000): past it finished workflows go first, oldest first. */
  readonly maxWorkflows?: number;
  /** Most agents in `perAgent` (default 10,000): past it the agent seen least recently goes. */
  readonly maxAgents?: number;
}

function checkBound(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1)) return value;
  throw new ConfigError(field, 'must be a whole number ≥ 1 (or Infinity)');
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
  readonly #maxWorkflows: number;
  readonly #maxAgents: number;
  #droppedWorkflows = 0;
  #droppedAgents = 0;
  #spawned = 0;
  #stopped = 0;
  #crashed = 0;
  readonly #live = new Set<string>();
  #workflowsStarted = 0;
  #workflowsFinished = 0;

  /** @throws ConfigError for an unknown metric name, or a bound that is not a whole number ≥ 1. */
  constructor(metrics?: readonly string[], bounds: MetricsBounds = {}) {
    this.selected = resolveMetricSelection(metrics);
    this.#selected = new Set(this.selected);
    this.#maxWorkflows = checkBound(bounds.maxWorkflows, DEFAULT_MAX_WORKFLOW_METRICS, 'maxWorkflows');
    this.#maxAgents = checkBound(bounds.maxAgents, DEFAULT_MAX_AGENT_METRICS, 'maxAgents');
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
      dropped: { workflows: this.#droppedWorkflows, agents: this.#droppedAgents },
    };
  }

  /** The agent's tally, moved to the most recently seen end (a Map iterates in insertion order). */
  #agent(agentId: string): Tally {
    let tally = this.#agents.get(agentId);
    if (tally) this.#agents.delete(agentId);
    else tally = new Tally();
    this.#agents.set(agentId, tally);
    if (this.#agents.size > this.#maxAgents) {
      const oldest = this.#agents.keys().next();
      if (!oldest.done) {
        this.#agents.delete(oldest.value);
        this.#droppedAgents++;
      }
    }
    return tally;
  }

  #workflow(workflowId: string): WorkflowTally {
    let workflow = this.#workflows.get(workflowId);
    if (!workflow) {
      workflow = { tally: new Tally(), known: false, status: 'running', taskCount: null, durationSeconds: null };
      this.#workflows.set(workflowId, workflow);
      if (this.#workflows.size > this.#maxWorkflows) this.#dropWorkflow(workflowId);
    }
    return workflow;
  }

  /** Drops the oldest workflow that is not running (else the oldest other than `keep`). */
  #dropWorkflow(keep: string): void {
    let victim: string | undefined;
    for (const [workflowId, workflow] of this.#workflows) {
      if (workflowId === keep) continue;
      victim ??= workflowId;
      if (!workflow.known || workflow.status !== 'running') {
        victim = workflowId;
        break;
      }
    }
    if (victim === undefined) return;
    this.#workflows.delete(victim);
    this.#droppedWorkflows++;
  }
}
