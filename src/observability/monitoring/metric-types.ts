/** The figures monitoring reports and their names: the metric names, task counts, confidence buckets, a scope's metrics. */
import type { TokenUsage } from '../../protocols/model.js';

/** The metric names; `enableMonitoring({ metrics })` picks some of them. */
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
  /** cost: money spent on model calls, in dollars (reported as dollars, `$total_cost`). */
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

