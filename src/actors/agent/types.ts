/**
 * The thinking agent's data: what it is created with, what it holds between
 * events, and the events it accepts and emits. Types only, so the agent
 * machine and its helpers (tools, consultations, compaction) can share them
 * without importing the machine.
 */
import type { AnyActorRef } from 'xstate';
import type { AgentMemoryData, AgentTask, ResolvedAgentConfig } from '../../protocols/agent.js';
import type {
  AgentFailureEvent,
  AgentInboundEvent,
  AgentResultEvent,
  ConsultReplyEvent,
} from '../../protocols/agent-protocol.js';
import type { ErrorData } from '../../protocols/errors/errors.js';
import type { ToolDefinition } from '../../protocols/model.js';
import type { AgentRun } from './run.js';

/**
 * What an agent actor is started with.
 *
 * @example
 * ```ts
 * const input: AgentMachineInput = { agentId: 'researcher', template: 'default', config, breakpointOnError: true };
 * const agent = createActor(createAgentMachine(services), { input }).start();
 * ```
 */
export interface AgentMachineInput {
  readonly agentId: string;
  /** Template the agent was spawned from (`default` when none). */
  readonly template: string;
  readonly config: ResolvedAgentConfig;
  /** Definitions of the tools the model may call (resolved from config.tools). */
  readonly tools?: readonly ToolDefinition[];
  readonly memory?: AgentMemoryData;
  /** Debug mode: on a failing step, wait in `paused` for resume or abort. */
  readonly breakpointOnError?: boolean;
}

/** The steps that can fail and be resumed from `paused`. */
export type AgentStep = 'compacting' | 'thinking' | 'acting' | 'usingTools' | 'consulting' | 'reflecting' | 'exploring';

/** A consultation this agent is answering, by the id of the child actor answering it. */
export interface PendingConsultation {
  readonly requestId: string;
  readonly fromAgent: string;
  readonly replyTo: AnyActorRef | undefined;
}

/**
 * An agent's context: plain data, so a snapshot can be persisted and inspected.
 *
 * @example
 * ```ts
 * const { tasksCompleted, totalCostCents } = agent.getSnapshot().context;
 * ```
 */
export interface AgentContext {
  readonly agentId: string;
  readonly template: string;
  readonly config: ResolvedAgentConfig;
  readonly tools: readonly ToolDefinition[];
  readonly memory: AgentMemoryData;
  readonly task: AgentTask | null;
  readonly replyTo: AnyActorRef | undefined;
  /** Epoch ms after which the attempt fails; kept in context so a restore can re-arm it. */
  readonly deadline: number | null;
  readonly startedAt: number;
  readonly run: AgentRun;
  readonly lastError: ErrorData | null;
  readonly failedStep: AgentStep | null;
  readonly breakpointOnError: boolean;
  readonly tasksCompleted: number;
  /** Lifetime spending: tasks and the consultations it answered. */
  readonly totalCostCents: number;
  readonly consultations: Readonly<Record<string, PendingConsultation>>;
  /** Consultations received so far; names their child actors (`consult.<n>`). */
  readonly consultCount: number;
}

/**
 * Events the host app can listen to with `agentRef.on(type, ...)`.
 *
 * @example
 * ```ts
 * agent.on('agent.result', ({ taskId, result }) => console.log(taskId, result.confidence));
 * ```
 * An agent's phase is its snapshot's state value (`agentRef.subscribe`).
 */
export type AgentEmitted = AgentResultEvent | AgentFailureEvent;

/** Ends of the child actors answering consultations (ids `consult.<n>`). */
export type ConsultationEndEvent =
  | { readonly type: `xstate.done.actor.consult.${string}`; readonly output: ConsultReplyEvent }
  | { readonly type: `xstate.error.actor.consult.${string}`; readonly error: unknown };

/**
 * Gives an idle actor to another agent: its context starts over from `input`
 * (agents/agent-slots.ts reuses actors of ephemeral agents this way). Not part
 * of the agent protocol: only the built-in agent is reused.
 */
export interface AgentReassignEvent {
  readonly type: 'agent.reassign';
  readonly input: AgentMachineInput;
}

/** Every event the agent machine handles: the protocol's, reassignment, and its consultation children's ends. */
export type AgentEvent = AgentInboundEvent | AgentReassignEvent | ConsultationEndEvent;
