/**
 * Running workflows and tasks: the workflow runner, the task runner with retries
 * and alternatives, consensus, and resume and replay from a journal.
 */
export { approvalServices } from './approval-services.js';
export { ApprovalDesk, approvalId } from './approvals.js';
export type { ApprovalDeskOptions, ApprovalJournal, Approvals } from './approvals.js';
export { runConsensus, votersOf } from './consensus-runner.js';
export type { RunVoter } from './consensus-runner.js';
export {
  DEFAULT_MAX_ROUNDS,
  VOTE_SCHEMA,
  deliberationPrompt,
  normalizeDecision,
  parseVote,
  resolveConsensusConfig,
  tallyVotes,
  voteSchema,
} from './consensus-votes.js';
export type { ResolvedConsensusConfig, VoteTally } from './consensus-votes.js';
export { replayWorkflow, resumeWorkflow } from './replay.js';
export type {
  DurableRunsHost,
  ReplayResult,
  ReplayWorkflowOptions,
  ResumeWorkflowOptions,
  TaskDiff,
  WorkflowDiff,
} from './replay.js';
export {
  deleteJournaledWorkflow,
  getJournaledWorkflow,
  listJournaledWorkflows,
  replayJournaledWorkflow,
  resumeJournaledWorkflow,
} from './resume.js';
export type { DurableRunsSource } from './resume.js';
export { isRetryable, retryDelayMs, sleep } from './retry.js';
export type { RetryPolicy } from './retry.js';
export { runApprovedTask } from './task-approval.js';
export { TaskRunner, statusOfError } from './task-runner.js';
export type { TaskRunRequest, TaskRunnerOptions } from './task-runner.js';
export { isEventOfWorkflow, observeWorkflow } from './workflow-events.js';
export { WorkflowRun } from './workflow-run.js';
export type { TaskCondition } from './workflow-run.js';
export { WorkflowRunner, digestOf } from './workflow-runner.js';
export type { ExecuteWorkflowOptions, WorkflowRunnerOptions } from './workflow-runner.js';
