/**
 * The agent machine: idle → working (compacting, thinking, acting, usingTools,
 * consulting, reflecting, exploring) → done | failed. It reaches the model, tools
 * and peers only through the services it is given, so it runs unchanged on any provider.
 */
export { approvalRoundInput, awaitApprovalsLogic, needsPerson } from './approvals.js';
export type { ApprovalDecisions, ApprovalRoundInput, WaitingCall } from './approvals.js';
export { ASK_HUMAN_TOOL, ASK_HUMAN_TOOL_NAME, decidedResult, withApprovalNote } from './ask-human.js';
export { compactMemoryLogic, compactedContext, compactionInput } from './compaction.js';
export type { CompactionInput } from './compaction.js';
export { answerConsultationLogic, closeConsultation, openConsultation } from './consultation.js';
export type { ClosedConsultation, ConsultationInput, OpenedConsultation } from './consultation.js';
export { contextOf } from './context-of.js';
export { initialContext } from './initial-context.js';
export { createAgentMachine } from './machine.js';
export type { AgentMachine } from './machine.js';
export {
  CONSULT_TOOL_NAME,
  REFLECTION_OUTPUT,
  REFLECTION_SCHEMA,
  actingPrompt,
  alternativePrompt,
  consultToolDefinition,
  consultationPrompt,
  readReflection,
  reflectionPrompt,
  renderTask,
  renderValue,
  thinkingPrompt,
} from './prompts.js';
export type { ReflectionNotes, ReflectionReading } from './prompts.js';
export {
  EMPTY_RUN,
  MAX_OBSERVATIONS,
  accountCall,
  actingCall,
  alternativeCall,
  bestAnswer,
  consultableAgents,
  consultationCall,
  evaluateCandidate,
  invalidReflection,
  observationOf,
  reflectingCall,
  reflectionFailure,
  rememberTurn,
  resultOf,
  shouldExplore,
  systemPromptOf,
  thinkingCall,
  withCandidate,
  withObservation,
  withReflectionRetry,
} from './run.js';
export type { AgentIdentity, AgentRun, EvaluatedAnswer } from './run.js';
export {
  asksPeer,
  consultArguments,
  pendingToolCalls,
  runToolCalls,
  toolRunInput,
  withToolCalls,
  withToolResults,
} from './tools.js';
export type { ToolRunInput } from './tools.js';
export type {
  AgentContext,
  AgentEmitted,
  AgentEvent,
  AgentMachineInput,
  AgentReassignEvent,
  AgentStep,
  ConsultationEndEvent,
  PendingConsultation,
} from './types.js';
