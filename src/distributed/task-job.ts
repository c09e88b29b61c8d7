/**
 * A workflow task as a BullMQ job: plain data both ways (superjson, with the
 * reserved-key escaping of the storage codec). The coordinator sends the task
 * spec (its condition stays on the coordinator), the outputs of its
 * dependencies and the templates it may need; the worker answers with the
 * TaskResult, or the typed error that kept it from running the task.
 */
import { toErrorData } from '../protocols/errors/errors.js';
import type { ErrorData } from '../protocols/errors/errors.js';
import type { AgentTemplate } from '../protocols/agent.js';
import type { SubAgentTaskSpec, TaskResult } from '../protocols/task.js';
import { parseSafe, stringifySafe } from '../storage/superjson-safe.js';

/** What a job carries to its worker. */
export interface TaskJobData {
  readonly workflowId: string;
  readonly spec: SubAgentTaskSpec;
  readonly dependencyOutputs: Readonly<Record<string, string>>;
  /** Templates registered on the coordinator (data: they travel with the task). */
  readonly templates: Readonly<Record<string, AgentTemplate>>;
}

/** What a worker answers. */
export type TaskJobAnswer =
  | { readonly ok: true; readonly workerId: string; readonly result: TaskResult }
  | { readonly ok: false; readonly workerId: string; readonly error: ErrorData };

/**
 * A BullMQ job id for a task: BullMQ refuses ids with `:`, so every character
 * outside `[A-Za-z0-9_-]` is escaped (`.xx` hex); the same task of the same
 * run always gets the same id, so a resumed coordinator re-attaches to it.
 *
 * @example
 * ```ts
 * taskJobId('wf_1', 'consensus:a'); // 'wf_1__consensus.3aa'
 * ```
 */
export function taskJobId(workflowId: string, agentId: string): string {
  const escape = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, (char) => `.${char.charCodeAt(0).toString(16)}`);
  return `${escape(workflowId)}__${escape(agentId)}`;
}

export function encodeTaskJob(data: TaskJobData): string {
  const { condition: _condition, ...spec } = data.spec;
  return stringifySafe({ ...data, spec });
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSpec(value: unknown): value is SubAgentTaskSpec {
  return typeof field(value, 'agentId') === 'string' && typeof field(value, 'taskDescription') === 'string';
}

function isTemplates(value: unknown): value is Record<string, AgentTemplate> {
  return isRecord(value) && Object.values(value).every(isRecord);
}

function isOutputs(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((output) => typeof output === 'string');
}

/** @throws Error when the text is not a task job (a job from another program on the queue). */
export function decodeTaskJob(text: string): TaskJobData {
  const value = parseSafe(text);
  const workflowId = field(value, 'workflowId');
  const spec = field(value, 'spec');
  const outputs = field(value, 'dependencyOutputs');
  const templates = field(value, 'templates');
  if (typeof workflowId !== 'string' || !isSpec(spec) || !isOutputs(outputs) || !isTemplates(templates)) {
    throw new Error('not a troupe task job');
  }
  return { workflowId, spec, dependencyOutputs: outputs, templates };
}

export function encodeTaskAnswer(answer: TaskJobAnswer): string {
  return stringifySafe(answer);
}

function isTaskResult(value: unknown): value is TaskResult {
  return typeof field(value, 'agentId') === 'string' && typeof field(value, 'status') === 'string' && typeof field(value, 'costCents') === 'number';
}

/** Whether a value decoded from Redis has the shape of ErrorData. */
export function isErrorData(value: unknown): value is ErrorData {
  return (
    typeof field(value, 'code') === 'string' &&
    typeof field(value, 'name') === 'string' &&
    typeof field(value, 'message') === 'string' &&
    typeof field(value, 'retryable') === 'boolean'
  );
}

/** The worker's answer; a malformed one becomes an error answer. */
export function decodeTaskAnswer(text: unknown): TaskJobAnswer {
  if (typeof text !== 'string') return { ok: false, workerId: 'unknown', error: toErrorData(new Error('the worker returned no answer')) };
  const value = parseSafe(text);
  const workerId = field(value, 'workerId');
  const result = field(value, 'result');
  const error = field(value, 'error');
  const id = typeof workerId === 'string' ? workerId : 'unknown';
  if (field(value, 'ok') === true && isTaskResult(result)) return { ok: true, workerId: id, result };
  if (isErrorData(error)) return { ok: false, workerId: id, error };
  return { ok: false, workerId: id, error: toErrorData(new Error('the worker returned a malformed answer')) };
}
