/**
 * The orchestrator's journaled runs: resume, replay, list and look up, each
 * failing with one ConfigError when journaling is off (`journal: false`).
 */
import { ConfigError } from '../protocols/errors/errors.js';
import type { WorkflowResult } from '../protocols/task.js';
import type { AgentPool } from '../agents/pool.js';
import type { WorkflowJournals, WorkflowRecord } from '../journal/journal.js';
import type { JournalCallRecorder } from '../journal/recorder.js';
import { replayWorkflow, resumeWorkflow } from './replay.js';
import type { DurableRunsHost, ReplayResult, ReplayWorkflowOptions, ResumeWorkflowOptions } from './replay.js';
import type { WorkflowRunner } from './workflow-runner.js';

/** The runtime services durable runs use (see runtime.ts). */
export interface DurableRunsSource {
  readonly journals: WorkflowJournals | undefined;
  readonly recorder: JournalCallRecorder | undefined;
  readonly workflows: WorkflowRunner;
  readonly pool: AgentPool;
  readonly templates: ReadonlyMap<string, unknown>;
}

const journalingOff = (): ConfigError => new ConfigError('journal', 'journaling is off (journal: false); runs are not recorded');

/** @throws ConfigError when journaling is off. */
function requireJournals(source: DurableRunsSource): WorkflowJournals {
  if (!source.journals) throw journalingOff();
  return source.journals;
}

/** @throws ConfigError when journaling is off. */
function durableRunsHost(source: DurableRunsSource): DurableRunsHost {
  const journals = requireJournals(source);
  if (!source.recorder) throw journalingOff();
  return {
    journals,
    recorder: source.recorder,
    runner: source.workflows,
    pool: source.pool,
    hasTemplate: (name) => source.templates.has(name),
  };
}

/** Continues an interrupted run from its journal (see `Orchestrator.resumeWorkflow`). */
export function resumeJournaledWorkflow(source: DurableRunsSource, options: ResumeWorkflowOptions): Promise<WorkflowResult> {
  return resumeWorkflow(durableRunsHost(source), options);
}

/** Replays a recorded run and diffs it against the original (see `Orchestrator.replayWorkflow`). */
export function replayJournaledWorkflow(source: DurableRunsSource, options: ReplayWorkflowOptions): Promise<ReplayResult> {
  return replayWorkflow(durableRunsHost(source), options);
}

/** Every journaled workflow, most recently started first. */
export function listJournaledWorkflows(source: DurableRunsSource): Promise<WorkflowRecord[]> {
  return requireJournals(source).list();
}

/** One journaled workflow, or undefined when no journal holds `workflowId`. */
export function getJournaledWorkflow(source: DurableRunsSource, workflowId: string): Promise<WorkflowRecord | undefined> {
  return requireJournals(source).get(workflowId);
}

/** Deletes a run's journal (see `Orchestrator.deleteWorkflow`). */
export function deleteJournaledWorkflow(source: DurableRunsSource, workflowId: string): Promise<void> {
  return requireJournals(source).delete(workflowId);
}
