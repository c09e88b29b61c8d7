/**
 * `SubAgentTask`: one unit of work in a workflow, for callers who
 * prefer a class to a plain object. Fields it does not know are refused at
 * once (the class would drop them); the rest of validation and the defaults are
 * applied by `normalizeTasks` (workflow-tasks.ts), whichever form the task came in.
 */
import { WorkflowValidationError } from '../../protocols/errors/errors.js';
import type {
  ConditionResults,
  ConsensusConfig,
  ExecutionMode,
  SubAgentTaskSpec,
  TaskPriority,
} from '../../protocols/task.js';
import { checkKnownTaskFields } from './task-rules.js';

/**
 * SubAgentTask as a class. Plain objects with the same fields are
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
  readonly requiresApproval?: boolean;

  /** @throws WorkflowValidationError for a field no task has (a misspelt one gets a did-you-mean). */
  constructor(spec: SubAgentTaskSpec) {
    const given: unknown = spec;
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw new WorkflowValidationError('new SubAgentTask(spec) needs a task object with agentId and taskDescription');
    }
    checkKnownTaskFields(spec);
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
    this.requiresApproval = spec.requiresApproval;
  }
}
