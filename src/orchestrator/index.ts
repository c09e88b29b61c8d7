/**
 * The Orchestrator facade, the runtime wiring behind it, its config, the
 * standalone ThinkingAgent, and the pipeline and map-reduce patterns.
 */
export { createMemoryCompactor, createSharedContext, loadTaskArtifacts } from './agent-services.js';
export type { MemoryCompactorDeps } from './agent-services.js';
export { configErrorFrom, orchestratorConfigSchema, resolveConfig } from './config.js';
export type { OrchestratorConfig, ResolvedConfig } from './config.js';
export { EnhancedAgentOrchestrator, Orchestrator } from './orchestrator.js';
export type { AgentInspection, AgentRef } from './orchestrator.js';
export { createPipeline, groupStages, mapReduce } from './patterns.js';
export type {
  MapReduceOptions,
  MapReduceResult,
  Pipeline,
  PipelineExecuteOptions,
  PipelineIntermediate,
  PipelineResult,
  PipelineStage,
  TaskExecutor,
} from './patterns.js';
export { costLimits, createRuntime, liveAgentIds, shutdownRuntime } from './runtime.js';
export type { Runtime, RuntimeHooks } from './runtime.js';
export { ThinkingAgent } from './thinking-agent.js';
export type { ExecuteTaskOptions, ThinkingAgentOptions } from './thinking-agent.js';
export { DEFAULT_STREAM_BUFFER, EventBuffer } from './event-buffer.js';
export { toTextStream } from './text-stream.js';
export type { TextStreamOptions } from './text-stream.js';
export { streamWorkflowEvents } from './workflow-stream.js';
export type { StreamWorkflowOptions, WorkflowEventStream } from './workflow-stream.js';
