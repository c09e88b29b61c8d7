/**
 * Field checks for a workflow task: types, enums, ranges and unknown fields,
 * each problem naming the field (and array element) and the offending value.
 * `checkTaskFields` turns the first problem into a WorkflowValidationError
 * that names the task too; `normalizeTasks` (workflow-tasks.ts) runs it on
 * every task before applying defaults.
 */
import { WorkflowValidationError } from '../../protocols/errors/errors.js';
import type { ConsensusConfig, SubAgentTaskSpec } from '../../protocols/task.js';
import { closestMatch } from '../../util/closest-match.js';

/**
 * A field check: the problem with a value, or undefined when it is fine.
 * `at` extends the field path (an array element, say). Hand-written rather
 * than zod: on a 10,000-task list, a zod schema of these fields alone took
 * ~35 ms on first use; these checks take a few.
 */
type FieldRule = (value: unknown) => { readonly message: string; readonly at?: string; readonly value?: unknown } | undefined;

const optional =
  (rule: FieldRule): FieldRule =>
  (value) =>
    value === undefined ? undefined : rule(value);

const name: FieldRule = (value) => {
  if (typeof value !== 'string' || value.trim() === '') return { message: 'must be a non-empty string' };
  return value.trim() === value ? undefined : { message: 'must not start or end with whitespace' };
};

const oneOf =
  (allowed: readonly string[]): FieldRule =>
  (value) => {
    if (typeof value === 'string' && allowed.includes(value)) return undefined;
    const quoted = allowed.map((a) => `"${a}"`);
    return { message: `must be ${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1) ?? ''}` };
  };

const boolean: FieldRule = (value) => (typeof value === 'boolean' ? undefined : { message: 'must be true or false' });

/** A finite number within [min, max] (or (min, max] when minExclusive), optionally whole. */
const numberIn =
  (range: { min: number; max?: number; minExclusive?: boolean; integer?: boolean; wording: string }): FieldRule =>
  (value) => {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (range.minExclusive ? value > range.min : value >= range.min) &&
      (range.max === undefined || value <= range.max) &&
      (!range.integer || Number.isInteger(value));
    return ok ? undefined : { message: range.wording };
  };

const listOf =
  (element: FieldRule, options: { nonEmpty?: boolean } = {}): FieldRule =>
  (value) => {
    if (!Array.isArray(value)) return { message: 'must be an array' };
    if (options.nonEmpty && value.length === 0) return { message: 'must not be empty' };
    for (let i = 0; i < value.length; i++) {
      const problem = element(value[i]);
      if (problem) return { ...problem, at: `[${i}]`, value: value[i] };
    }
    return undefined;
  };

const unitInterval = numberIn({ min: 0, max: 1, wording: 'must be a number between 0 and 1' });

const CONSENSUS_RULES: Readonly<Record<keyof ConsensusConfig, FieldRule>> = {
  method: oneOf(['majority', 'weighted_voting', 'deliberative']),
  confidenceWeights: optional(boolean),
  requireQuorum: optional(numberIn({ min: 0, max: 1, minExclusive: true, wording: 'must be a number in (0, 1]: above 0 and at most 1' })),
  voters: optional(listOf(name)),
  maxRounds: optional(numberIn({ min: 1, integer: true, wording: 'must be a whole number of at least 1' })),
  options: optional(listOf(name, { nonEmpty: true })),
};

const TASK_RULES: Readonly<Record<keyof SubAgentTaskSpec, FieldRule>> = {
  agentId: name,
  taskDescription: name,
  executionMode: optional(oneOf(['parallel', 'sequential'])),
  priority: optional(oneOf(['high', 'medium', 'low'])),
  estimatedDurationSeconds: optional(numberIn({ min: 0, wording: 'must be a finite, non-negative number of seconds' })),
  dependencies: optional(listOf(name)),
  requireAllDependencies: optional(boolean),
  confidenceThreshold: optional(unitInterval),
  alternativePathsAllowed: optional(boolean),
  condition: optional((value) => (typeof value === 'function' ? undefined : { message: 'must be a function' })),
  fallbackAgent: optional(name),
  inputData: () => undefined,
  consensusConfig: optional((value) => checkObject(value, CONSENSUS_RULES, 'consensusConfig')),
  template: optional(name),
  thinkingDirectives: optional(listOf((value) => (typeof value === 'string' ? undefined : { message: 'must be a string' }))),
  sharedArtifacts: optional(listOf(name)),
  availableAgents: optional(listOf(name)),
  requiresApproval: optional(boolean),
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The rules of each object kind as entries, computed once: this runs for every task. */
const ruleEntries = new WeakMap<object, readonly (readonly [string, FieldRule])[]>();

/** Checks every rule of an object and rejects fields no rule knows, suggesting the nearest known one. */
function checkObject(value: unknown, rules: Readonly<Record<string, FieldRule>>, kind: string): ReturnType<FieldRule> {
  if (!isRecord(value)) return { message: 'must be an object' };
  let entries = ruleEntries.get(rules);
  if (entries === undefined) {
    entries = Object.entries(rules);
    ruleEntries.set(rules, entries);
  }
  // Unknown fields first: `agent_id` should say "did you mean agentId", not "agentId is missing".
  for (const field in value) {
    if (!Object.hasOwn(value, field) || Object.hasOwn(rules, field)) continue;
    const hint = closestMatch(field, Object.keys(rules), { ignoreCase: true });
    return { message: `is not a ${kind} field${hint ? `; did you mean "${hint}"?` : ''}`, at: field, value: value[field] };
  }
  for (const [field, rule] of entries) {
    const problem = rule(value[field]);
    if (problem) {
      const nested = problem.at?.startsWith('[') ? problem.at : problem.at ? `.${problem.at}` : '';
      return { message: problem.message, at: `${field}${nested}`, value: 'value' in problem ? problem.value : value[field] };
    }
  }
  return undefined;
}

/**
 * Rejects a task spec's fields that no task has, with the nearest known
 * field as a hint: what `new SubAgentTask(spec)` checks, since the class
 * would otherwise drop a misspelt field without a word.
 *
 * @throws WorkflowValidationError naming the field.
 * @example
 * ```ts
 * checkKnownTaskFields({ agentId: 'a', taskDescription: 'x', dependancies: ['b'] });
 * // throws: SubAgentTask "a": dependancies is not a task field; did you mean "dependencies"? (got an array of 1)
 * ```
 */
export function checkKnownTaskFields(spec: unknown): void {
  if (!isRecord(spec)) throw new WorkflowValidationError(`SubAgentTask needs a task object (got ${describeValue(spec)})`);
  for (const field in spec) {
    if (!Object.hasOwn(spec, field) || Object.hasOwn(TASK_RULES, field)) continue;
    const hint = closestMatch(field, Object.keys(TASK_RULES), { ignoreCase: true });
    const agentId = spec['agentId'];
    const label = typeof agentId === 'string' && agentId.trim() !== '' ? `SubAgentTask "${agentId}"` : 'SubAgentTask';
    throw new WorkflowValidationError(
      `${label}: ${field} is not a task field${hint ? `; did you mean "${hint}"?` : ''} (got ${describeValue(spec[field])})`,
      { field },
    );
  }
}

/**
 * What a task's `condition` decided: its return value, which must be a
 * boolean. A Promise (an async condition) or any other value would otherwise
 * count as true; a Promise's eventual rejection is absorbed, so it cannot
 * surface as an unhandled rejection.
 *
 * @throws WorkflowValidationError naming the task and what the condition returned.
 * @example
 * ```ts
 * conditionDecision('reviewer', false); // false
 * conditionDecision('reviewer', 'yes'); // throws: Task "reviewer": its condition must return true or false (got "yes")
 * ```
 */
export function conditionDecision(agentId: string, returned: unknown): boolean {
  if (typeof returned === 'boolean') return returned;
  const details = { agentId, field: 'condition' };
  if (isThenable(returned)) {
    returned.then(undefined, () => undefined);
    throw new WorkflowValidationError(
      `Task "${agentId}": its condition returned a Promise; a condition must return true or false synchronously ` +
        '(compute what it needs from the results it is given)',
      details,
    );
  }
  throw new WorkflowValidationError(`Task "${agentId}": its condition must return true or false (got ${describeValue(returned)})`, details);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof Reflect.get(value, 'then') === 'function';
}

/** `Task "x" (tasks[2])`, or `Task at tasks[2]` when it has no usable agentId. */
function taskLabel(raw: unknown, index: number): string {
  const agentId = isRecord(raw) ? raw['agentId'] : undefined;
  return typeof agentId === 'string' && agentId.trim() !== ''
    ? `Task "${agentId}" (tasks[${index}])`
    : `Task at tasks[${index}]`;
}

/**
 * A short, bounded rendering of an offending value for error messages.
 *
 * @example
 * ```ts
 * describeValue('x'.repeat(100)); // the first 60 characters, then '…', in double quotes
 * describeValue([1, 2]); // 'an array of 2'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}

/**
 * Checks one task's fields, throwing on the first problem: a field of the
 * wrong type or out of range, or one no rule knows (with the nearest known
 * field as a hint).
 *
 * @throws WorkflowValidationError naming the task (agentId and `tasks[i]`), the field and the value.
 * @example
 * ```ts
 * checkTaskFields({ agentId: 'writer', taskDescription: 'Draft', priority: 'urgent' }, 1);
 * // throws: Task "writer" (tasks[1]): priority must be "high", "medium" or "low" (got "urgent")
 * ```
 */
export function checkTaskFields(task: unknown, index: number): void {
  const problem = checkObject(task, TASK_RULES, 'task');
  if (problem) {
    const field = problem.at ?? '';
    const got = isRecord(task) ? ` (got ${describeValue(problem.value)})` : ` (got ${describeValue(task)})`;
    const message = isRecord(task)
      ? `${taskLabel(task, index)}: ${field} ${problem.message}${got}`
      : `tasks[${index}] must be a task object${got}`;
    throw new WorkflowValidationError(message, { index, ...(field ? { field } : {}) });
  }
}
