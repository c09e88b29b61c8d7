/**
 * The monitoring capability of the Orchestrator (`orchestrator.monitoring`):
 * metrics, alerts and the dashboard, OpenTelemetry tracing, and debug mode.
 * The flat names (`enableMonitoring`, `getMetrics`, `enableTelemetry`,
 * `setDebugMode`, `debugMode`) call these.
 */
import type { BudgetSnapshot } from '../model/budget.js';
import type { DebugModeOptions, DebugModeState } from '../observability/debug.js';
import type { MonitoringMetrics } from '../observability/monitoring/metrics.js';
import type { Monitoring, MonitoringOptions } from '../observability/monitoring/monitoring.js';
import type { Telemetry, TelemetryOptions } from '../observability/telemetry.js';
import { requireRecord } from '../util/arguments.js';
import { checkOptionalOptions } from './api-arguments.js';
import type { Runtime } from './runtime.js';

/**
 * Watching the system.
 *
 * @example
 * ```ts
 * const { dashboardUrl } = await orchestrator.monitoring.enable({ dashboardPort: 0 });
 * console.log(dashboardUrl, orchestrator.monitoring.metrics().successRate);
 * ```
 */
export class MonitoringClient {
  readonly #runtime: Runtime;
  readonly #assertOpen: () => void;

  /** @internal Built by the Orchestrator. */
  constructor(runtime: Runtime, assertOpen: () => void) {
    this.#runtime = runtime;
    this.#assertOpen = assertOpen;
  }

  /** Debug mode as it is now (files it writes to, level, breakpoints). */
  get debugMode(): DebugModeState {
    return this.#runtime.debug.state;
  }

  /**
   * Starts collecting metrics, watching alert thresholds and, with a
   * `dashboardPort`, serving the live dashboard on 127.0.0.1 (0 picks a free
   * port). Calling it again replaces the previous monitor (its metrics restart).
   * Alerts arrive as `alert` events; thresholds use these units:
   * `error_rate` a share, `cost_per_task` dollars per task, `execution_time`
   * seconds per task. See docs/monitoring.md.
   * @throws ConfigError for an unknown metric, a bad threshold or port; PortInUseError (code `PORT_IN_USE`) when `dashboardPort` is taken.
   * @example
   * ```ts
   * const { dashboardUrl } = await orchestrator.enableMonitoring({
   *   metrics: ['execution_time', 'token_usage', 'cost', 'error_rate', 'confidence_scores'],
   *   dashboardPort: 8080,
   *   alertThresholds: { error_rate: 0.1, cost_per_task: 1.0, execution_time: 300 },
   * });
   * orchestrator.events.on('alert', (alert) => console.warn(alert.message));
   * ```
   */
  async enable(options: MonitoringOptions = {}): Promise<Monitoring> {
    this.#assertOpen();
    checkOptionalOptions(options, 'enableMonitoring options');
    return this.#runtime.instrumentation.enableMonitoring(options);
  }

  /**
   * The metrics collected since `enableMonitoring`: avgDuration (s),
   * successRate, errorRate, totalCost ($) and totalCostCents, tokenUsage,
   * confidence (mean, min, distribution), overall, perAgent and perWorkflow.
   * @throws ConfigError when monitoring was not enabled.
   * @example
   * ```ts
   * const metrics = orchestrator.getMetrics();
   * console.log(`Average task duration: ${metrics.avgDuration}s`);
   * console.log(`Success rate: ${((metrics.successRate ?? 0) * 100).toFixed(2)}%`);
   * console.log(`Total cost: $${metrics.totalCost?.toFixed(2)}`);
   * ```
   */
  metrics(): MonitoringMetrics {
    return this.#runtime.instrumentation.metrics();
  }

  /**
   * The budget's books now: spent and reserved, in all and per agent, with
   * the limits, open reservations, overruns and closed limits. In
   * distributed mode (the coordinator) it reads the shared books in Redis
   * that every worker reserves and settles in, plus what the coordinator
   * spent itself; the dashboard shows the same view, refreshed after each
   * task answer and each forwarded model-call event. Single process: the
   * in-process ledger (`orchestrator.budget.snapshot()`).
   * @example
   * ```ts
   * const { totalSpentCents, perAgent } = await orchestrator.monitoring.budget();
   * ```
   */
  budget(): Promise<BudgetSnapshot> {
    this.#assertOpen();
    return this.#runtime.budgetView.refresh();
  }

  /**
   * Traces workflows, tasks, agent attempts and model calls with
   * OpenTelemetry (GenAI semantic conventions; ids and numbers only, never
   * prompts or keys). Uses `tracer`, else the global tracer provider's
   * `troupe` tracer. `@opentelemetry/api` is an optional peer dependency:
   * without it this resolves `{ enabled: false }` and traces nothing.
   * Await it before running the work to trace. Calling it again replaces the
   * previous tracing.
   * @example
   * ```ts
   * const telemetry = await orchestrator.enableTelemetry({ tracer: trace.getTracer('my-app') });
   * ```
   */
  async enableTelemetry(options: TelemetryOptions = {}): Promise<Telemetry> {
    this.#assertOpen();
    checkOptionalOptions(options, 'enableTelemetry options');
    return this.#runtime.instrumentation.enableTelemetry(options);
  }

  /**
   * Debug mode: log level, thinking traces and agent
   * conversations as JSONL under `<workspacePath>/debug/` (prompts included,
   * keys never), and breakpoints on error (live agents too). `enabled: false`
   * turns it all off. See docs/observability.md.
   * @example
   * ```ts
   * orchestrator.setDebugMode({
   *   enabled: true,
   *   logLevel: 'DEBUG',
   *   saveThinkingTraces: true,
   *   saveAgentConversations: true,
   *   breakpointOnError: true,
   * });
   * ```
   */
  setDebugMode(options: DebugModeOptions): DebugModeState {
    this.#assertOpen();
    requireRecord(options, 'setDebugMode options', 'config');
    return this.#runtime.debug.set(options);
  }
}
