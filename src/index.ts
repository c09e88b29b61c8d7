/**
 * troupe: an actor-model runtime for LLM multi-agent orchestration, on XState v5.
 * Public API: explicit named re-exports only.
 */

// Orchestrator and agents
export { Orchestrator, EnhancedAgentOrchestrator } from './orchestrator/orchestrator.js';
export { createWorker } from './orchestrator/worker.js';
export type { CreateWorkerOptions, TroupeWorker } from './orchestrator/worker.js';
export type { AgentRef, AgentInspection } from './orchestrator/orchestrator.js';
export { ThinkingAgent } from './orchestrator/thinking-agent.js';
export type { ThinkingAgentOptions, ExecuteTaskOptions, ProviderConnection } from './orchestrator/thinking-agent.js';
export type { OrchestratorConfig, ResolvedConfig } from './orchestrator/config.js';
export type { SpawnRequest, AgentRecord } from './agents/agent-record.js';
export type { AgentTool, ZodTool, JsonSchemaTool } from './agents/tools.js';
export { modelToolName } from './agents/tools.js';

// MCP: an MCP server's tools for agents, and troupe served over MCP (docs/mcp.md)
export { renderToolResult } from './mcp/index.js';
export type {
  McpServerConfig,
  McpStdioServerConfig,
  McpHttpServerConfig,
  McpServerHandle,
  McpServerState,
  McpServerStatus,
} from './mcp/index.js';
export { serveMcp, SERVED_TOOLS } from './mcp-server/index.js';
export type { ServeMcpOptions, McpServing } from './mcp-server/index.js';
export { EventHub } from './protocols/events.js';

// Observability: inspector, debug mode, telemetry, logging (docs/observability.md)
export { startInspectorRelay, redactStatelyEvent, STATELY_INSPECTOR_URL } from './observability/inspector.js';
export type { InspectorRelay, InspectorRelayOptions } from './observability/inspector.js';
export type { StatelyInspectionEvent, StatelyActorEvent, StatelyEventEvent, StatelySnapshotEvent, StatelyInspectedSnapshot, StatelyEventBase } from './observability/stately-events.js';
export { startWebSocketRelay } from './observability/inspector-relay.js';
export type { WebSocketRelay, WebSocketRelayOptions } from './observability/inspector-relay.js';
export {
  createRedactor,
  isSecretField,
  redactEvent,
  redactInspectionEvent,
  redactingObserver,
  redactRecord,
  redactSnapshot,
  REDACTED,
} from './util/sanitize.js';
export type { Redactor, RedactorOptions } from './util/sanitize.js';
export { agentFileName } from './observability/debug.js';
export type { DebugLogLevel, DebugModeOptions, DebugModeState } from './observability/debug.js';
export { enableTelemetry, SPAN_NAMES } from './observability/telemetry.js';
export type { Telemetry, TelemetryOptions } from './observability/telemetry.js';
export { createConsoleLogger, isLogger, LevelLogger, logEvents, silentLogger } from './observability/logger.js';
export type { ConsoleLoggerOptions, LogFields, LogLevel, Logger } from './observability/logger.js';
export { Messaging } from './agents/messaging.js';
export type {
  BroadcastCallback,
  BroadcastMessage,
  BroadcastReport,
  BroadcastRequest,
  ConsultationMessage,
  ConsultationReply,
  RouteMessageRequest,
  SubscribeRequest,
} from './agents/messaging.js';
export { CollaborativeAgent } from './agents/collaborative-agent.js';
export type { CollaborativeAgentOptions, CollaborationContext, CollaborationHost } from './agents/collaborative-agent.js';
export type { TroupeEvent, TroupeEventMap, TroupeEventType, TroupeListener } from './protocols/events.js';
export { BudgetLedger, estimateWorstCaseCents, DEFAULT_MAX_AGENT_ACCOUNTS } from './model/budget.js';
export type { BudgetSnapshot, BudgetLimits, BudgetLedgerOptions, Reservation, ReservationOutcome, SettleOptions } from './model/budget.js';
export { upperBoundRequestTokens } from './model/token-bound.js';
export { addCents, roundCents } from './protocols/cents.js';
// Monitoring: metrics, alerts, the live dashboard
export { Monitoring, startMonitoring } from './observability/monitoring/monitoring.js';
export type { MonitoringOptions, MonitoringHost } from './observability/monitoring/monitoring.js';
export { MetricsCollector, METRIC_NAMES, CONFIDENCE_BUCKETS, DEFAULT_MAX_WORKFLOW_METRICS, DEFAULT_MAX_AGENT_METRICS } from './observability/monitoring/metrics.js';
export type {
  MetricName,
  MonitoringMetrics,
  GroupMetrics,
  WorkflowMetrics,
  TaskCounts,
  ConfidenceStats,
  ConfidenceBucket,
  TokenTotals,
  MetricsBounds,
} from './observability/monitoring/metrics.js';
export { AlertMonitor, resolveAlertThresholds } from './observability/monitoring/alerts.js';
export type { AlertThresholds, AlertName, MonitoringAlert } from './observability/monitoring/alerts.js';
export { startDashboardServer } from './observability/monitoring/dashboard/server.js';
export type { DashboardServer, DashboardServerOptions } from './observability/monitoring/dashboard/server.js';
export { DashboardModel, AGENT_PHASES } from './observability/monitoring/dashboard/state.js';
export type { DashboardSnapshot, DashboardAgent, DashboardWorkflow, DashboardTask } from './observability/monitoring/dashboard/state.js';
export { dashboardPage } from './observability/monitoring/dashboard/page.js';
export { retryDelayMs } from './runs/retry.js';
export { parseJournal, WorkflowJournals } from './journal/journal.js';
export type {
  JournalEntry,
  JournalRecord,
  JournalReading,
  JournalSetting,
  JournaledRunStatus,
  JournaledTaskStatus,
  ReplayModifications,
  WorkflowRecord,
} from './journal/journal.js';
export type { JournaledToolResult } from './journal/records.js';
export type { ReplayMismatch } from './journal/recorder.js';
export type { JournalRetention } from './journal/retention.js';
export type { ReplayResult, ReplayWorkflowOptions, ResumeWorkflowOptions, TaskDiff, WorkflowDiff } from './runs/replay.js';
export { FsJournalStorage } from './storage/journal-fs.js';
export type { FsJournalStorageOptions } from './storage/journal-fs.js';
export { MemoryJournalStorage } from './storage/journal-memory.js';
export type { JournalStorage } from './storage/journal-storage.js';
export { hashModelRequest } from './providers/request-hash.js';
export { ConversationMemory, createModelSummarizer } from './agents/memory.js';
export type { ConversationMemoryOptions, CompactionResult } from './agents/memory.js';
export { createPipeline, mapReduce } from './orchestrator/patterns.js';
export type {
  Pipeline,
  PipelineStage,
  PipelineExecuteOptions,
  PipelineResult,
  PipelineIntermediate,
  MapReduceOptions,
  MapReduceResult,
  RunOptions,
} from './orchestrator/patterns.js';
export { DEFAULT_MAX_INPUT_DATA_BYTES } from './util/input-data.js';
export { RESERVED_IDS } from './util/arguments.js';
export type { ExecuteWorkflowOptions } from './runs/workflow-runner.js';

// Shared context store
export { SharedContextStore } from './context/store.js';
export type { SharedContextStoreOptions, StoreArtifactOptions, GetArtifactOptions } from './context/store.js';
export { PermissionTable } from './context/permissions.js';
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
export type { RetryPolicy } from './runs/retry.js';

// Actors, for embedding and custom agents
export { createAgentMachine } from './actors/agent/machine.js';
export type { AgentMachine, AgentMachineInput, AgentContext, AgentEmitted } from './actors/agent/machine.js';
export { createSupervisorMachine, THINKING_AGENT_TYPE, DEFAULT_MAX_CONSULTATION_DEPTH } from './actors/supervisor.js';
export { CONSULT_TOOL_NAME } from './actors/agent/prompts.js';
export { MAX_OBSERVATIONS } from './actors/agent/run.js';
export { resolveAgentConfig, STANDALONE_DEFAULTS } from './agents/agent-config.js';
export { messageText, systemText } from './protocols/model.js';
export type { SupervisorMachine, DeliverEvent } from './actors/supervisor.js';
export { SubAgentTask } from './actors/workflow/tasks.js';

// Providers
export { createSimulatedProvider } from './providers/simulated/simulated.js';
export type { SimulatedProviderOptions } from './providers/simulated/simulated.js';
export { createAnthropicProvider } from './providers/anthropic.js';
export { createOpenAIProvider } from './providers/openai.js';
export { DEFAULT_PRICES, findPrice, requirePrice, costOfUsage } from './providers/model-prices.js';

// Contracts
export { agentSystemId, agentTaskResult, consultReply } from './protocols/agent-protocol.js';
export { locateAgent } from './actors/agent-directory.js';
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
export { TRUNCATED_CONFIDENCE_CAP } from './protocols/agent.js';
export type { AgentServices, ToolRunContext, ToolRunResult } from './protocols/agent-runtime.js';
export type { ConsultAnswer, ConsultRequest } from './protocols/agent-runtime.js';
export type { ModelCall, ModelCallInterceptor, ModelCallOutcome, ModelCallPurpose, ModelGateway, NextModelCall } from './protocols/gateway.js';
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
  ToolResultBlock,
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
  AgentExistsError,
  PortInUseError,
  AgentFailedError,
  BudgetExceededError,
  BudgetOverrunError,
  InvalidReflectionError,
  InvalidVoteError,
  PermissionDeniedError,
  VersionConflictError,
  FencedError,
  ToolNotOnWorkerError,
  DistributedUnavailableError,
  ArtifactNotFoundError,
  InvalidArtifactIdError,
  ArtifactTooLargeError,
  WorkflowValidationError,
  WorkflowNotFoundError,
  WorkflowRunningError,
  InputDataTooLargeError,
  ConsultationCycleError,
  ConsultationTimeoutError,
  CrossAgentQueriesDisabledError,
  CancelledError,
  ShutDownError,
  ProviderError,
  MalformedUsageError,
  MalformedResponseError,
  ReplayMismatchError,
  JournalCorruptError,
  WorkspaceLockedError,
  McpServerUnavailableError,
  McpToolError,
  ApprovalRejectedError,
  ApprovalTimeoutError,
  ApprovalNotFoundError,
  toErrorData,
} from './protocols/errors/errors.js';
export type { ArtifactOperation, ErrorData, TroupeErrorCode, WorkspaceLockHolder } from './protocols/errors/errors.js';

// Streaming (docs/streaming.md)
export type { ModelDelta, ModelDeltaSink } from './protocols/model.js';
export { stepOfPurpose } from './protocols/gateway.js';
export type { ModelCallDelta, ModelCallStep } from './protocols/gateway.js';
export type { WorkflowEvent, WorkflowEventType } from './protocols/events.js';
export { streamWorkflowEvents } from './orchestrator/streaming/workflow-stream.js';
export type { StreamWorkflowOptions, WorkflowEventStream } from './orchestrator/streaming/workflow-stream.js';
export { EventBuffer, DEFAULT_STREAM_BUFFER } from './orchestrator/streaming/event-buffer.js';
export { toTextStream } from './orchestrator/streaming/text-stream.js';
export type { TextStreamOptions } from './orchestrator/streaming/text-stream.js';
export { isEventOfWorkflow, observeWorkflow } from './runs/workflow-events.js';
export { parsePartialJson } from './util/partial-json.js';
export { partialChargeOf } from './model/partial-charge.js';
export type { PartialCharge } from './model/partial-charge.js';
export type { ApprovalAsk, ApprovalDecision, ApprovalKind, ApprovalRequest } from './protocols/approval.js';
export { ApprovalDesk, approvalId } from './runs/approvals.js';
export type { Approvals, ApprovalDeskOptions, ApprovalJournal } from './runs/approvals.js';
export { ASK_HUMAN_TOOL, ASK_HUMAN_TOOL_NAME } from './actors/agent/ask-human.js';
export type { DashboardApproval } from './observability/monitoring/dashboard/approvals-view.js';
export type { DashboardActions, DashboardApprovalActions } from './observability/monitoring/dashboard/actions.js';
