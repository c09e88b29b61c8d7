/**
 * Durable runs: `resumeWorkflow` continues a run whose process died, from its
 * journal; `replayWorkflow` runs a recorded workflow again, either served
 * entirely from the recording (zero model calls) or with modified agent
 * parameters (real calls), and diffs the result against the original.
 */
import { nanoid } from 'nanoid';
import type { AgentConfig } from '../protocols/agent.js';
import { ConfigError, JournalCorruptError, WorkflowNotFoundError, WorkflowRunningError, WorkflowValidationError } from '../protocols/errors/errors.js';
import type { ReplayMismatchError } from '../protocols/errors/errors.js';
import type { SubAgentTaskSpec, TaskResult, TaskStatus, WorkflowResult } from '../protocols/task.js';
import type { AgentPool } from '../agents/pool.js';
import { currentRun, requireWellFormed } from '../journal/records.js';
import type { JournaledTaskSpec, JournalRecord, ReplayModifications } from '../journal/records.js';
import type { WorkflowJournals } from '../journal/journal.js';
import type { JournalCallRecorder, ReplayMismatch } from '../journal/recorder.js';
import type { WorkflowRunner } from './workflow-runner.js';

/** What resume and replay need from the orchestrator. */
export interface DurableRunsHost {
  readonly journals: WorkflowJournals;
  readonly recorder: JournalCallRecorder;
  readonly runner: WorkflowRunner;
  readonly pool: AgentPool;
  readonly hasTemplate: (name: string) => boolean;
}

export interface ResumeWorkflowOptions {
  readonly workflowId: string;
  /**
   * The run's tasks again, only to restore their conditions (functions cannot
   * be journaled); everything else comes from the journal. Without them a
   * conditional task that had not been decided before the crash runs.
   */
  readonly tasks?: readonly SubAgentTaskSpec[];
  /** Overrides the recorded maxParallelAgents. */
  readonly maxParallelAgents?: number;
  readonly signal?: AbortSignal;
}

export interface ReplayWorkflowOptions {
  readonly workflowId: string;
  /** Without: a deterministic replay from the recording. With: a real re-run with these parameters. */
  readonly modifications?: ReplayModifications;
  /**
   * The run's tasks again, to restore their conditions. A deterministic
   * replay reuses the recorded decisions anyway; a modified replay evaluates
   * these on its own results (without them, it reuses the recorded decisions).
   */
  readonly tasks?: readonly SubAgentTaskSpec[];
  /** Deterministic replay: a request that differs from the recorded one is a REPLAY_MISMATCH error (default: reported in `mismatches`). */
  readonly strict?: boolean;
  readonly signal?: AbortSignal;
}

/** How one task compares between the original run and its replay. */
export interface TaskDiff {
  readonly agentId: string;
  readonly statusBefore: TaskStatus | null;
  readonly statusAfter: TaskStatus | null;
  readonly outputChanged: boolean;
  readonly confidenceBefore: number | null;
  readonly confidenceAfter: number | null;
  readonly costCentsBefore: number;
  readonly costCentsAfter: number;
}

export interface WorkflowDiff {
  readonly tasks: Readonly<Record<string, TaskDiff>>;
  /** Tasks whose status or output changed. */
  readonly changed: readonly string[];
  readonly totalCostCentsBefore: number;
  readonly totalCostCentsAfter: number;
}

/** A replay's WorkflowResult (under its own workflowId) and how it compares with the original. */
export interface ReplayResult extends WorkflowResult {
  readonly replayOf: string;
  readonly modified: boolean;
  readonly diff: WorkflowDiff;
  /** Deterministic replays: calls served although their request differed from the recorded one. */
  readonly mismatches: readonly ReplayMismatch[];
}

/** The latest run journaled under `workflowId`, or a typed error. */
async function recordedRun(journals: WorkflowJournals, workflowId: string) {
  const reading = await journals.read(workflowId);
  if (!reading) throw new WorkflowNotFoundError(workflowId);
  const records = currentRun(requireWellFormed(reading).records);
  const started = records[0];
  if (started?.type !== 'workflow.started') {
    throw new JournalCorruptError(workflowId, 'the journal holds no complete workflow.started event');
  }
  const finished = records.find((record) => record.type === 'workflow.finished');
  return { records, started, finished: finished?.type === 'workflow.finished' ? finished : undefined };
}

/** Recorded specs as runnable specs, conditions restored from `tasks` (matched by agentId). */
function specsOf(
  recorded: readonly JournaledTaskSpec[],
  tasks: readonly SubAgentTaskSpec[] | undefined,
): SubAgentTaskSpec[] {
  const given = new Map((tasks ?? []).map((task) => [task.agentId, task]));
  if (tasks) {
    const recordedIds = new Set(recorded.map((task) => task.agentId));
    const stray = tasks.find((task) => !recordedIds.has(task.agentId));
    if (stray || tasks.length !== recorded.length) {
      throw new WorkflowValidationError('the tasks given do not match the recorded run (same agentIds expected)', {
        ...(stray ? { agentId: stray.agentId } : {}),
      });
    }
  }
  return recorded.map(({ hasCondition, ...spec }) => {
    const condition = given.get(spec.agentId)?.condition;
    if (condition) return { ...spec, condition };
    // Keeps the task conditional, so the recorded decision is consulted; undecided, it runs.
    return hasCondition ? { ...spec, condition: () => true } : spec;
  });
}

function decisionsOf(records: readonly JournalRecord[]): Map<string, boolean> {
  const decisions = new Map<string, boolean>();
  for (const record of records) if (record.type === 'condition.decided') decisions.set(record.agentId, record.proceed);
  return decisions;
}

/**
 * Continues an interrupted run under its own workflowId.
 * @throws WorkflowNotFoundError when nothing is journaled under the id.
 */
export async function resumeWorkflow(host: DurableRunsHost, options: ResumeWorkflowOptions): Promise<WorkflowResult> {
  const { workflowId } = options;
  if (host.journals.running(workflowId)) {
    throw new WorkflowRunningError(workflowId);
  }
  const { records, started, finished } = await recordedRun(host.journals, workflowId);
  if (finished) return finished.result;
  const specs = specsOf(started.tasks, options.tasks);
  const presettled: Record<string, TaskResult> = Object.create(null) as Record<string, TaskResult>;
  for (const record of records) {
    if (record.type !== 'task.finished') continue;
    // A cancelled task was stopped, not finished: it runs again.
    if (record.result.status === 'cancelled') delete presettled[record.agentId];
    else presettled[record.agentId] = record.result;
  }
  host.recorder.serveForResume(workflowId, { workflowId: started.workflowId, records });
  try {
    return await host.runner.execute(
      {
        tasks: specs,
        workflowId,
        continueOnFailure: started.options.continueOnFailure,
        collectThinkingTraces: started.options.collectThinkingTraces,
        generateSummary: started.options.generateSummary,
        maxParallelAgents: options.maxParallelAgents ?? started.options.maxParallelAgents,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      { presettled, decisions: decisionsOf(records), resumed: true },
    );
  } finally {
    host.recorder.stopServing(workflowId);
  }
}

/** The config overrides a modification asks of one agent (empty: none). */
function overridesFor(agentId: string, modifications: ReplayModifications): AgentConfig {
  return {
    ...(modifications.agentModel === undefined ? {} : { model: modifications.agentModel }),
    ...(modifications.temperature === undefined ? {} : { temperature: modifications.temperature }),
    ...modifications.agents?.[agentId],
  };
}

/**
 * Gives the replay fresh agents, as the original run had in its process:
 * stopped agents' records with the run's ids are dropped (their memory would
 * change the requests), and modified agents are spawned with their overrides.
 * @returns the agents spawned with overrides (forgotten after the replay).
 */
function prepareAgents(host: DurableRunsHost, specs: readonly SubAgentTaskSpec[], modifications: ReplayModifications | undefined): string[] {
  const templateOf = new Map<string, string | undefined>();
  for (const spec of specs) {
    templateOf.set(spec.agentId, spec.template);
    if (spec.fallbackAgent !== undefined && !templateOf.has(spec.fallbackAgent)) templateOf.set(spec.fallbackAgent, spec.fallbackAgent);
  }
  for (const agentId of Object.keys(modifications?.agents ?? {})) {
    if (!templateOf.has(agentId)) {
      throw new ConfigError(`modifications.agents.${agentId}`, `no task of the recorded run uses agent "${agentId}"`);
    }
  }
  const spawned: string[] = [];
  for (const [agentId, template] of templateOf) {
    const overrides = modifications ? overridesFor(agentId, modifications) : {};
    const modified = Object.keys(overrides).length > 0;
    const record = host.pool.get(agentId);
    if (record?.live) {
      if (modified) {
        throw new ConfigError(`modifications.agents.${agentId}`, `agent "${agentId}" is live; stop it before a modified replay`);
      }
      continue;
    }
    if (record) host.pool.forget(agentId);
    if (!modified) continue;
    host.pool.spawn({
      agentId,
      ...(template !== undefined && host.hasTemplate(template) ? { template } : {}),
      config: overrides,
      ephemeral: true,
    });
    spawned.push(agentId);
  }
  return spawned;
}

/** Compares two runs task by task. */
function diffRuns(before: WorkflowResult, after: WorkflowResult): WorkflowDiff {
  const tasks: Record<string, TaskDiff> = {};
  const changed: string[] = [];
  for (const agentId of new Set([...Object.keys(before.results), ...Object.keys(after.results)])) {
    const a = before.results[agentId];
    const b = after.results[agentId];
    const diff: TaskDiff = {
      agentId,
      statusBefore: a?.status ?? null,
      statusAfter: b?.status ?? null,
      outputChanged: (a?.output ?? null) !== (b?.output ?? null),
      confidenceBefore: a?.confidence ?? null,
      confidenceAfter: b?.confidence ?? null,
      costCentsBefore: a?.costCents ?? 0,
      costCentsAfter: b?.costCents ?? 0,
    };
    tasks[agentId] = diff;
    if (diff.outputChanged || diff.statusBefore !== diff.statusAfter) changed.push(agentId);
  }
  return { tasks, changed, totalCostCentsBefore: before.totalCostCents, totalCostCentsAfter: after.totalCostCents };
}

/**
 * Replays a finished run under a new workflowId (`<id>~replay_<nonce>`).
 * @throws WorkflowNotFoundError, WorkflowValidationError (the run has not finished), ConfigError (bad modifications),
 *   ReplayMismatchError (a deterministic replay needed a call the recording does not hold).
 */
export async function replayWorkflow(host: DurableRunsHost, options: ReplayWorkflowOptions): Promise<ReplayResult> {
  const { workflowId, modifications } = options;
  const { records, started, finished } = await recordedRun(host.journals, workflowId);
  if (!finished) {
    throw new WorkflowValidationError(`workflow "${workflowId}" has not finished; resume it before replaying`, { workflowId });
  }
  const modified = modifications !== undefined;
  const specs = specsOf(started.tasks, options.tasks);
  const replayId = `${workflowId}~replay_${nanoid(8)}`;
  const spawned = prepareAgents(host, specs, modifications);
  const controller = new AbortController();
  let miss: ReplayMismatchError | undefined;
  const served = modified
    ? undefined
    : host.recorder.serveForReplay(
        replayId,
        { workflowId, records },
        {
          strict: options.strict ?? false,
          onMiss: (error) => {
            miss ??= error;
            controller.abort();
          },
        },
      );
  const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
  // A modified replay re-decides conditions it has functions for; otherwise the recorded decisions stand.
  const decisions = modified && options.tasks ? undefined : decisionsOf(records);
  let result: WorkflowResult;
  try {
    result = await host.runner.execute(
      {
        tasks: specs,
        workflowId: replayId,
        continueOnFailure: started.options.continueOnFailure,
        collectThinkingTraces: started.options.collectThinkingTraces,
        generateSummary: started.options.generateSummary,
        maxParallelAgents: started.options.maxParallelAgents,
        signal,
      },
      { replayOf: workflowId, ...(modifications ? { modifications } : {}), ...(decisions ? { decisions } : {}) },
    );
  } finally {
    host.recorder.stopServing(replayId);
    for (const agentId of spawned) host.pool.forget(agentId);
  }
  if (miss) throw miss;
  return {
    ...result,
    replayOf: workflowId,
    modified,
    diff: diffRuns(finished.result, result),
    mismatches: served ? [...served.mismatches] : [],
  };
}
