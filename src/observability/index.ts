/**
 * Seeing the system: the logger, redaction, debug mode, OpenTelemetry tracing,
 * the Stately inspector relay, and monitoring (metrics, alerts, dashboard).
 */
export { DebugControl, agentFileName } from './debug.js';
export type { DebugControlOptions, DebugLogLevel, DebugModeOptions, DebugModeState } from './debug.js';
export { startWebSocketRelay } from './inspector-relay.js';
export type { WebSocketRelay, WebSocketRelayOptions } from './inspector-relay.js';
export { STATELY_INSPECTOR_URL, redactStatelyEvent, startInspectorRelay } from './inspector.js';
export type { InspectorRelay, InspectorRelayOptions } from './inspector.js';
export { Instrumentation } from './instrumentation.js';
export { LevelLogger, createConsoleLogger, isLogger, logEvents, silentLogger } from './logger.js';
export type { ConsoleLoggerOptions, LogFields, LogLevel, Logger } from './logger.js';
export { redactDefinition, redactMachineConfig } from './redact-definition.js';
export { ReplayBuffer } from './replay-buffer.js';
export type { ReplayMessage } from './replay-buffer.js';
export type {
  StatelyActorEvent,
  StatelyEventBase,
  StatelyEventEvent,
  StatelyInspectedSnapshot,
  StatelyInspectionEvent,
  StatelySnapshotEvent,
} from './stately-events.js';
export { SPAN_NAMES, enableTelemetry } from './telemetry.js';
export type { Telemetry, TelemetryOptions } from './telemetry.js';
export {
  AlertMonitor,
  resolveAlertThresholds,
  CONFIDENCE_BUCKETS,
  METRIC_NAMES,
  Tally,
  DEFAULT_MAX_AGENT_METRICS,
  DEFAULT_MAX_WORKFLOW_METRICS,
  MetricsCollector,
  Monitoring,
  startMonitoring,
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
} from './monitoring/index.js';
export type {
  AlertMonitorOptions,
  AlertName,
  AlertThresholds,
  MonitoringAlert,
  ConfidenceBucket,
  ConfidenceStats,
  GroupMetrics,
  MetricName,
  TaskCounts,
  TokenTotals,
  MetricsBounds,
  MonitoringMetrics,
  WorkflowMetrics,
  MonitoringHost,
  MonitoringOptions,
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
} from './monitoring/index.js';
