/**
 * Workflow tasks: `normalizeTasks` checks a task list before any model is
 * called and applies defaults. Every problem is a WorkflowValidationError
 * whose message names the task and the field. The field checks are in
 * workflow-task-rules.ts; the `SubAgentTask` class in sub-agent-task.ts.
 */
import { WorkflowValidationError } from '../../protocols/errors/errors.js';
import type { ConsensusConfig, ExecutionMode, SubAgentTaskSpec, TaskPriority } from '../../protocols/task.js';
import { closestMatch } from '../../util/closest-match.js';
import { findDependencyCycle } from './dependency-cycle.js';
import { checkTaskFields, describeValue } from './task-rules.js';

// Re-exported so callers keep importing every task type from one module.
export { SubAgentTask } from './sub-agent-task.js';

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
  /** Whether the spec has a `condition` (the function itself stays with the orchestrator: actors hold data only). */
  readonly hasCondition: boolean;
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
  /** Default false. */
  readonly requiresApproval: boolean;
}

/** What `normalizeTasks` checks names against. */
export interface NormalizeTasksOptions {
  /** Template names registered with the orchestrator. */
  readonly knownTemplates: ReadonlySet<string>;
}

/** One shared, frozen empty list for absent list fields: no allocation per task. */
const NONE: readonly string[] = Object.freeze([]);

/** One task: its fields checked, then defaults applied. */
function normalizeOne(task: SubAgentTaskSpec, index: number): NormalizedTask {
  checkTaskFields(task, index);
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
    hasCondition: task.condition !== undefined,
    fallbackAgent: task.fallbackAgent,
    inputData: task.inputData,
    consensusConfig: task.consensusConfig,
    template: task.template,
    thinkingDirectives: task.thinkingDirectives ? [...task.thinkingDirectives] : NONE,
    sharedArtifacts: task.sharedArtifacts ? [...task.sharedArtifacts] : NONE,
    availableAgents: task.availableAgents ? [...task.availableAgents] : NONE,
    requiresApproval: task.requiresApproval ?? false,
  };
}

function listNames(names: Iterable<string>, limit = 8): string {
  const all = [...names];
  if (all.length === 0) return 'none';
  const shown = all.slice(0, limit).map((n) => `"${n}"`).join(', ');
  return all.length > limit ? `${shown} and ${all.length - limit} more` : shown;
}

/**
 * A template must be registered. A fallbackAgent, like a task's own agent, is
 * a live agent, else one spawned from the template of its name, else from the
 * orchestrator's defaults: any name but the task's own.
 */
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
}

/** Dependencies: not the task itself, not listed twice, and naming a task of this workflow. */
/** Past this many dependencies a task's repeat check uses a Set: a scan per dependency is O(n²) (a reduce over 10,000 tasks). */
const SCAN_LIMIT = 16;

function dependencyIndices(tasks: readonly NormalizedTask[], indexById: ReadonlyMap<string, number>): number[][] {
  return tasks.map((task) => {
    // Most lists are short: a scan costs less than a Set per task.
    const seen = task.dependencies.length > SCAN_LIMIT ? new Set<string>() : undefined;
    return task.dependencies.map((dependency, position) => {
      const target = indexById.get(dependency);
      const repeated = seen ? seen.size === seen.add(dependency).size : task.dependencies.indexOf(dependency) !== position;
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
    });
  });
}

/**
 * Validates a workflow's tasks before any model is called and applies defaults.
 *
 * Checks, throwing on the first problem: the list is a non-empty array; then
 * each task in declaration order: its fields (types, enums, ranges, unknown
 * fields), a unique agentId, a `template` that is registered and a
 * `fallbackAgent` other than the task itself (it is spawned like a task's own
 * agent: from its template if there is one, else from the defaults); then every task's dependencies: not itself, not listed twice, naming
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
