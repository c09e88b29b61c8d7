/**
 * `inspectAgent`: an agent's state, task, memory, cost and last error, read
 * from its live actor when it has one and from its record otherwise.
 */
import { estimateTokens, messageText } from '../protocols/model.js';
import type { AgentPool } from './pool.js';
import type { AgentRecord } from './agent-record.js';
import { contextOf } from '../actors/agent/context-of.js';
import { addCents } from '../protocols/cents.js';

/** What `inspectAgent` reports. */
export interface AgentInspection {
  readonly agentId: string;
  readonly template: string;
  readonly live: boolean;
  /** The agent machine's state (`idle`, `working.acting`, `paused`, ...), or `stopped`. */
  readonly state: string;
  readonly currentTask: string | null;
  readonly memoryTokens: number;
  readonly thinkingTrace: string;
  readonly costCents: number;
  readonly tasksCompleted: number;
  readonly attempts: number;
  readonly lastError: AgentRecord['lastError'];
}

/** The machine's state value as a dotted name (`working.acting`). */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([key, child]) => `${key}.${stateName(child)}`)
      .join(',');
  }
  return 'unknown';
}

/** Builds the inspection of `record`, reading its live actor's `snapshot` when given. */
export function inspectionOf(record: AgentRecord, snapshot: unknown): AgentInspection {
  const value = typeof snapshot === 'object' && snapshot !== null && 'value' in snapshot ? snapshot.value : undefined;
  const state = record.live ? stateName(value) : 'stopped';
  // A live thinking agent is read from its actor: memory, task and error as they are now.
  const live = record.live ? contextOf(snapshot) : undefined;
  const memory = live?.memory ?? record.memory;
  const inTask = state === 'paused' || state.startsWith('working');
  const memoryTokens =
    estimateTokens(memory.summary ?? '') +
    memory.messages.reduce((sum, message) => sum + estimateTokens(messageText(message)), 0) +
    memory.observations.reduce((sum, note) => sum + estimateTokens(note), 0);
  const lastError = (live && inTask ? live.lastError : null) ?? record.lastError;
  return {
    agentId: record.agentId,
    template: record.template,
    live: record.live,
    state,
    currentTask: (live && inTask ? live.task?.taskId : undefined) ?? record.currentTask,
    memoryTokens,
    thinkingTrace: (live && inTask ? live.run.thinking : '') || record.thinkingTrace,
    // Settled tasks are in the record; the task in progress is counted from the actor.
    costCents: addCents(record.costCents, live && inTask ? live.run.costCents : 0),
    tasksCompleted: record.tasksCompleted,
    attempts: record.tasksCompleted + (lastError ? 1 : 0),
    lastError,
  };
}

/** The inspection of `agentId` from `pool`, or undefined when the pool never had it. */
export function inspectPooledAgent(pool: AgentPool, agentId: string): AgentInspection | undefined {
  const record = pool.get(agentId);
  if (!record) return undefined;
  const snapshot: unknown = pool.ref(agentId)?.getSnapshot();
  return inspectionOf(record, snapshot);
}

/**
 * Why `abortAgent` stops this agent's task (naming the failure a paused agent
 * stopped at), or undefined when it has no task in progress.
 */
export function abortReason(inspection: AgentInspection): string | undefined {
  if (inspection.state !== 'paused' && !inspection.state.startsWith('working')) return undefined;
  return inspection.lastError
    ? `aborted at a breakpoint after ${inspection.lastError.code}: ${inspection.lastError.message}`
    : 'aborted by abortAgent';
}
