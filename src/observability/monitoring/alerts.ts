/**
 * Alerts: watches finished tasks against thresholds and reports each crossing
 * once. An alert fires when its value goes past the threshold and re-arms only
 * after a later value is back on the safe side (at or below the threshold; at
 * or above it for `confidence_min`), so a run of bad values gives one alert,
 * not one per task.
 *
 * Units of `alertThresholds`: `error_rate` is a share (0.1 =
 * 10% of tasks that ran), `cost_per_task` is dollars per task (the orchestrator
 * counts cents; a task's cents are divided by 100 before comparing),
 * `execution_time` is seconds per task, `confidence_min` is a confidence 0..1.
 */
import { MICRO_PER_CENT } from '../../protocols/cents.js';
import { ConfigError } from '../../protocols/errors/errors.js';
import type { TaskResult } from '../../protocols/task.js';
import type { AlertName, MonitoringAlert, TroupeEvent } from '../../protocols/events.js';

export type { AlertName, MonitoringAlert } from '../../protocols/events.js';

/** Alert thresholds; an absent key is not watched. */
export interface AlertThresholds {
  /** Share of tasks that ran and failed (failed or budget_exceeded), 0..1, over all tasks so far. */
  readonly error_rate?: number;
  /** Dollars one task may cost (its model calls, retries and alternatives included). */
  readonly cost_per_task?: number;
  /** Seconds one task may take. */
  readonly execution_time?: number;
  /** Lowest acceptable confidence of a task's answer, 0..1. */
  readonly confidence_min?: number;
}

const ALERT_NAMES: readonly AlertName[] = ['error_rate', 'cost_per_task', 'execution_time', 'confidence_min'];

function isAlertName(name: string): name is AlertName {
  return ALERT_NAMES.some((known) => known === name);
}

/**
 * Checks thresholds: known names, finite numbers ≥ 0, shares and confidences ≤ 1.
 * @throws ConfigError naming the bad field (`alertThresholds.<name>`).
 */
export function resolveAlertThresholds(thresholds: AlertThresholds | undefined): AlertThresholds {
  if (thresholds === undefined) return {};
  if (typeof thresholds !== 'object' || thresholds === null) {
    throw new ConfigError('alertThresholds', 'must be an object of thresholds');
  }
  const resolved: { -readonly [K in AlertName]?: number } = {};
  for (const [name, value] of Object.entries(thresholds)) {
    const field = `alertThresholds.${name}`;
    if (!isAlertName(name)) throw new ConfigError(field, `unknown alert; known: ${ALERT_NAMES.join(', ')}`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(field, 'must be a finite number ≥ 0');
    }
    if ((name === 'error_rate' || name === 'confidence_min') && value > 1) {
      throw new ConfigError(field, 'must be between 0 and 1');
    }
    resolved[name] = value;
  }
  return resolved;
}

/** One watched threshold and whether it may fire. */
interface Watch {
  readonly threshold: number;
  armed: boolean;
}

export interface AlertMonitorOptions {
  /** Epoch milliseconds for the alert's `at`. */
  readonly now: () => number;
  /** Called once per crossing. */
  readonly fire: (alert: MonitoringAlert) => void;
}

const UNITS: Record<AlertName, MonitoringAlert['unit']> = {
  error_rate: 'share',
  cost_per_task: 'dollars',
  execution_time: 'seconds',
  confidence_min: 'confidence',
};

/**
 * Watches `task.finished` events against thresholds.
 *
 * @example
 * ```ts
 * const monitor = new AlertMonitor({ error_rate: 0.1, cost_per_task: 1.0 }, {
 *   now: Date.now,
 *   fire: (alert) => console.warn(alert.message),
 * });
 * orchestrator.events.on('task.finished', (event) => monitor.observe(event));
 * ```
 */
export class AlertMonitor {
  readonly thresholds: AlertThresholds;
  readonly #watches = new Map<AlertName, Watch>();
  readonly #options: AlertMonitorOptions;
  #ran = 0;
  #errors = 0;
  #fired = 0;

  /** @throws ConfigError for a bad threshold. */
  constructor(thresholds: AlertThresholds | undefined, options: AlertMonitorOptions) {
    this.thresholds = resolveAlertThresholds(thresholds);
    this.#options = options;
    for (const name of ALERT_NAMES) {
      const threshold = this.thresholds[name];
      if (threshold !== undefined) this.#watches.set(name, { threshold, armed: true });
    }
  }

  /** How many alerts fired so far. */
  get firedCount(): number {
    return this.#fired;
  }

  observe(event: TroupeEvent): void {
    if (event.type !== 'task.finished') return;
    const { result, workflowId, agentId } = event;
    if (!ranToAnEnd(result)) return;
    const where = { agentId, workflowId };
    this.#ran++;
    if (result.status !== 'succeeded') this.#errors++;
    this.#check('error_rate', this.#errors / this.#ran, where);
    // Dollars from whole micro-cents: one exact integer divided once, so no float noise.
    this.#check('cost_per_task', Math.round(result.costCents * MICRO_PER_CENT) / (100 * MICRO_PER_CENT), where);
    this.#check('execution_time', result.durationSeconds, where);
    if (result.confidence !== null && Number.isFinite(result.confidence)) {
      this.#check('confidence_min', result.confidence, where);
    }
  }

  #check(name: AlertName, value: number, where: { agentId: string; workflowId: string }): void {
    const watch = this.#watches.get(name);
    if (!watch) return;
    const direction = name === 'confidence_min' ? 'below' : 'above';
    const crossed = direction === 'below' ? value < watch.threshold : value > watch.threshold;
    if (!crossed) {
      watch.armed = true;
      return;
    }
    if (!watch.armed) return;
    watch.armed = false;
    this.#fired++;
    this.#options.fire({
      name,
      value,
      threshold: watch.threshold,
      unit: UNITS[name],
      direction,
      agentId: where.agentId,
      workflowId: where.workflowId,
      at: this.#options.now(),
      message: describe(name, value, watch.threshold, where.agentId),
    });
  }
}

function ranToAnEnd(result: TaskResult): boolean {
  return result.status === 'succeeded' || result.status === 'failed' || result.status === 'budget_exceeded';
}

function describe(name: AlertName, value: number, threshold: number, agentId: string): string {
  switch (name) {
    case 'error_rate':
      return `error rate ${percent(value)} is above ${percent(threshold)} (after task "${agentId}")`;
    case 'cost_per_task':
      return `task "${agentId}" cost $${value.toFixed(4)}, above $${threshold.toFixed(4)}`;
    case 'execution_time':
      return `task "${agentId}" took ${value.toFixed(1)} s, above ${threshold} s`;
    case 'confidence_min':
      return `task "${agentId}" answered with confidence ${value.toFixed(2)}, below ${threshold.toFixed(2)}`;
  }
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
