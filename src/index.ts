/**
 * troupe: an actor-model runtime for LLM multi-agent orchestration, on XState v5.
 * Public API: explicit named re-exports only.
 */

// Orchestrator and agents
export { Orchestrator, EnhancedAgentOrchestrator } from './system/orchestrator.js';
export type { AgentRef, AgentInspection } from './system/orchestrator.js';
export { ThinkingAgent } from './system/thinking-agent.js';
export type { ThinkingAgentOptions, ExecuteTaskOptions } from './system/thinking-agent.js';
export type { OrchestratorConfig, ResolvedConfig } from './system/config.js';
export type { SpawnRequest, AgentRecord } from './system/agent-pool.js';
export type { AgentTool, ZodTool, JsonSchemaTool } from './system/tools.js';
export { EventHub } from './system/events.js';

// Observability: inspector, debug mode, telemetry, logging (docs/observability.md)
export { startInspectorRelay, redactStatelyEvent, STATELY_INSPECTOR_URL } from './system/inspector.js';
export type { InspectorRelay, InspectorRelayOptions } from './system/inspector.js';
export { startWebSocketRelay } from './system/websocket-relay.js';
export type { WebSocketRelay, WebSocketRelayOptions } from './system/websocket-relay.js';
export {
  createRedactor,
  isSecretField,
  redactEvent,
  redactInspectionEvent,
  redactingObserver,
  redactRecord,
  redactSnapshot,
  REDACTED,
} from './system/sanitize.js';
export type { Redactor, RedactorOptions } from './system/sanitize.js';
export { agentFileName } from './system/debug.js';
export type { DebugLogLevel, DebugModeOptions, DebugModeState } from './system/debug.js';
export { enableTelemetry, SPAN_NAMES } from './system/telemetry.js';
export type { Telemetry, TelemetryOptions } from './system/telemetry.js';
export { createConsoleLogger, isLogger, LevelLogger, logEvents, silentLogger } from './system/logger.js';
export type { ConsoleLoggerOptions, LogFields, LogLevel, Logger } from './system/logger.js';
export { Messaging } from './system/messaging.js';
export type {
  BroadcastCallback,
  BroadcastMessage,
  BroadcastReport,
  BroadcastRequest,
  ConsultationMessage,
  ConsultationReply,
  RouteMessageRequest,
  SubscribeRequest,
} from './system/messaging.js';
export { CollaborativeAgent } from './system/collaborative-agent.js';
export type { CollaborativeAgentOptions, CollaborationContext, CollaborationHost } from './system/collaborative-agent.js';
export type { TroupeEvent, TroupeEventMap, TroupeEventType, TroupeListener } from './system/events.js';
export { BudgetLedger, estimateWorstCaseCents } from './system/budget.js';
export type { BudgetSnapshot, BudgetLimits, Reservation } from './system/budget.js';
// Monitoring: metrics, alerts, the live dashboard
export { Monitoring, startMonitoring } from './system/monitoring.js';
export type { MonitoringOptions, MonitoringHost } from './system/monitoring.js';
export { MetricsCollector, METRIC_NAMES, CONFIDENCE_BUCKETS } from './system/metrics.js';
export type {
  MetricName,
  MonitoringMetrics,
  GroupMetrics,
  WorkflowMetrics,
  TaskCounts,
  ConfidenceStats,
  ConfidenceBucket,
  TokenTotals,
} from './system/metrics.js';
export { AlertMonitor, resolveAlertThresholds } from './system/alerts.js';
export type { AlertThresholds, AlertName, MonitoringAlert } from './system/alerts.js';
export { startDashboardServer } from './system/dashboard/server.js';
export type { DashboardServer, DashboardServerOptions } from './system/dashboard/server.js';
export { DashboardModel, AGENT_PHASES } from './system/dashboard/state.js';
export type { DashboardSnapshot, DashboardAgent, DashboardWorkflow, DashboardTask } from './system/dashboard/state.js';
export { dashboardPage } from './system/dashboard/page.js';
export { retryDelayMs } from './system/retry.js';
export { parseJournal } from './system/journal.js';
export type {
  JournalEntry,
  JournalRecord,
  JournalReading,
  JournalSetting,
  JournaledRunStatus,
  JournaledTaskStatus,
  ReplayModifications,
  WorkflowRecord,
} from './system/journal.js';
export type { ReplayMismatch } from './system/journal-recorder.js';
export type { ReplayResult, ReplayWorkflowOptions, ResumeWorkflowOptions, TaskDiff, WorkflowDiff } from './system/replay.js';
export { FsJournalStorage } from './storage/journal-fs.js';
export type { FsJournalStorageOptions } from './storage/journal-fs.js';
export { MemoryJournalStorage } from './storage/journal-memory.js';
export type { JournalStorage } from './storage/journal-storage.js';
export { hashModelRequest } from './providers/request-hash.js';
export { ConversationMemory, createModelSummarizer } from './system/memory.js';
export type { ConversationMemoryOptions, CompactionResult } from './system/memory.js';
export { createPipeline, mapReduce } from './system/patterns.js';
export type {
  Pipeline,
  PipelineStage,
  PipelineExecuteOptions,
  PipelineResult,
  PipelineIntermediate,
  MapReduceOptions,
  MapReduceResult,
} from './system/patterns.js';
export type { ExecuteWorkflowOptions } from './system/workflow-runner.js';

// Shared context store
export { SharedContextStore } from './system/context-store.js';
export type { SharedContextStoreOptions, StoreArtifactOptions, GetArtifactOptions } from './system/context-store.js';
export { PermissionTable } from './system/permissions.js';
export { MemoryArtifactStorage } from './storage/memory-artifacts.js';
export { FsArtifactStorage } from './storage/fs-artifacts.js';
export type { ArtifactStorage } from './storage/artifact-storage.js';
export { StoreClosedError } from './protocols/artifact.js';
export type {
  Artifact,
  ArtifactLineage,
  ArtifactMetadata,
  ArtifactModification,
  ArtifactSummary,
  ArtifactVersionInfo,
  DeletedArtifactReceipt,
  StoredArtifactReceipt,
} from './protocols/artifact.js';
export type { RetryPolicy } from './system/retry.js';

// Actors, for embedding and custom agents
export { createAgentMachine } from './actors/agent.js';
export type { AgentMachine, AgentMachineInput, AgentContext, AgentEmitted } from './actors/agent.js';
export { createSupervisorMachine, THINKING_AGENT_TYPE, DEFAULT_MAX_CONSULTATION_DEPTH } from './actors/supervisor.js';
export { CONSULT_TOOL_NAME } from './actors/agent-prompts.js';
export type { SupervisorMachine, DeliverEvent } from './actors/supervisor.js';
export { SubAgentTask } from './actors/workflow-tasks.js';

// Providers
export { createSimulatedProvider } from './providers/simulated.js';
export type { SimulatedProviderOptions } from './providers/simulated.js';
export { createAnthropicProvider } from './providers/anthropic.js';
export { createOpenAIProvider } from './providers/openai.js';
export { DEFAULT_PRICES, findPrice, requirePrice, costOfUsage } from './providers/pricing.js';

// Contracts
export { agentSystemId, agentTaskResult, consultReply } from './protocols/agent-protocol.js';
export type {
  AgentAbortEvent,
  AgentBroadcastEvent,
  AgentConsultEvent,
  AgentDebugEvent,
  AgentFailureEvent,
  AgentInboundEvent,
  AgentOutboundEvent,
  AgentResultEvent,
  AgentResumeEvent,
  AgentTaskEvent,
  ConsultReplyEvent,
} from './protocols/agent-protocol.js';
export type {
  AgentConfig,
  AgentTemplate,
  AgentTask,
  AgentTaskResult,
  AgentDescriptor,
  AgentPhase,
  AlternativeResult,
  LoadedArtifact,
  ResolvedAgentConfig,
  ThinkingStyle,
} from './protocols/agent.js';
export type { AgentServices, ToolRunContext, ToolRunResult } from './protocols/agent-runtime.js';
export type { ConsultAnswer, ConsultRequest } from './protocols/agent-runtime.js';
export type { ModelCall, ModelCallOutcome, ModelCallPurpose, ModelGateway } from './protocols/gateway.js';
export { EMPTY_USAGE, addUsage, effectiveThinkingBudget, estimateTokens, estimateRequestTokens, MIN_THINKING_BUDGET_TOKENS } from './protocols/model.js';
export type {
  ContentBlock,
  JsonSchema,
  ModelMessage,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ReasoningEffort,
  StopReason,
  StructuredOutputRequest,
  SystemBlock,
  SystemPrompt,
  TokenUsage,
  ToolCall,
  ToolDefinition,
} from './protocols/model.js';
export type { ModelPrice, PriceTable } from './protocols/pricing.js';
export { ExecutionMode } from './protocols/task.js';
export type {
  ConsensusConfig,
  ConsensusMethod,
  ConsensusResult,
  ConsensusVote,
  SubAgentTaskSpec,
  TaskPriority,
  TaskResult,
  TaskStatus,
  WorkflowResult,
  WorkflowStatus,
} from './protocols/task.js';
export {
  TroupeError,
  ConfigError,
  MissingApiKeyError,
  AgentTimeoutError,
  AgentNotFoundError,
  AgentBusyError,
  AgentFailedError,
  BudgetExceededError,
  PermissionDeniedError,
  VersionConflictError,
  ArtifactNotFoundError,
  InvalidArtifactIdError,
  ArtifactTooLargeError,
  WorkflowValidationError,
  WorkflowNotFoundError,
  ConsultationCycleError,
  ConsultationTimeoutError,
  CrossAgentQueriesDisabledError,
  CancelledError,
  ShutDownError,
  ProviderError,
  ReplayMismatchError,
  JournalCorruptError,
  toErrorData,
} from './protocols/errors.js';
export type { ErrorData, TroupeErrorCode } from './protocols/errors.js';
