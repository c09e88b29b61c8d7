/**
 * Contracts only: the types, zod schemas, error classes and event map that every
 * other folder speaks. No state and no I/O.
 */
export { agentSystemId, agentTaskResult, consultReply } from './agent-protocol.js';
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
} from './agent-protocol.js';
export type {
  AgentServices,
  CompactionOutcome,
  ConsultAnswer,
  ConsultRequest,
  ToolRunContext,
  ToolRunResult,
} from './agent-runtime.js';
export { EMPTY_MEMORY, TRUNCATED_CONFIDENCE_CAP } from './agent.js';
export type {
  AgentConfig,
  AgentDescriptor,
  AgentFailure,
  AgentMemoryData,
  AgentPhase,
  AgentTask,
  AgentTaskResult,
  AgentTemplate,
  AlternativeResult,
  LoadedArtifact,
  ResolvedAgentConfig,
  ThinkingStyle,
} from './agent.js';
export type { ApprovalAsk, ApprovalDecision, ApprovalKind, ApprovalRequest } from './approval.js';
export { StoreClosedError, artifactErrorFromData } from './artifact.js';
export type {
  Artifact,
  ArtifactLineage,
  ArtifactMetadata,
  ArtifactModification,
  ArtifactPermissionPolicy,
  ArtifactSummary,
  ArtifactVersionInfo,
  ContextCloseRequest,
  ContextDeleteRequest,
  ContextGetRequest,
  ContextListRequest,
  ContextListVersionsRequest,
  ContextOutcome,
  ContextReplyEvent,
  ContextRequest,
  ContextStoreRequest,
  ContextSweepRequest,
  DeletedArtifactReceipt,
  StoredArtifactReceipt,
} from './artifact.js';
export { MICRO_PER_CENT, addCents, roundCents } from './cents.js';
export {
  AgentBusyError,
  AgentExistsError,
  AgentFailedError,
  AgentNotFoundError,
  AgentTimeoutError,
  BudgetExceededError,
  BudgetOverrunError,
  CancelledError,
  ConfigError,
  ConsultationCycleError,
  ConsultationTimeoutError,
  CrossAgentQueriesDisabledError,
  InputDataTooLargeError,
  InvalidReflectionError,
  InvalidVoteError,
  MalformedUsageError,
  MissingApiKeyError,
  ProviderError,
  ShutDownError,
  WorkflowNotFoundError,
  WorkflowRunningError,
  WorkflowValidationError,
  fromErrorData,
  toErrorData,
} from './errors.js';
export type { BudgetLimitName, ProviderErrorCode } from './errors.js';
export { EventHub } from './events.js';
export type {
  AlertName,
  MonitoringAlert,
  TroupeEvent,
  TroupeEventMap,
  TroupeEventType,
  TroupeListener,
  WorkflowEvent,
  WorkflowEventType,
} from './events.js';
export { stepOfPurpose } from './gateway.js';
export type {
  ModelCall,
  ModelCallDelta,
  ModelCallInterceptor,
  ModelCallOutcome,
  ModelCallPurpose,
  ModelCallStep,
  ModelGateway,
  NextModelCall,
} from './gateway.js';
export {
  EMPTY_USAGE,
  MIN_THINKING_BUDGET_TOKENS,
  addUsage,
  effectiveThinkingBudget,
  estimateRequestTokens,
  estimateTokens,
  messageText,
  systemText,
} from './model.js';
export type {
  ContentBlock,
  JsonSchema,
  ModelDelta,
  ModelDeltaSink,
  ModelMessage,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ReasoningEffort,
  StopReason,
  StructuredOutputRequest,
  SystemBlock,
  SystemPrompt,
  TextBlock,
  TokenUsage,
  ToolCall,
  ToolDefinition,
  ToolResultBlock,
  ToolUseBlock,
} from './model.js';
export type { ModelPrice, PriceTable } from './pricing.js';
export type {
  ReplayModifications,
  RunBeginning,
  RunContinuation,
  WorkflowRunHooks,
  WorkflowRunObserver,
} from './run.js';
export {
  ApprovalNotFoundError,
  ApprovalRejectedError,
  ApprovalTimeoutError,
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  DistributedUnavailableError,
  FencedError,
  InvalidArtifactIdError,
  JournalCorruptError,
  McpServerUnavailableError,
  McpToolError,
  PermissionDeniedError,
  PortInUseError,
  ReplayMismatchError,
  ToolNotOnWorkerError,
  VersionConflictError,
  WorkspaceLockedError,
} from './service-errors.js';
export type { ArtifactOperation, WorkspaceLockHolder } from './service-errors.js';
export { ExecutionMode } from './task.js';
export type {
  ConditionResults,
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
} from './task.js';
export { TroupeError } from './troupe-error.js';
export type { ErrorData, TroupeErrorCode } from './troupe-error.js';
