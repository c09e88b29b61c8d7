/**
 * Monitoring: metrics over finished tasks, threshold alerts, and the dashboard.
 */
export { AlertMonitor, resolveAlertThresholds } from './alerts.js';
export type { AlertMonitorOptions, AlertName, AlertThresholds, MonitoringAlert } from './alerts.js';
export { CONFIDENCE_BUCKETS, METRIC_NAMES } from './metric-types.js';
export type {
  ConfidenceBucket,
  ConfidenceStats,
  GroupMetrics,
  MetricName,
  TaskCounts,
  TokenTotals,
} from './metric-types.js';
export { Tally } from './metrics-tally.js';
export { DEFAULT_MAX_AGENT_METRICS, DEFAULT_MAX_WORKFLOW_METRICS, MetricsCollector } from './metrics.js';
export type { MetricsBounds, MonitoringMetrics, WorkflowMetrics } from './metrics.js';
export { Monitoring, startMonitoring } from './monitoring.js';
export type { MonitoringHost, MonitoringOptions } from './monitoring.js';
export {
  handleAction,
  isActionPath,
  APPROVALS_SCRIPT,
  APPROVALS_STYLE,
  approvalsSection,
  MAX_APPROVAL_TEXT,
  approvalView,
  LIVE_TEXT_CHARS,
  NO_LIVE_TEXT,
  appendLiveText,
  dashboardPage,
  startDashboardServer,
  AGENT_PHASES,
  DashboardModel,
  MAX_AGENTS_SHOWN,
  MAX_TASKS_SHOWN,
  phaseOfState,
} from './dashboard/index.js';
export type {
  DashboardActions,
  DashboardApprovalActions,
  DashboardApproval,
  LiveText,
  DashboardServer,
  DashboardServerOptions,
  DashboardAgent,
  DashboardModelOptions,
  DashboardSnapshot,
  DashboardTask,
  DashboardTaskStatus,
  DashboardWorkflow,
} from './dashboard/index.js';
