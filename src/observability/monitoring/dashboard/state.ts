/**
 * What the dashboard streams: a small model of the running system built from
 * progress events (agents and their phases, workflows and their tasks' times,
 * tokens, alerts) and turned into a plain JSON snapshot on demand.
 *
 * Only ids, states, statuses and numbers enter the model: never prompt text,
 * error messages, configs or keys. The one piece of text is each agent's live
 * output while a browser watches (the streamed `model.delta` text of its
 * current task, the last 2 KB; live-text.ts). Updating it per event is a few
 * map writes; the snapshot (the costly part) is only built while a browser is
 * connected.
 */
import type { AgentPhase } from '../../../protocols/agent.js';
import type { TaskStatus, WorkflowStatus } from '../../../protocols/task.js';
import type { BudgetSnapshot } from '../../../model/budget.js';
import type { MonitoringAlert, TroupeEvent } from '../../../protocols/events.js';
import { appendLiveText, NO_LIVE_TEXT } from './live-text.js';
import type { LiveText } from './live-text.js';
import type { ApprovalRequest } from '../../../protocols/approval.js';
import { approvalView } from './approvals-view.js';
import type { DashboardApproval } from './approvals-view.js';

/** The agent machine's phases, in the order the page draws them. */
export const AGENT_PHASES: readonly AgentPhase[] = [
  'idle',
  'thinking',
  'acting',
  'usingTools',
  'consulting',
  'reflecting',
  'exploring',
  'awaitingApproval',
  'paused',
  'done',
  'failed',
];

export interface DashboardAgent {
  readonly id: string;
  readonly template: string;
  /** null for a custom agent machine whose state is not one of the phases. */
  readonly phase: AgentPhase | null;
  readonly live: boolean;
  readonly crashed: boolean;
  readonly spentCents: number;
  readonly tokens: number;
  readonly calls: number;
  readonly failedCalls: number;
  /** The tail of the agent's streamed output in its current task ('' before any). */
  readonly liveText: string;
  /** The step that output belongs to (thinking, acting, ...), null before any. */
  readonly liveStep: string | null;
}

export type DashboardTaskStatus = TaskStatus | 'running' | 'retrying';

export interface DashboardTask {
  readonly agentId: string;
  readonly status: DashboardTaskStatus;
  /** Epoch ms; null for a task that never started (skipped, cancelled early). */
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly attempts: number;
  readonly costCents: number;
  readonly confidence: number | null;
}

export interface DashboardWorkflow {
  readonly id: string;
  readonly status: WorkflowStatus | 'running';
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly taskCount: number;
  /** Tasks shown (at most {@link MAX_TASKS_SHOWN}, running ones first). */
  readonly tasks: readonly DashboardTask[];
  readonly tasksHidden: number;
}

/** One SSE message's payload. */
export interface DashboardSnapshot {
  readonly at: number;
  readonly phases: readonly AgentPhase[];
  readonly agents: readonly DashboardAgent[];
  readonly agentsHidden: number;
  readonly agentCounts: { readonly live: number; readonly total: number };
  readonly workflows: readonly DashboardWorkflow[];
  readonly cost: {
    readonly spentCents: number;
    readonly reservedCents: number;
    readonly totalLimitCents: number | null;
    readonly perAgentLimitCents: number | null;
  };
  readonly tokens: { readonly input: number; readonly output: number; readonly thinking: number; readonly cacheRead: number };
  readonly tasks: { readonly succeeded: number; readonly failed: number; readonly other: number; readonly running: number };
  readonly calls: { readonly total: number; readonly failed: number; readonly simulated: boolean };
  readonly alerts: readonly MonitoringAlert[];
  /** Requests waiting for a person (empty without an approval desk). */
  readonly approvals: readonly DashboardApproval[];
}

export const MAX_AGENTS_SHOWN = 48;
export const MAX_TASKS_SHOWN = 80;
const MAX_WORKFLOWS_KEPT = 6;
const MAX_STOPPED_AGENTS_KEPT = 200;
const MAX_ALERTS_KEPT = 30;

interface AgentEntry {
  readonly id: string;
  readonly template: string;
  phase: AgentPhase | null;
  live: boolean;
  crashed: boolean;
  tokens: number;
  calls: number;
  failedCalls: number;
  output: LiveText;
}

interface TaskEntry {
  readonly agentId: string;
  status: DashboardTaskStatus;
  startedAt: number | null;
  finishedAt: number | null;
  attempts: number;
  costCents: number;
  confidence: number | null;
}

interface WorkflowEntry {
  readonly id: string;
  status: WorkflowStatus | 'running';
  readonly startedAt: number;
  finishedAt: number | null;
  readonly taskCount: number;
  readonly tasks: Map<string, TaskEntry>;
}

/** Reads an agent phase out of an agent actor's snapshot value (`idle`, `{ working: 'acting' }`, ...). */
export function phaseOfState(value: unknown): AgentPhase | null {
  if (typeof value === 'string') return isPhase(value) ? value : null;
  if (typeof value !== 'object' || value === null || !('working' in value)) return null;
  const step: unknown = value.working;
  if (typeof step !== 'string') return null;
  // Transient or bookkeeping steps shown as their nearest phase.
  if (step === 'compacting') return 'thinking';
  if (step === 'failing') return 'failed';
  return isPhase(step) ? step : null;
}

function isPhase(name: string): name is AgentPhase {
  return AGENT_PHASES.some((phase) => phase === name);
}

export interface DashboardModelOptions {
  readonly now: () => number;
  readonly budget: () => BudgetSnapshot;
  readonly limits: { readonly maxCostPerAgentCents?: number; readonly totalCostLimitCents?: number };
  /** The pending approvals (`orchestrator.approvals.list`). */
  readonly approvals?: () => readonly ApprovalRequest[];
}

/**
 * The dashboard's view of the system, fed by events and agent phases.
 *
 * @example
 * ```ts
 * const model = new DashboardModel({ now: Date.now, budget: () => orchestrator.budget.snapshot(), limits: orchestrator.config });
 * orchestrator.events.onAny((event) => model.observe(event));
 * const json = JSON.stringify(model.snapshot());
 * ```
 */
export class DashboardModel {
  readonly #options: DashboardModelOptions;
  readonly #agents = new Map<string, AgentEntry>();
  readonly #workflows = new Map<string, WorkflowEntry>();
  readonly #alerts: MonitoringAlert[] = [];
  /** Stopped agents dropped from the model to bound its size (still counted). */
  #forgottenAgents = 0;
  #tokens = { input: 0, output: 0, thinking: 0, cacheRead: 0 };
  #tasks = { succeeded: 0, failed: 0, other: 0 };
  #calls = { total: 0, failed: 0, simulated: false };

  constructor(options: DashboardModelOptions) {
    this.#options = options;
  }

  /** Ids of agents the model believes live (for subscribing to their actors). */
  liveAgentIds(): string[] {
    return [...this.#agents.values()].filter((agent) => agent.live).map((agent) => agent.id);
  }

  setPhase(agentId: string, phase: AgentPhase | null): boolean {
    const agent = this.#agents.get(agentId);
    if (!agent || agent.phase === phase) return false;
    agent.phase = phase;
    return true;
  }

  /** Folds one event in; returns whether anything shown changed. */
  observe(event: TroupeEvent): boolean {
    switch (event.type) {
      case 'agent.spawned':
        this.#agents.delete(event.agentId); // a respawn moves to the end
        this.#agents.set(event.agentId, {
          id: event.agentId,
          template: event.template,
          phase: 'idle',
          live: true,
          crashed: false,
          tokens: 0,
          calls: 0,
          failedCalls: 0,
          output: NO_LIVE_TEXT,
        });
        return true;
      case 'model.delta': {
        const agent = this.#agents.get(event.agentId);
        if (!agent || (event.kind !== 'text' && event.kind !== 'thinking')) return false;
        agent.output = appendLiveText(agent.output, event.step, event.text);
        return true;
      }
      case 'agent.stopped':
      case 'agent.crashed': {
        const agent = this.#agents.get(event.agentId);
        if (!agent) return false;
        agent.live = false;
        if (event.type === 'agent.crashed') agent.crashed = true;
        this.#forgetOldStoppedAgents();
        return true;
      }
      case 'model.call.finished': {
        const tokens = event.usage.inputTokens + event.usage.outputTokens + event.usage.thinkingTokens;
        this.#tokens.input += event.usage.inputTokens;
        this.#tokens.output += event.usage.outputTokens;
        this.#tokens.thinking += event.usage.thinkingTokens;
        this.#tokens.cacheRead += event.usage.cacheReadTokens;
        this.#calls.total++;
        this.#calls.simulated ||= event.simulated;
        const agent = this.#agents.get(event.agentId);
        if (agent) {
          agent.tokens += tokens;
          agent.calls++;
        }
        return true;
      }
      case 'model.call.failed': {
        this.#calls.total++;
        this.#calls.failed++;
        const agent = this.#agents.get(event.agentId);
        if (agent) {
          agent.calls++;
          agent.failedCalls++;
        }
        return true;
      }
      case 'workflow.started':
        this.#workflows.set(event.workflowId, {
          id: event.workflowId,
          status: 'running',
          startedAt: event.at,
          finishedAt: null,
          taskCount: event.taskCount,
          tasks: new Map(),
        });
        this.#forgetOldWorkflows();
        return true;
      case 'workflow.finished': {
        const workflow = this.#workflows.get(event.workflowId);
        if (!workflow) return false;
        workflow.status = event.result.status;
        workflow.finishedAt = workflow.startedAt + Math.round(event.result.durationSeconds * 1000);
        return true;
      }
      case 'task.started': {
        const agent = this.#agents.get(event.agentId);
        if (agent) agent.output = NO_LIVE_TEXT;
        const task = this.#task(event.workflowId, event.agentId);
        if (!task) return false;
        task.status = 'running';
        task.startedAt ??= event.at;
        task.attempts = event.attempt;
        return true;
      }
      case 'task.retrying': {
        const task = this.#task(event.workflowId, event.agentId);
        if (!task) return false;
        task.status = 'retrying';
        return true;
      }
      case 'task.finished': {
        const { result } = event;
        if (result.status === 'succeeded') this.#tasks.succeeded++;
        else if (result.status === 'failed' || result.status === 'budget_exceeded') this.#tasks.failed++;
        else this.#tasks.other++;
        const task = this.#task(event.workflowId, event.agentId);
        if (!task) return true;
        task.status = result.status;
        task.startedAt = result.startedAt ?? task.startedAt;
        task.finishedAt = result.finishedAt ?? this.#options.now();
        task.attempts = result.attempts;
        task.costCents = result.costCents;
        task.confidence = result.confidence;
        return true;
      }
      case 'approval.requested':
      case 'approval.decided':
        return this.#options.approvals !== undefined;
      case 'alert':
        this.#alerts.push(copyAlert(event));
        if (this.#alerts.length > MAX_ALERTS_KEPT) this.#alerts.shift();
        return true;
      default:
        return false;
    }
  }

  snapshot(): DashboardSnapshot {
    const budget = this.#options.budget();
    const all = [...this.#agents.values()];
    // Live agents first (newest last within each group), capped.
    const ordered = [...all.filter((a) => a.live), ...all.filter((a) => !a.live).reverse()];
    const shown = ordered.slice(0, MAX_AGENTS_SHOWN);
    let running = 0;
    const workflows = [...this.#workflows.values()].reverse().map((workflow) => {
      const tasks = [...workflow.tasks.values()];
      running += tasks.filter((task) => task.status === 'running' || task.status === 'retrying').length;
      return workflowView(workflow, tasks);
    });
    const { limits } = this.#options;
    return {
      at: this.#options.now(),
      phases: AGENT_PHASES,
      agents: shown.map((agent) => ({
        id: agent.id,
        template: agent.template,
        phase: agent.phase,
        live: agent.live,
        crashed: agent.crashed,
        spentCents: budget.perAgent[agent.id]?.spentCents ?? 0,
        tokens: agent.tokens,
        calls: agent.calls,
        failedCalls: agent.failedCalls,
        liveText: agent.output.text,
        liveStep: agent.output.step,
      })),
      agentsHidden: all.length - shown.length + this.#forgottenAgents,
      agentCounts: { live: all.filter((a) => a.live).length, total: all.length + this.#forgottenAgents },
      workflows,
      cost: {
        spentCents: budget.totalSpentCents,
        reservedCents: budget.totalReservedCents,
        totalLimitCents: limits.totalCostLimitCents ?? null,
        perAgentLimitCents: limits.maxCostPerAgentCents ?? null,
      },
      tokens: { ...this.#tokens },
      tasks: { ...this.#tasks, running },
      calls: { ...this.#calls },
      alerts: [...this.#alerts],
      approvals: (this.#options.approvals?.() ?? []).map(approvalView),
    };
  }

  #task(workflowId: string, agentId: string): TaskEntry | undefined {
    const workflow = this.#workflows.get(workflowId);
    if (!workflow) return undefined; // a standalone executeTask: no timeline to draw it on
    let task = workflow.tasks.get(agentId);
    if (!task) {
      task = { agentId, status: 'running', startedAt: null, finishedAt: null, attempts: 0, costCents: 0, confidence: null };
      workflow.tasks.set(agentId, task);
    }
    return task;
  }

  #forgetOldStoppedAgents(): void {
    let stopped = 0;
    for (const agent of this.#agents.values()) if (!agent.live) stopped++;
    if (stopped <= MAX_STOPPED_AGENTS_KEPT) return;
    for (const [id, agent] of this.#agents) {
      if (stopped <= MAX_STOPPED_AGENTS_KEPT) break;
      if (agent.live) continue;
      this.#agents.delete(id);
      this.#forgottenAgents++;
      stopped--;
    }
  }

  #forgetOldWorkflows(): void {
    for (const [id, workflow] of this.#workflows) {
      if (this.#workflows.size <= MAX_WORKFLOWS_KEPT) break;
      if (workflow.status !== 'running') this.#workflows.delete(id);
    }
  }
}

function workflowView(workflow: WorkflowEntry, tasks: TaskEntry[]): DashboardWorkflow {
  const active = tasks.filter((task) => task.status === 'running' || task.status === 'retrying');
  const settled = tasks.filter((task) => task.status !== 'running' && task.status !== 'retrying');
  const chosen = [...active, ...settled.slice(-Math.max(0, MAX_TASKS_SHOWN - active.length))].slice(0, MAX_TASKS_SHOWN);
  // Draw in start order so the Gantt reads top-down.
  chosen.sort((a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity));
  return {
    id: workflow.id,
    status: workflow.status,
    startedAt: workflow.startedAt,
    finishedAt: workflow.finishedAt,
    taskCount: workflow.taskCount,
    tasks: chosen.map((task) => ({ ...task })),
    tasksHidden: tasks.length - chosen.length,
  };
}

/** Copies an alert's fields only (an event also carries its `type`). */
function copyAlert(alert: MonitoringAlert): MonitoringAlert {
  return {
    name: alert.name,
    value: alert.value,
    threshold: alert.threshold,
    unit: alert.unit,
    direction: alert.direction,
    ...(alert.agentId === undefined ? {} : { agentId: alert.agentId }),
    ...(alert.workflowId === undefined ? {} : { workflowId: alert.workflowId }),
    at: alert.at,
    message: alert.message,
  };
}
