/**
 * What an agent machine needs from the system it runs in. Bound once when the
 * machine is created (`createAgentMachine(services)`), so the machine's context
 * and events stay plain data.
 */
import type { AgentTask } from './agent.js';
import type { ModelGateway } from './gateway.js';
import type { ModelMessage, ToolCall, TokenUsage } from './model.js';
import type { ApprovalAsk, ApprovalDecision } from './approval.js';

export interface ToolRunResult {
  readonly content: string;
  readonly isError?: boolean;
  /** Cost of work done by the tool on the agent's behalf (e.g. a consultation). */
  readonly costCents?: number;
  readonly usage?: TokenUsage;
}

export interface ToolRunContext {
  readonly agentId: string;
  readonly task: AgentTask;
  readonly signal: AbortSignal;
  /** Key of this call, stable across runs of the same tasks: its result is journaled and replayed under it. */
  readonly callKey?: string;
}

/** A question an agent asks another agent while it works (the `consult_agent` tool). */
export interface ConsultRequest {
  readonly fromAgent: string;
  readonly toAgent: string;
  readonly question: string;
  /** The asker's context, rendered for the answering agent. */
  readonly context?: unknown;
  /** Agents already in this consultation chain, oldest first; ends with `fromAgent`. */
  readonly chain: readonly string[];
  /** The asker's task, when it consults while working on one. */
  readonly taskId?: string;
  /** The asker's workflow run, and a key for the answering call stable across runs (journal, replay). */
  readonly workflowId?: string;
  readonly callKey?: string;
  readonly signal: AbortSignal;
}

/** The answer to a {@link ConsultRequest}, with what answering cost the other agent. */
export interface ConsultAnswer {
  /** The agent that answered. */
  readonly agentId: string;
  readonly answer: string;
  readonly usage: TokenUsage;
  readonly costCents: number;
}

/** A memory compaction: the messages to keep and the summary that replaces the rest. */
export interface CompactionOutcome {
  readonly messages: readonly ModelMessage[];
  readonly summary: string;
  readonly costCents: number;
  readonly usage: TokenUsage;
}

export interface AgentServices {
  readonly gateway: ModelGateway;
  /** Runs a tool call the model made. Unknown tools answer with an error result. */
  runTool?(call: ToolCall, context: ToolRunContext): Promise<ToolRunResult>;
  /**
   * Whether the named tool must run alone (registered with `sequential: true`):
   * no other call of the same turn runs while it does. Absent: every tool may run in parallel.
   */
  isSequentialTool?(name: string): boolean;
  /**
   * Compacts an agent's memory when it passes the token threshold; returns
   * undefined when no compaction is needed.
   */
  compactMemory?(input: {
    readonly agentId: string;
    /** The task starting when memory is compacted (keys the call for journals and replay). */
    readonly taskId?: string;
    readonly workflowId?: string;
    readonly summary: string | undefined;
    readonly messages: readonly ModelMessage[];
    readonly signal: AbortSignal;
  }): Promise<CompactionOutcome | undefined>;
  /**
   * Routes a consultation to another agent through the supervisor and resolves
   * with its answer; rejects with a typed error (AgentNotFoundError,
   * ConsultationCycleError, ConsultationTimeoutError, CrossAgentQueriesDisabledError).
   * Without it, agents are not offered the `consult_agent` tool.
   */
  consult?(request: ConsultRequest): Promise<ConsultAnswer>;
  /**
   * Whether a tool call must wait for a person before it runs (a tool
   * registered with `needsApproval`). Absent: no call waits.
   */
  needsApproval?(call: ToolCall): boolean;
  /**
   * Waits for a person's decision (the agent sits in `awaitingApproval`);
   * rejects with ApprovalTimeoutError or, on abort, CancelledError. Without it
   * no call waits and `ask_human` is not answered.
   */
  requestApproval?(ask: ApprovalAsk): Promise<ApprovalDecision>;
  /** Epoch milliseconds; injectable for tests. */
  now(): number;
}
