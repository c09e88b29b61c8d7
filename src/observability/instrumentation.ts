/**
 * What `enableMonitoring` and `enableTelemetry` leave running: at most one
 * monitor and one tracer per orchestrator. Enabling again replaces the
 * previous one; `stop` (run at shutdown) ends both.
 */
import { ConfigError, ShutDownError } from '../protocols/errors/errors.js';
import type { MonitoringMetrics } from './monitoring/metrics.js';
import { startMonitoring } from './monitoring/monitoring.js';
import type { Monitoring, MonitoringHost, MonitoringOptions } from './monitoring/monitoring.js';
import { enableTelemetry } from './telemetry.js';
import type { Telemetry, TelemetryOptions } from './telemetry.js';

export class Instrumentation {
  readonly #host: MonitoringHost;
  #monitoring: Monitoring | undefined;
  #telemetry: Telemetry | undefined;
  #stopped = false;

  constructor(host: MonitoringHost) {
    this.#host = host;
  }

  /**
   * Stops the previous monitor, then starts one with `options`.
   * @throws ConfigError for an unknown metric, a bad threshold or port; ShutDownError when stopped meanwhile.
   */
  async enableMonitoring(options: MonitoringOptions): Promise<Monitoring> {
    const previous = this.#monitoring;
    this.#monitoring = undefined;
    await previous?.stop();
    const monitoring = await startMonitoring(this.#host, options);
    if (this.#stopped) {
      await monitoring.stop();
      throw new ShutDownError();
    }
    this.#monitoring = monitoring;
    return monitoring;
  }

  /**
   * The current monitor's metrics.
   * @throws ConfigError when monitoring was not enabled.
   */
  metrics(): MonitoringMetrics {
    if (!this.#monitoring) throw new ConfigError('monitoring', 'call enableMonitoring() before getMetrics()');
    return this.#monitoring.metrics();
  }

  /** Stops the previous tracing, then starts tracing with `options`. */
  async enableTelemetry(options: TelemetryOptions): Promise<Telemetry> {
    this.#telemetry?.stop();
    this.#telemetry = undefined;
    const telemetry = await enableTelemetry(this.#host.events, options);
    if (this.#stopped) {
      telemetry.stop();
      throw new ShutDownError();
    }
    this.#telemetry = telemetry;
    return telemetry;
  }

  /** Stops monitoring and tracing for good. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#telemetry?.stop();
    this.#telemetry = undefined;
    const monitoring = this.#monitoring;
    this.#monitoring = undefined;
    await monitoring?.stop();
  }
}
