/**
 * `enableMonitoring` wiring: subscribes metrics, alerts and (optionally) the
 * live dashboard to the orchestrator's progress events.
 *
 * Agents' current states come from their actors' snapshots, subscribed to only
 * while a browser is connected; with no browser, each event costs a few
 * counter updates.
 */
import { randomBytes } from 'node:crypto';
import type { ApprovalRequest } from '../../protocols/approval.js';
import type { DashboardApprovalActions } from './dashboard/actions.js';
import type { AnyActorRef, Subscription } from 'xstate';
import { ConfigError } from '../../protocols/errors/errors.js';
import type { BudgetSnapshot } from '../../model/budget.js';
import { AlertMonitor } from './alerts.js';
import type { AlertThresholds } from './alerts.js';
import { dashboardPage } from './dashboard/page.js';
import { startDashboardServer } from './dashboard/server.js';
import type { DashboardServer } from './dashboard/server.js';
import { DashboardModel, phaseOfState } from './dashboard/state.js';
import type { EventHub, TroupeEvent, TroupeEventType } from '../../protocols/events.js';
import { MetricsCollector } from './metrics.js';
import type { MetricName, MonitoringMetrics } from './metrics.js';

/** What `enableMonitoring` takes. */
export interface MonitoringOptions {
  /** Which metrics to collect (default all five); an unselected one is absent from `getMetrics()`. */
  readonly metrics?: readonly MetricName[];
  /** Serve the live dashboard on 127.0.0.1 at this port (0: any free port). Absent: no dashboard. */
  readonly dashboardPort?: number;
  /** Thresholds that fire `alert` events, in these units: share, dollars per task, seconds per task. */
  readonly alertThresholds?: AlertThresholds;
  /** Clock for alerts' `at` (epoch ms). Default Date.now. */
  readonly now?: () => number;
  /** Least time between two dashboard pushes, in ms. Default 100. */
  readonly dashboardThrottleMs?: number;
  /** Most workflows kept in `perWorkflow` (default 1000; finished ones are dropped first). Totals stay exact. */
  readonly maxWorkflows?: number;
  /** Most agents kept in `perAgent` (default 10,000; least recently seen dropped first). Totals stay exact. */
  readonly maxAgents?: number;
  /**
   * Show each agent's streamed output (its last 2 KB) while a browser watches;
   * model calls then stream while the dashboard is open. Model output can
   * quote the prompt: turn this off when the dashboard must show no text at all. Default true.
   */
  readonly dashboardLiveText?: boolean;
}

/** What monitoring needs from the orchestrator. */
export interface MonitoringHost {
  readonly events: EventHub;
  readonly budget: { snapshot(): BudgetSnapshot };
  readonly limits: { readonly maxCostPerAgentCents?: number; readonly totalCostLimitCents?: number };
  /** The live actor of an agent (`system.get('agent:<id>')`). */
  readonly agentActor: (agentId: string) => AnyActorRef | undefined;
  /** Cuts known secrets (API keys) out of text the dashboard shows. Default: text unchanged. */
  readonly scrub?: (text: string) => string;
  /** Where runs wait for a person: the dashboard lists them and decides through its token-guarded actions. */
  readonly approvals?: DashboardApprovalActions & { list(): ApprovalRequest[] };
}

/** Events metrics and alerts fold (listening to all would make every hot path build payloads). */
const OBSERVED: readonly TroupeEventType[] = [
  'agent.spawned',
  'agent.stopped',
  'agent.crashed',
  'model.call.finished',
  'model.call.failed',
  'task.finished',
  'workflow.started',
  'workflow.finished',
];

/** Events only the dashboard draws: listened to only when there is one. */
const OBSERVED_BY_DASHBOARD: readonly TroupeEventType[] = ['task.started', 'task.retrying', 'alert', 'approval.requested', 'approval.decided'];

/** A running monitor; `enableMonitoring` returns it. */
export class Monitoring {
  /** The dashboard's address (`http://127.0.0.1:<port>/`), when one was asked for. */
  readonly dashboardUrl: string | undefined;
  /**
   * The secret the dashboard's actions (approve, reject, answer) carry in
   * `x-troupe-token`; the page it serves holds it. Undefined without a dashboard.
   */
  readonly dashboardToken: string | undefined;
  readonly collected: readonly MetricName[];
  readonly alertThresholds: AlertThresholds;
  readonly #metrics: MetricsCollector;
  readonly #offs: (() => void)[] = [];
  readonly #server: DashboardServer | undefined;
  #stopped = false;

  /** Use {@link startMonitoring}. */
  private constructor(parts: {
    metrics: MetricsCollector;
    alerts: AlertMonitor;
    server: DashboardServer | undefined;
    token: string | undefined;
    offs: (() => void)[];
  }) {
    this.dashboardToken = parts.token;
    this.#metrics = parts.metrics;
    this.collected = parts.metrics.selected;
    this.alertThresholds = parts.alerts.thresholds;
    this.#server = parts.server;
    this.dashboardUrl = parts.server?.url;
    this.#offs.push(...parts.offs);
  }

  /** The metrics so far. */
  metrics(): MonitoringMetrics {
    return this.#metrics.snapshot();
  }

  /** Unsubscribes from the events and closes the dashboard. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const off of this.#offs.splice(0)) off();
    await this.#server?.close();
  }

  /** @internal Assembles a Monitoring; see {@link startMonitoring}. */
  static async start(host: MonitoringHost, options: MonitoringOptions): Promise<Monitoring> {
    const now = options.now ?? Date.now;
    const metrics = new MetricsCollector(options.metrics, {
      ...(options.maxWorkflows === undefined ? {} : { maxWorkflows: options.maxWorkflows }),
      ...(options.maxAgents === undefined ? {} : { maxAgents: options.maxAgents }),
    });
    const alerts = new AlertMonitor(options.alertThresholds, { now, fire: (alert) => host.events.emit('alert', alert) });
    const port = options.dashboardPort;
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
      throw new ConfigError('dashboardPort', 'must be a whole number from 0 to 65535 (0 picks a free port)');
    }
    const offs: (() => void)[] = [];
    const liveText = options.dashboardLiveText ?? true;
    const dashboard = port === undefined ? undefined : await startDashboard(host, port, now, options.dashboardThrottleMs, liveText);
    if (dashboard) offs.push(() => dashboard.unwatchAll());
    const observe = (event: TroupeEvent): void => {
      metrics.observe(event);
      alerts.observe(event);
      dashboard?.observe(event);
    };
    for (const type of dashboard ? [...OBSERVED, ...OBSERVED_BY_DASHBOARD] : OBSERVED) offs.push(host.events.on(type, observe));
    return new Monitoring({ metrics, alerts, server: dashboard?.server, token: dashboard?.token, offs });
  }
}

/**
 * Starts monitoring an orchestrator's events (what `orchestrator.enableMonitoring` does).
 *
 * @example
 * ```ts
 * const monitoring = await startMonitoring(host, { metrics: ['cost', 'error_rate'], dashboardPort: 0 });
 * console.log(monitoring.dashboardUrl, monitoring.metrics().totalCost);
 * await monitoring.stop();
 * ```
 * @throws ConfigError for an unknown metric, a bad threshold or port; PortInUseError when the dashboard port is taken.
 */
export function startMonitoring(host: MonitoringHost, options: MonitoringOptions = {}): Promise<Monitoring> {
  return Monitoring.start(host, options);
}

/** The dashboard: its model, server, and the agent actors watched while browsers are connected. */
/** Whether an agent actor's snapshot is that of `agentId` (a context without an agentId, a custom agent's, counts as it). */
function servesAgent(snapshot: unknown, agentId: string): boolean {
  if (typeof snapshot !== 'object' || snapshot === null || !('context' in snapshot)) return true;
  const context: unknown = snapshot.context;
  if (typeof context !== 'object' || context === null || !('agentId' in context)) return true;
  return context.agentId === agentId;
}

async function startDashboard(host: MonitoringHost, port: number, now: () => number, throttleMs: number | undefined, liveText: boolean) {
  const { approvals } = host;
  const model = new DashboardModel({
    now,
    budget: () => host.budget.snapshot(),
    limits: host.limits,
    ...(approvals ? { approvals: () => approvals.list() } : {}),
  });
  const token = randomBytes(24).toString('base64url');
  const watched = new Map<string, Subscription>();
  let watching = false;
  let offDeltas: (() => void) | undefined;

  const watch = (agentId: string): void => {
    if (watched.has(agentId)) return;
    const ref = host.agentActor(agentId);
    if (!ref) return;
    const apply = (snapshot: unknown): void => {
      // A reused actor is parked and given to another agent: what it does then is not this agent's phase.
      if (!servesAgent(snapshot, agentId)) {
        unwatch(agentId);
        return;
      }
      const value = typeof snapshot === 'object' && snapshot !== null && 'value' in snapshot ? snapshot.value : undefined;
      if (model.setPhase(agentId, phaseOfState(value))) server.notify();
    };
    apply(ref.getSnapshot());
    watched.set(agentId, ref.subscribe({ next: apply, error: () => undefined }));
  };
  const unwatch = (agentId: string): void => {
    watched.get(agentId)?.unsubscribe();
    watched.delete(agentId);
  };
  const unwatchAll = (): void => {
    for (const subscription of watched.values()) subscription.unsubscribe();
    watched.clear();
    offDeltas?.();
    offDeltas = undefined;
  };

  const server = await startDashboardServer({
    port,
    page: dashboardPage(approvals ? token : undefined),
    ...(approvals ? { actions: { token, approvals } } : {}),
    snapshot: () => model.snapshot(),
    ...(throttleMs === undefined ? {} : { throttleMs }),
    onClients: (count) => {
      watching = count > 0;
      if (!watching) {
        // Nobody looks: stop asking for deltas, so model calls no longer stream for the dashboard.
        offDeltas?.();
        offDeltas = undefined;
        return unwatchAll();
      }
      const scrub = host.scrub ?? ((text: string) => text);
      if (liveText) {
        offDeltas ??= host.events.on('model.delta', (event) => {
          if (model.observe({ ...event, text: scrub(event.text) })) server.notify();
        });
      }
      for (const agentId of model.liveAgentIds()) watch(agentId);
    },
  });

  return {
    server,
    token: approvals ? token : undefined,
    unwatchAll,
    observe(event: TroupeEvent): void {
      const changed = model.observe(event);
      if (event.type === 'task.finished') {
        // The result tells how the agent ended, watched or not (a reused actor is idle again by now).
        const { status } = event.result;
        if (status === 'succeeded') model.setPhase(event.agentId, 'done');
        else if (status === 'failed' || status === 'budget_exceeded') model.setPhase(event.agentId, 'failed');
      }
      if (!watching) return;
      if (event.type === 'agent.spawned') watch(event.agentId);
      else if (event.type === 'agent.stopped' || event.type === 'agent.crashed') unwatch(event.agentId);
      if (changed) server.notify();
    },
  };
}
