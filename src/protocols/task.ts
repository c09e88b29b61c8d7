/**
 * Workflow tasks and their results: SubAgentTask and the typed
 * result of `executeWorkflow`.
 */
import type { ErrorData } from './errors/errors.js';
import type { AlternativeResult } from './agent.js';
import type { TokenUsage } from './model.js';

/** Parallel tasks run side by side; a Sequential task runs alone. */
export const ExecutionMode = {
  Parallel: 'parallel',
  Sequential: 'sequential',
} as const;
export type ExecutionMode = (typeof ExecutionMode)[keyof typeof ExecutionMode];

export type TaskPriority = 'high' | 'medium' | 'low';

export type ConsensusMethod = 'majority' | 'weighted_voting' | 'deliberative';

export interface ConsensusConfig {
  readonly method: ConsensusMethod;
  /** weighted_voting and deliberative: weight each vote by the voter's confidence (else weight 1). Default true. */
  readonly confidenceWeights?: boolean;
  /** Share of agreeing weight in (0, 1] needed for a decision (met at ≥). Default: a strict majority, more than half. */
  readonly requireQuorum?: number;
  /** Agents that vote. Default: the agents of the task's dependencies, or its inputData's keys. */
  readonly voters?: readonly string[];
  /** deliberative: bound on rounds. Default 3. */
  readonly maxRounds?: number;
  /** Allowed decisions; when absent voters answer free-form and equal answers are grouped. */
  readonly options?: readonly string[];
}

/** Results the `condition` function sees: each settled task by agent id. */
export type ConditionResults = Readonly<Record<string, TaskResult>>;

/** A task of a workflow. Plain object or `new SubAgentTask({...})`. */
export interface SubAgentTaskSpec {
  /** Identifies the task in the workflow and names the agent (or template) that runs it. */
  readonly agentId: string;
  readonly taskDescription: string;
  readonly executionMode?: ExecutionMode;
  readonly priority?: TaskPriority;
  readonly estimatedDurationSeconds?: number;
  /** agentIds of tasks that must settle first. */
  readonly dependencies?: readonly string[];
  /** true (default): all dependencies must succeed; false: at least one, once all settled. */
  readonly requireAllDependencies?: boolean;
  /** Under this confidence (with alternativePathsAllowed) an alternative attempt runs. */
  readonly confidenceThreshold?: number;
  readonly alternativePathsAllowed?: boolean;
  /** Evaluated when the task is ready; false skips it. */
  readonly condition?: (results: ConditionResults) => boolean;
  /** Template or agent that runs the task when it fails after its retries. */
  readonly fallbackAgent?: string;
  readonly inputData?: unknown;
  readonly consensusConfig?: ConsensusConfig;
  /** Template to spawn the agent from, when agentId names none. */
  readonly template?: string;
  readonly thinkingDirectives?: readonly string[];
  /** Artifact ids to load into the prompt (permission-checked). */
  readonly sharedArtifacts?: readonly string[];
  /** Agents this task's agent may consult through its consult_agent tool (needs enableCrossAgentQueries). */
  readonly availableAgents?: readonly string[];
  /**
   * A person approves the task's output before its dependents run
   * (`orchestrator.approvals`): a rejection fails the task (APPROVAL_REJECTED),
   * one with `retry: true` runs it again with the reason as feedback. Default false.
   */
  readonly requiresApproval?: boolean;
}

export type TaskStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'budget_exceeded';

export interface ConsensusVote {
  readonly agentId: string;
  readonly decision: string;
  readonly confidence: number;
  readonly weight: number;
  readonly rationale: string;
  readonly round: number;
}

export interface ConsensusResult {
  readonly method: ConsensusMethod;
  /** The winning decision, or null when no quorum was met. */
  readonly decision: string | null;
  readonly votes: readonly ConsensusVote[];
  /** Share of weight behind the leading decision in the last round. */
  readonly agreement: number;
  readonly quorumMet: boolean;
  readonly rounds: number;
}

export interface TaskResult {
  readonly agentId: string;
  readonly status: TaskStatus;
  readonly output: string | null;
  readonly structured?: unknown;
  /** null when the task did not produce an answer. */
  readonly confidence: number | null;
  readonly attempts: number;
  readonly costCents: number;
  readonly usage: TokenUsage;
  /** Epoch milliseconds; null when the task never started. */
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly durationSeconds: number;
  readonly error?: ErrorData;
  readonly thinkingProcess?: string;
  readonly alternatives: readonly AlternativeResult[];
  /** The agent that produced the output when the fallback ran. */
  readonly fallbackUsed?: string;
  /** Why the task was skipped or cancelled. */
  readonly reason?: string;
  readonly consensus?: ConsensusResult;
  readonly simulated: boolean;
  /**
   * Providers of the agents that worked on the task (its own, a fallback,
   * an alternative, consensus voters), by name, in order: `['anthropic']`,
   * `['simulated']`. Empty when no agent was asked.
   */
  readonly providers?: readonly string[];
  /** True when the output was cut at maxTokens (incomplete); see AgentTaskResult.truncated. */
  readonly truncated?: boolean;
}

export type WorkflowStatus = 'succeeded' | 'partial' | 'failed' | 'cancelled';

export interface WorkflowResult {
  readonly workflowId: string;
  readonly status: WorkflowStatus;
  readonly results: Readonly<Record<string, TaskResult>>;
  readonly summary: string;
  readonly durationSeconds: number;
  readonly totalCostCents: number;
  /** Thinking traces by agent id, when collectThinkingTraces was on. */
  readonly thinkingTraces: Readonly<Record<string, string>>;
  readonly usage: TokenUsage;
  readonly simulated: boolean;
  /** Providers that served the run (its tasks' and the summary's), by name, each once. */
  readonly providers?: readonly string[];
}
