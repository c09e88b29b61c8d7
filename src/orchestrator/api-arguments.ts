/**
 * The Orchestrator's argument checks, one per public method that takes
 * structured arguments: each throws a typed error naming the argument before
 * any work starts (see arguments.ts for the building blocks).
 */
import {
  optionalBoolean,
  optionalFunction,
  optionalId,
  optionalSignal,
  optionalStringList,
  requireId,
  requireRecord,
  requireString,
} from '../util/arguments.js';
import { describeArgument } from '../util/arguments.js';
import { ConfigError, WorkflowValidationError } from '../protocols/errors/errors.js';
import { checkTaskFields } from '../actors/workflow/task-rules.js';

/** `spawnAgent(request)`: a template name, or `{ agentId?, template?, config?, agentType? }`. */
export function checkSpawnRequest(request: unknown): void {
  if (typeof request === 'string') {
    requireId(request, 'template', 'config');
    return;
  }
  const value = requireRecord(request, 'spawnAgent request', 'config');
  optionalId(value['agentId'], 'agentId', 'config');
  optionalId(value['template'], 'template', 'config');
  optionalId(value['agentType'], 'agentType', 'config');
  optionalBoolean(value['ephemeral'], 'ephemeral', 'config');
  if (value['config'] !== undefined) requireRecord(value['config'], 'config', 'config');
}

/** `executeTask(task)`: a description, or a task object whose fields pass the workflow task rules. */
export function checkTaskArgument(task: unknown): void {
  if (typeof task === 'string') {
    if (task.trim() === '') throw new WorkflowValidationError('A task needs a non-empty taskDescription');
    return;
  }
  const value = requireRecord(task, 'task', 'workflow');
  // The task rules first: their messages suggest the field meant (`agent_id` → `agentId`).
  checkTaskFields(value, 0);
  requireId(value['agentId'], 'agentId', 'workflow');
  requireString(value['taskDescription'], 'taskDescription', 'workflow');
  optionalId(value['template'], 'template', 'workflow');
  optionalId(value['fallbackAgent'], 'fallbackAgent', 'workflow');
}

/** `{ signal? }` of executeTask, executeTasks, pipeline.execute and mapReduce: returns the signal. */
export function checkRunOptions(options: unknown, field: string): AbortSignal | undefined {
  if (options === undefined) return undefined;
  return optionalSignal(requireRecord(options, field, 'workflow')['signal'], 'signal', 'workflow');
}

/** `executeWorkflow(options)`: the options object, its ids and its signal (tasks are checked by normalizeTasks). */
export function checkWorkflowOptions(options: unknown): void {
  const value = requireRecord(options, 'executeWorkflow options', 'workflow');
  optionalId(value['workflowId'], 'workflowId', 'workflow');
  optionalSignal(value['signal'], 'signal', 'workflow');
  optionalBoolean(value['continueOnFailure'], 'continueOnFailure', 'workflow');
  optionalBoolean(value['collectThinkingTraces'], 'collectThinkingTraces', 'workflow');
  optionalBoolean(value['generateSummary'], 'generateSummary', 'workflow');
  // The tasks themselves are checked by normalizeTasks (with did-you-mean hints), reserved ids after it.
}

/** `resumeWorkflow` / `replayWorkflow` options: a workflowId, optional tasks and signal. */
export function checkDurableRunOptions(options: unknown, method: 'resumeWorkflow' | 'replayWorkflow'): void {
  const value = requireRecord(options, `${method} options`, 'workflow');
  requireId(value['workflowId'], 'workflowId', 'workflow');
  optionalSignal(value['signal'], 'signal', 'workflow');
  if (value['tasks'] !== undefined && !Array.isArray(value['tasks'])) {
    throw new WorkflowValidationError(`tasks must be an array of tasks (got ${describeArgument(value['tasks'])})`);
  }
  if (value['modifications'] !== undefined) requireRecord(value['modifications'], 'modifications', 'config');
}

/** `routeMessage(request)`: two agent ids, a question (string or `{ question }`), an optional signal. */
export function checkRouteMessage(request: unknown): void {
  const value = requireRecord(request, 'routeMessage request', 'config');
  requireId(value['fromAgent'], 'fromAgent', 'config');
  requireId(value['toAgent'], 'toAgent', 'config');
  const message = value['message'];
  if (typeof message !== 'string') {
    const record = requireRecord(message, 'message', 'config');
    requireString(record['question'], 'message.question', 'config');
    optionalStringList(record['chain'], 'message.chain', 'config');
  }
  if (value['timeoutSeconds'] !== undefined && typeof value['timeoutSeconds'] !== 'number') {
    throw new ConfigError('timeoutSeconds', `must be a positive number of seconds (got ${describeArgument(value['timeoutSeconds'])})`);
  }
  optionalSignal(value['signal'], 'signal', 'config');
}

/** `broadcast(request)`: a sender, one event type, an optional filter. */
export function checkBroadcast(request: unknown): void {
  const value = requireRecord(request, 'broadcast request', 'config');
  requireId(value['fromAgent'], 'fromAgent', 'config');
  requireString(value['eventType'], 'eventType', 'config');
  optionalFunction(value['subscriberFilter'], 'subscriberFilter', 'config');
}

/** `subscribe(request)`: an agent id, event type patterns, an optional callback. */
export function checkSubscribe(request: unknown): void {
  const value = requireRecord(request, 'subscribe request', 'config');
  requireId(value['agentId'], 'agentId', 'config');
  if (!Array.isArray(value['eventTypes'])) {
    throw new ConfigError('eventTypes', `must be an array of event types (got ${describeArgument(value['eventTypes'])})`);
  }
  optionalStringList(value['eventTypes'], 'eventTypes', 'config');
  optionalFunction(value['callback'], 'callback', 'config');
}

/** An agent id passed on its own (stopAgent, inspectAgent, resumeAgent, ...). */
export function checkAgentId(agentId: unknown): string {
  return requireId(agentId, 'agentId', 'config');
}

/** An options object that may be omitted (enableMonitoring, setDebugMode, ...). */
export function checkOptionalOptions(options: unknown, field: string): void {
  if (options !== undefined) requireRecord(options, field, 'config');
}

/** A function argument (onShutdown). */
export function checkFunction(value: unknown, field: string): void {
  if (typeof value !== 'function') throw new ConfigError(field, `must be a function (got ${describeArgument(value)})`);
}

/** `registerTool(tool)`: a name, a description, an input schema (zod or JSON Schema) and an execute function. */
export function checkTool(tool: unknown): void {
  const value = requireRecord(tool, 'tool', 'config');
  requireId(value['name'], 'tool.name', 'config');
  requireString(value['description'], 'tool.description', 'config', true);
  requireRecord(value['inputSchema'], 'tool.inputSchema', 'config');
  checkFunction(value['execute'], 'tool.execute');
}
