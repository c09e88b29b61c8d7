/**
 * Workflow tasks: the seed's `SubAgentTask`, and `normalizeTasks`, which checks
 * a task list before any model is called and applies defaults. Every problem
 * is a WorkflowValidationError whose message names the task and the field.
 */
import { WorkflowValidationError } from '../protocols/errors.js';
import type {
  ConditionResults,
  ConsensusConfig,
  ExecutionMode,
  SubAgentTaskSpec,
  TaskPriority,
} from '../protocols/task.js';

/**
 * The seed's SubAgentTask as a class. Plain objects with the same fields are
 * accepted everywhere a task is; the class only holds the fields.
 *
 * @example
 * ```ts
 * const task = new SubAgentTask({
 *   agentId: 'market_researcher',
 *   taskDescription: 'Research current market trends',
 *   priority: 'high',
 *   estimatedDurationSeconds: 120,
 * });
 * ```
 */
export class SubAgentTask implements SubAgentTaskSpec {
  readonly agentId: string;
  readonly taskDescription: string;
  readonly executionMode?: ExecutionMode;
  readonly priority?: TaskPriority;
  readonly estimatedDurationSeconds?: number;
  readonly dependencies?: readonly string[];
  readonly requireAllDependencies?: boolean;
  readonly confidenceThreshold?: number;
  readonly alternativePathsAllowed?: boolean;
  readonly condition?: (results: ConditionResults) => boolean;
  readonly fallbackAgent?: string;
  readonly inputData?: unknown;
  readonly consensusConfig?: ConsensusConfig;
  readonly template?: string;
  readonly thinkingDirectives?: readonly string[];
  readonly sharedArtifacts?: readonly string[];
  readonly availableAgents?: readonly string[];

  constructor(spec: SubAgentTaskSpec) {
    this.agentId = spec.agentId;
    this.taskDescription = spec.taskDescription;
    this.executionMode = spec.executionMode;
    this.priority = spec.priority;
    this.estimatedDurationSeconds = spec.estimatedDurationSeconds;
    this.dependencies = spec.dependencies;
    this.requireAllDependencies = spec.requireAllDependencies;
    this.confidenceThreshold = spec.confidenceThreshold;
    this.alternativePathsAllowed = spec.alternativePathsAllowed;
    this.condition = spec.condition;
    this.fallbackAgent = spec.fallbackAgent;
    this.inputData = spec.inputData;
    this.consensusConfig = spec.consensusConfig;
    this.template = spec.template;
    this.thinkingDirectives = spec.thinkingDirectives;
    this.sharedArtifacts = spec.sharedArtifacts;
    this.availableAgents = spec.availableAgents;
  }
}

/** A validated task with defaults applied and its position in the list. */
export interface NormalizedTask {
  /** Declaration order: the task's position in the list given to `normalizeTasks`. */
  readonly index: number;
  readonly agentId: string;
  readonly taskDescription: string;
  /** Default 'parallel'. */
  readonly executionMode: ExecutionMode;
  /** Default 'medium'. */
  readonly priority: TaskPriority;
  /** Absent when not given; the scheduler ranks a missing estimate as 0. */
  readonly estimatedDurationSeconds?: number;
  /** Default []. */
  readonly dependencies: readonly string[];
  /** Default true. */
  readonly requireAllDependencies: boolean;
  readonly confidenceThreshold?: number;
  /** Default false. */
  readonly alternativePathsAllowed: boolean;
  readonly condition?: (results: ConditionResults) => boolean;
  readonly fallbackAgent?: string;
  readonly inputData?: unknown;
  readonly consensusConfig?: ConsensusConfig;
  readonly template?: string;
  /** Default []. */
  readonly thinkingDirectives: readonly string[];
  /** Default []. */
  readonly sharedArtifacts: readonly string[];
  /** Agents the task's agent may consult (its consult_agent tool). Default []. */
  readonly availableAgents: readonly string[];
}

/** What `normalizeTasks` checks names against. */
export interface NormalizeTasksOptions {
  /** Template names registered with the orchestrator. */
  readonly knownTemplates: ReadonlySet<string>;
  /** Ids of live agents. */
  readonly knownAgents?: ReadonlySet<string>;
}

/**
 * Levenshtein distance between two strings, in O(|a|·|b|) time and O(|b|) space.
 */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate nearest to `wanted` by edit distance, when it is close enough
 * to be a plausible typo: at most max(2, ⌊length/3⌋) edits. Ties go to the
 * first candidate.
 */
function closestMatch(wanted: string, candidates: Iterable<string>, options: { ignoreCase?: boolean } = {}): string | undefined {
  const fold = (s: string) => (options.ignoreCase ? s.toLowerCase() : s);
  const target = fold(wanted);
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 3)) + 1;
  for (const candidate of candidates) {
    // Cheap bound first: lengths alone already differ by too much.
    if (Math.abs(candidate.length - wanted.length) >= bestDistance) continue;
    const distance = editDistance(target, fold(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * A dependency cycle as task indices in dependency order (each depends on the
 * next, the last on the first), starting at its earliest-declared task; or
 * undefined when the graph is acyclic. Iterative depth-first search with an
 * explicit stack, so a 10,000-long chain cannot overflow the call stack.
 */
function findDependencyCycle(edges: readonly (readonly number[])[]): number[] | undefined {
  const WHITE = 0;
  const GREY = 1; // on the current DFS path
  const BLACK = 2; // fully explored, part of no cycle
  const colour = new Uint8Array(edges.length);
  const pathNodes: number[] = [];
  const nextEdge: number[] = [];
  for (let root = 0; root < edges.length; root++) {
    if (colour[root] !== WHITE) continue;
    colour[root] = GREY;
    pathNodes.push(root);
    nextEdge.push(0);
    while (pathNodes.length > 0) {
      const top = pathNodes.length - 1;
      const node = pathNodes[top] ?? 0;
      const edge = nextEdge[top] ?? 0;
      const targets = edges[node] ?? [];
      if (edge >= targets.length) {
        colour[node] = BLACK;
        pathNodes.pop();
        nextEdge.pop();
        continue;
      }
      nextEdge[top] = edge + 1;
      const target = targets[edge] ?? 0;
      if (colour[target] === WHITE) {
        colour[target] = GREY;
        pathNodes.push(target);
        nextEdge.push(0);
      } else if (colour[target] === GREY) {
        const cycle = pathNodes.slice(pathNodes.lastIndexOf(target));
        const start = cycle.indexOf(Math.min(...cycle));
        return [...cycle.slice(start), ...cycle.slice(0, start)];
      }
    }
  }
  return undefined;
}

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

/** `Task "x" (tasks[2])`, or `Task at tasks[2]` when it has no usable agentId. */
function taskLabel(raw: unknown, index: number): string {
  const agentId = isRecord(raw) ? raw['agentId'] : undefined;
  return typeof agentId === 'string' && agentId.trim() !== ''
    ? `Task "${agentId}" (tasks[${index}])`
    : `Task at tasks[${index}]`;
}

/** A short, bounded rendering of an offending value for error messages. */
function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}

/** One shared, frozen empty list for absent list fields: no allocation per task. */
const NONE: readonly string[] = Object.freeze([]);

function normalizeOne(task: SubAgentTaskSpec, index: number): NormalizedTask {
  const problem = checkObject(task, TASK_RULES, 'task');
  if (problem) {
    const field = problem.at ?? '';
    const got = isRecord(task) ? ` (got ${describeValue(problem.value)})` : ` (got ${describeValue(task)})`;
    const message = isRecord(task)
      ? `${taskLabel(task, index)}: ${field} ${problem.message}${got}`
      : `tasks[${index}] must be a task object${got}`;
    throw new WorkflowValidationError(message, { index, ...(field ? { field } : {}) });
  }
  // Optional fields stay present with `undefined` values: one object shape, no spread temporaries.
  return {
    index,
    agentId: task.agentId,
    taskDescription: task.taskDescription,
    executionMode: task.executionMode ?? 'parallel',
    priority: task.priority ?? 'medium',
    estimatedDurationSeconds: task.estimatedDurationSeconds,
    dependencies: task.dependencies ? [...task.dependencies] : NONE,
    requireAllDependencies: task.requireAllDependencies ?? true,
    confidenceThreshold: task.confidenceThreshold,
    alternativePathsAllowed: task.alternativePathsAllowed ?? false,
    condition: task.condition,
    fallbackAgent: task.fallbackAgent,
    inputData: task.inputData,
    consensusConfig: task.consensusConfig,
    template: task.template,
    thinkingDirectives: task.thinkingDirectives ? [...task.thinkingDirectives] : NONE,
    sharedArtifacts: task.sharedArtifacts ? [...task.sharedArtifacts] : NONE,
    availableAgents: task.availableAgents ? [...task.availableAgents] : NONE,
  };
}

function listNames(names: Iterable<string>, limit = 8): string {
  const all = [...names];
  if (all.length === 0) return 'none';
  const shown = all.slice(0, limit).map((n) => `"${n}"`).join(', ');
  return all.length > limit ? `${shown} and ${all.length - limit} more` : shown;
}

/** fallbackAgent and template must name something that can actually run the task. */
function checkAgentReferences(task: NormalizedTask, options: NormalizeTasksOptions): void {
  const label = `Task "${task.agentId}" (tasks[${task.index}])`;
  if (task.template !== undefined && !options.knownTemplates.has(task.template)) {
    const hint = closestMatch(task.template, options.knownTemplates);
    throw new WorkflowValidationError(
      `${label}: template "${task.template}" is not a registered template` +
        `${hint ? `; did you mean "${hint}"?` : ''} (templates: ${listNames(options.knownTemplates)})`,
      { index: task.index, agentId: task.agentId, field: 'template' },
    );
  }
  const fallback = task.fallbackAgent;
  if (fallback === undefined) return;
  if (fallback === task.agentId) {
    throw new WorkflowValidationError(`${label}: fallbackAgent must name a different agent than the task's own`, {
      index: task.index,
      agentId: task.agentId,
      field: 'fallbackAgent',
    });
  }
  if (!options.knownTemplates.has(fallback) && !options.knownAgents?.has(fallback)) {
    const hint = closestMatch(fallback, [...options.knownTemplates, ...(options.knownAgents ?? [])]);
    throw new WorkflowValidationError(
      `${label}: fallbackAgent "${fallback}" is neither a registered template nor a live agent` +
        `${hint ? `; did you mean "${hint}"?` : ''} (templates: ${listNames(options.knownTemplates)})`,
      { index: task.index, agentId: task.agentId, field: 'fallbackAgent' },
    );
  }
}

/** Dependencies: not the task itself, not listed twice, and naming a task of this workflow. */
function dependencyIndices(tasks: readonly NormalizedTask[], indexById: ReadonlyMap<string, number>): number[][] {
  return tasks.map((task) =>
    task.dependencies.map((dependency, position) => {
      const target = indexById.get(dependency);
      // Dependency lists are short: a scan costs less than a Set per task.
      const repeated = task.dependencies.indexOf(dependency) !== position;
      if (target !== undefined && target !== task.index && !repeated) return target;
      const label = `Task "${task.agentId}" (tasks[${task.index}])`;
      const details = { index: task.index, agentId: task.agentId, field: 'dependencies', dependency };
      if (dependency === task.agentId) throw new WorkflowValidationError(`${label} depends on itself`, details);
      if (repeated) {
        throw new WorkflowValidationError(`${label} lists dependency "${dependency}" more than once`, details);
      }
      const hint = closestMatch(dependency, indexById.keys());
      throw new WorkflowValidationError(
        `${label} depends on unknown task "${dependency}"${hint ? `; did you mean "${hint}"?` : ''}`,
        details,
      );
    }),
  );
}

/**
 * Validates a workflow's tasks before any model is called and applies defaults.
 *
 * Checks, throwing on the first problem: the list is a non-empty array; then
 * each task in declaration order: its fields (types, enums, ranges, unknown
 * fields), a unique agentId, a `template` that is registered and a
 * `fallbackAgent` that is a registered template or a live agent (not the task
 * itself); then every task's dependencies: not itself, not listed twice, naming
 * a task of this list; and last, that the dependencies have no cycle.
 *
 * @throws WorkflowValidationError naming the task (agentId and `tasks[i]`) and the field.
 * @example
 * ```ts
 * const tasks = normalizeTasks(
 *   [
 *     { agentId: 'researcher', taskDescription: 'Research trends', priority: 'high' },
 *     { agentId: 'writer', taskDescription: 'Write the report', dependencies: ['researcher'] },
 *   ],
 *   { knownTemplates: new Set(['researcher', 'writer']) },
 * );
 * tasks[1]?.requireAllDependencies; // true
 * ```
 */
export function normalizeTasks(
  tasks: readonly SubAgentTaskSpec[],
  options: NormalizeTasksOptions,
): NormalizedTask[] {
  // Checked through an `unknown` view: Array.isArray would narrow `tasks` to any[].
  const given: unknown = tasks;
  if (!Array.isArray(given)) {
    throw new WorkflowValidationError(`tasks must be an array of tasks (got ${describeValue(tasks)})`);
  }
  if (tasks.length === 0) {
    throw new WorkflowValidationError('A workflow needs at least one task; the task list is empty');
  }
  const normalized: NormalizedTask[] = [];
  const indexById = new Map<string, number>();
  for (const [index, spec] of tasks.entries()) {
    const task = normalizeOne(spec, index);
    const earlier = indexById.get(task.agentId);
    if (earlier !== undefined) {
      throw new WorkflowValidationError(
        `Duplicate agentId "${task.agentId}" at tasks[${earlier}] and tasks[${index}]: each task needs its own agentId`,
        { agentId: task.agentId, indices: [earlier, index] },
      );
    }
    checkAgentReferences(task, options);
    indexById.set(task.agentId, index);
    normalized.push(task);
  }
  const edges = dependencyIndices(normalized, indexById);
  const cycle = findDependencyCycle(edges);
  if (cycle) {
    const ids = cycle.map((i) => normalized[i]?.agentId ?? `tasks[${i}]`);
    const first = ids[0] ?? '';
    throw new WorkflowValidationError(
      `Dependency cycle: ${[...ids, first].join(' → ')} (each task depends on the next, so none of them can start)`,
      { cycle: ids },
    );
  }
  return normalized;
}
