/**
 * The Orchestrator facade, the runtime wiring behind it, its config, the
 * standalone ThinkingAgent, and the pipeline and map-reduce patterns.
 */
export { createMemoryCompactor, createSharedContext, loadTaskArtifacts } from './agent-services.js';
export type { MemoryCompactorDeps } from './agent-services.js';
export { AgentsClient } from './agents-client.js';
export type { AgentRef } from './agents-client.js';
export {
  checkAgentId,
  checkBroadcast,
  checkDurableRunOptions,
  checkFunction,
  checkOptionalOptions,
  checkRouteMessage,
  checkRunOptions,
  checkSpawnRequest,
  checkSubscribe,
  checkTaskArgument,
  checkTool,
  checkWorkflowOptions,
} from './api-arguments.js';
export { configErrorFrom, orchestratorConfigSchema, resolveConfig } from './config.js';
export type { OrchestratorConfig, ResolvedConfig } from './config.js';
export { DistributedWiring } from './distributed-wiring.js';
export { JournalClient } from './journal-client.js';
export { MessagingClient } from './messaging-client.js';
export { MonitoringClient } from './monitoring-client.js';
export { EnhancedAgentOrchestrator, Orchestrator } from './orchestrator.js';
export type { AgentInspection } from './orchestrator.js';
export { createPipeline, groupStages, mapReduce } from './patterns.js';
export type {
  MapReduceOptions,
  MapReduceResult,
  Pipeline,
  PipelineExecuteOptions,
  PipelineIntermediate,
  PipelineResult,
  PipelineStage,
  RunOptions,
  TaskExecutor,
} from './patterns.js';
export { costLimits, createRuntime, ledgerView, liveAgentIds, shutdownRuntime } from './runtime.js';
export type { Runtime, RuntimeHooks } from './runtime.js';
export { ThinkingAgent } from './thinking-agent.js';
export type { ExecuteTaskOptions, ProviderConnection, ThinkingAgentOptions } from './thinking-agent.js';
export { createWorker } from './worker.js';
export type { CreateWorkerOptions, TroupeWorker } from './worker.js';
export { DEFAULT_STREAM_BUFFER, EventBuffer, toTextStream, streamWorkflowEvents } from './streaming/index.js';
export type { TextStreamOptions, StreamWorkflowOptions, WorkflowEventStream } from './streaming/index.js';
