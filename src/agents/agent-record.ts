/**
 * What the agent pool keeps and is asked for: an agent's record, how a task
 * on it ended, a spawn request and the pool's options.
 */
import type { InspectionEvent, Observer } from 'xstate';
import type { AgentConfig, AgentDescriptor, AgentMemoryData, AgentTaskResult, ResolvedAgentConfig } from '../protocols/agent.js';
import type { ErrorData } from '../protocols/errors/errors.js';
import type { EventHub } from '../protocols/events.js';
import type { ToolDefinition } from '../protocols/model.js';
import type { AgentDefaults } from './agent-config.js';
import type { FailedOutcome } from './consultation-desk.js';

/** What the system knows of an agent, live or stopped. */
export interface AgentRecord {
  readonly agentId: string;
  readonly template: string;
  readonly agentType: string;
  readonly config: ResolvedAgentConfig;
  readonly descriptor: AgentDescriptor;
  /** Spawned implicitly for a workflow task; stopped when its task settles. */
  readonly ephemeral: boolean;
  live: boolean;
  memory: AgentMemoryData;
  costCents: number;
  tasksCompleted: number;
  lastError: ErrorData | null;
  thinkingTrace: string;
  currentTask: string | null;
}

/** How an agent task ended: never a rejection, so the caller always learns the cost. */
export type AgentRunOutcome = { readonly ok: true; readonly result: AgentTaskResult } | FailedOutcome;

export interface AgentPoolOptions {
  readonly defaults: AgentDefaults;
  readonly templates: ReadonlyMap<string, AgentConfig>;
  readonly agentTypes: ReadonlyMap<string, unknown>;
  /** Tool definitions by name; an agent's `tools` must all be here. */
  readonly toolDefinitions: (agentId: string, config: ResolvedAgentConfig) => ToolDefinition[];
  readonly events: EventHub;
  readonly breakpointOnError: () => boolean;
  /** Throws a ConfigError naming `field` when cost limits cannot be enforced on `model` (unknown price). */
  readonly assertPriced?: (model: string, provider: string, field: string) => void;
  /** The inspection observer (already redacting): the pool's inbox actor is registered with it. */
  readonly inspect?: Observer<InspectionEvent>;
  /** Idle actors of ephemeral agents kept for reuse (agent-slots.ts). Default 64. */
  readonly maxParkedAgents?: number;
}

/** Id of the pool's inbox actor, as inspectors show it. */
export const AGENT_POOL_INBOX_ID = 'agent-pool-inbox';

export interface SpawnRequest {
  /** Id of the new agent. Default: `<template>_<n>`. */
  readonly agentId?: string;
  /** Template name to spawn from. */
  readonly template?: string;
  /** Overrides on top of the template. */
  readonly config?: AgentConfig;
  /** `thinking` (default) or a type registered with registerAgentType. */
  readonly agentType?: string;
  readonly ephemeral?: boolean;
}
