/**
 * The running sums behind one scope of metrics (everything, one agent, one
 * workflow): integers wherever exactness matters (micro-cents, milliseconds),
 * each figure one division of such a sum.
 */
import type { TokenUsage } from '../../protocols/model.js';
import type { TaskResult, TaskStatus } from '../../protocols/task.js';
import { CONFIDENCE_BUCKETS } from './metric-types.js';
import type { ConfidenceBucket, GroupMetrics, MetricName, TaskCounts } from './metric-types.js';


const MICRO_PER_CENT = 1_000_000;
const MICRO_PER_DOLLAR = 100 * MICRO_PER_CENT;

/** Running sums of one scope; integers wherever exactness matters. */
export class Tally {
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
