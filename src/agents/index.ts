/**
 * Hosting agents: the pool that spawns and reuses agent actors from templates,
 * agent config, consultation between agents, broadcast and subscribe, tools and memory.
 */
export {
  DEFAULT_MAX_PARALLEL_TOOL_CALLS,
  STANDALONE_DEFAULTS,
  agentConfigSchema,
  differingConfigFields,
  resolveAgentConfig,
} from './agent-config.js';
export type { AgentDefaults } from './agent-config.js';
export { abortReason, inspectPooledAgent, inspectionOf, stateName } from './agent-inspection.js';
export type { AgentInspection } from './agent-inspection.js';
export { malformedReply } from './agent-reply.js';
export { AgentSlots, DEFAULT_MAX_PARKED_AGENTS } from './agent-slots.js';
export { CollaborativeAgent } from './collaborative-agent.js';
export type {
  CollaborationContext,
  CollaborationHost,
  CollaborativeAgentOptions,
} from './collaborative-agent.js';
export { ConsultationDesk, failedOutcome } from './consultation-desk.js';
export type { ConsultationOutcome, ConsultationRequest, FailedOutcome } from './consultation-desk.js';
export { deliverToAgent, spawnAgentActor, stopAgentActor } from './direct-route.js';
export {
  ConversationMemory,
  OBSERVATION_HEADING,
  SUMMARY_HEADING,
  SUMMARY_INSTRUCTIONS,
  buildSummaryRequest,
  compactionCut,
  createModelSummarizer,
} from './memory.js';
export type {
  CompactionResult,
  ConversationMemoryData,
  ConversationMemoryOptions,
  Summarize,
} from './memory.js';
export { Messaging, consultationErrorOf } from './messaging.js';
export type {
  BroadcastCallback,
  BroadcastMessage,
  BroadcastReport,
  BroadcastRequest,
  ConsultationMessage,
  ConsultationReply,
  MessagingOptions,
  RouteMessageRequest,
  SubscribeRequest,
} from './messaging.js';
export { AGENT_POOL_INBOX_ID } from './agent-record.js';
export type { AgentPoolOptions, AgentRecord, AgentRunOutcome, SpawnRequest } from './agent-record.js';
export { AgentPool } from './pool.js';
export { ToolRegistry, isZodTool, modelToolName } from './tools.js';
export type { AgentTool, JsonSchemaTool, ZodTool } from './tools.js';
