/**
 * Agents: their configuration (ThinkingAgentConfig), what they are
 * asked to do and what they return. All plain data.
 */
import type { ErrorData } from './errors/errors.js';
import type { ModelMessage, TokenUsage } from './model.js';

/** How the thinking phase approaches a problem; each changes the thinking prompt. */
export type ThinkingStyle = 'analytical' | 'creative' | 'systematic';

/** An agent's configuration (ThinkingAgentConfig), and what a template may set. */
export interface AgentConfig {
  /** Model name, priced from the price table. Default: the orchestrator's model. */
  readonly model?: string;
  /** Provider name: `simulated`, `anthropic`, `openai` or one registered with the orchestrator. */
  readonly provider?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly systemPrompt?: string;
  /** Names of tools registered with the orchestrator (`registerTool`). */
  readonly tools?: readonly string[];
  /** A short role used by broadcast filters and shown in the dashboard, e.g. `analyst`. */
  readonly role?: string;
  readonly tags?: readonly string[];

  /** Think before acting (extended thinking when the provider supports it). Default true. */
  readonly enableExtendedThinking?: boolean;
  /** Thinking budget in tokens. Default 2000. */
  readonly maxThinkingTokens?: number;
  readonly thinkingStyle?: ThinkingStyle;
  /** Ask the model for a self-critique and a confidence after acting. Default true. */
  readonly enableSelfReflection?: boolean;
  /** Below `confidenceThreshold`, explore alternative answers and keep the best. Default false. */
  readonly enableAlternativeExploration?: boolean;
  /** Confidence in [0, 1] under which alternatives are explored. Default 0.7. */
  readonly confidenceThreshold?: number;
  /** Bound on alternative rounds. Default 2. */
  readonly maxAlternativeRounds?: number;

  /** May consult other agents (the `consult_agent` tool). Default false. */
  readonly enableCrossAgentQueries?: boolean;
  /** Gets tools to list, read and write shared artifacts under its permissions. Default false. */
  readonly sharedContextAccess?: boolean;
  /** Per-attempt deadline in seconds. Default: the orchestrator's agentTimeoutSeconds (300). */
  readonly timeoutSeconds?: number;
  /**
   * A streaming model call that receives no delta for this many seconds fails
   * with a retryable STREAM_IDLE_TIMEOUT (beside the attempt deadline). 0: no idle limit.
   * Default: the orchestrator's streamIdleTimeoutSeconds (0).
   */
  readonly streamIdleTimeoutSeconds?: number;
  /** Bound on tool-use round trips within one acting phase. Default 8. */
  readonly maxToolRounds?: number;
  /**
   * How many of one turn's tool calls run at the same time (1 runs them one
   * after another). Results still reach the model in the order it asked. Default 4.
   */
  readonly maxParallelToolCalls?: number;
  /** Offer the model the `ask_human` tool: a person answers through `orchestrator.approvals.answer`. Default false. */
  readonly askHuman?: boolean;
  /**
   * Seconds a person has to decide on this agent's approvals and questions
   * before the step fails with APPROVAL_TIMEOUT (0: wait). A tool's own
   * timeout wins. Default: the orchestrator's `approvalTimeoutSeconds`, else 0.
   */
  readonly approvalTimeoutSeconds?: number;
}

/** A template is a named AgentConfig from which agents are spawned at run time. */
export type AgentTemplate = AgentConfig;

/** An artifact loaded into an agent's prompt. */
export interface LoadedArtifact {
  readonly artifactId: string;
  readonly version: number;
  readonly content: unknown;
}

/** A task as an agent receives it. Plain data: it crosses actor boundaries. */
export interface AgentTask {
  readonly taskId: string;
  /** What to do, in words. */
  readonly task: string;
  readonly thinkingDirectives?: readonly string[];
  /** Ids of agents this one may consult. */
  readonly availableAgents?: readonly string[];
  readonly sharedArtifacts?: readonly LoadedArtifact[];
  /** Arbitrary input (superjson-serialisable), rendered into the prompt. */
  readonly inputData?: unknown;
  /** Outputs of the tasks this one depends on, by agent id. */
  readonly dependencyOutputs?: Readonly<Record<string, string>>;
  readonly workflowId?: string;
  readonly attempt?: number;
  /** Ask for a structured answer that satisfies this JSON schema (votes, extraction). */
  readonly outputSchema?: { readonly name: string; readonly schema: Readonly<Record<string, unknown>> };
}

/** One alternative explored when confidence was low. */
export interface AlternativeResult {
  readonly output: string;
  readonly confidence: number;
  readonly critique: string;
  readonly round: number;
}

/** What an agent returns for a task: a typed result. */
export interface AgentTaskResult {
  readonly output: string;
  /** The structured value, when the task asked for one. */
  readonly structured?: unknown;
  /** The thinking trace (provider thinking, or the thinking phase's text). */
  readonly thinkingProcess: string;
  /** Self-assessed confidence in [0, 1] (1 when reflection is off). */
  readonly confidence: number;
  readonly critique: string;
  /** Every answer considered besides the kept one. */
  readonly alternatives: readonly AlternativeResult[];
  readonly usage: TokenUsage;
  readonly costCents: number;
  readonly durationSeconds: number;
  readonly modelCalls: number;
  /** True when any model call behind it was simulated. */
  readonly simulated: boolean;
  /**
   * True when the kept answer was cut at maxTokens (incomplete). Its confidence
   * is then at most {@link TRUNCATED_CONFIDENCE_CAP}.
   */
  readonly truncated?: boolean;
}

/**
 * The highest confidence an answer cut at maxTokens can have: below the
 * default confidenceThreshold (0.7), so a truncated answer triggers
 * alternative exploration and a task's alternative path when they are on.
 */
export const TRUNCATED_CONFIDENCE_CAP = 0.5;

/** The states of the built-in agent machine, as shown to observers. */
export type AgentPhase =
  | 'idle'
  | 'thinking'
  | 'acting'
  | 'usingTools'
  | 'consulting'
  | 'reflecting'
  | 'exploring'
  | 'awaitingApproval'
  | 'paused'
  | 'done'
  | 'failed';

/** The agent as subscriber filters see it. */
export interface AgentDescriptor {
  readonly id: string;
  readonly role: string;
  readonly template: string;
  readonly tags: readonly string[];
}

/** A failed agent run, as data. */
export interface AgentFailure {
  readonly error: ErrorData;
  readonly usage: TokenUsage;
  readonly costCents: number;
}

/** An AgentConfig with every default applied, as an agent machine receives it. */
export type ResolvedAgentConfig = Required<AgentConfig>;

/** An agent's conversation memory, as plain data. */
export interface AgentMemoryData {
  /** Model-written summary of everything compacted away. */
  readonly summary: string | undefined;
  /** Kept turns, oldest first; pairs of user task and assistant answer. */
  readonly messages: readonly ModelMessage[];
  /** Broadcasts and shared notes the agent received, newest last. */
  readonly observations: readonly string[];
}

export const EMPTY_MEMORY: AgentMemoryData = Object.freeze({ summary: undefined, messages: [], observations: [] });
