/**
 * The workflow machine: one actor per run that holds the task graph, schedules
 * ready tasks up to the parallel limit, settles results and decides the run's status.
 */
export { findDependencyCycle } from './dependency-cycle.js';
export { createWorkflowMachine } from './machine.js';
export type { WorkflowMachine } from './machine.js';
export { TaskGraph, compareReadyTasks } from './schedule.js';
export type { StartSlots, TaskNodeState, TaskReadiness } from './schedule.js';
export { createSettlement, isFailure, notRunResult, workflowStatusOf } from './settle.js';
export type { Settlement } from './settle.js';
export { SubAgentTask } from './sub-agent-task.js';
export { checkKnownTaskFields, checkTaskFields, conditionDecision, describeValue } from './task-rules.js';
export { TASKS_CHILD, reportedResult, taskRunnerLogic } from './tasks-child.js';
export type { TaskReportEvent, TaskRunnerCommand } from './tasks-child.js';
export { normalizeTasks } from './tasks.js';
export type { NormalizeTasksOptions, NormalizedTask } from './tasks.js';
export type {
  RunLedger,
  RunTaskInput,
  WorkflowContext,
  WorkflowEmitted,
  WorkflowEvent,
  WorkflowInput,
  WorkflowOutput,
  WorkflowServices,
  WorkflowTask,
} from './types.js';
