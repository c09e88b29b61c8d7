/**
 * The seed's orchestration patterns on top of executeTask/executeTasks:
 * pipelines (with parallel stages) and map-reduce. Consensus is a task option
 * (`consensusConfig`), run by the task runner.
 */
import { WorkflowValidationError } from '../protocols/errors.js';
import type { SubAgentTaskSpec, TaskResult } from '../protocols/task.js';
import { addCents } from '../protocols/cents.js';

/** What patterns need from an orchestrator. */
export interface TaskExecutor {
  executeTask(task: SubAgentTaskSpec): Promise<TaskResult>;
  executeTasks(tasks: readonly SubAgentTaskSpec[]): Promise<Record<string, TaskResult>>;
}

/** A stage: `[agentId, description]` as in the seed. */
export type PipelineStage = readonly [agentId: string, description: string];

export interface PipelineExecuteOptions {
  /** The first stage's input. */
  readonly inputData?: unknown;
  /** true (default): the first failed stage ends the pipeline. false: a failed stage passes its input on. */
  readonly stopOnError?: boolean;
  /** Keep every stage's result in `intermediates`. Default false. */
  readonly collectIntermediates?: boolean;
  /** Stages that, when adjacent, run concurrently on the same input; their outputs are merged for the next stage. */
  readonly parallelStages?: readonly string[];
}

export interface PipelineIntermediate {
  readonly status: TaskResult['status'];
  readonly output: string | null;
  /** The output's first line. */
  readonly summary: string;
  readonly confidence: number | null;
  readonly costCents: number;
}

export interface PipelineResult {
  /** The last stage's output (a merged record when it was a parallel group). */
  readonly output: unknown;
  readonly intermediates: Readonly<Record<string, PipelineIntermediate>>;
  readonly status: 'succeeded' | 'partial' | 'failed';
  readonly results: Readonly<Record<string, TaskResult>>;
  readonly totalCostCents: number;
}

export interface Pipeline {
  readonly stages: readonly PipelineStage[];
  execute(options?: PipelineExecuteOptions): Promise<PipelineResult>;
}

/** Groups stages: adjacent stages named in parallelStages share a group. */
export function groupStages(stages: readonly PipelineStage[], parallel: ReadonlySet<string>): PipelineStage[][] {
  const groups: PipelineStage[][] = [];
  for (const stage of stages) {
    const last = groups[groups.length - 1];
    const previous = last?.[last.length - 1];
    if (last && previous && parallel.has(stage[0]) && parallel.has(previous[0])) last.push(stage);
    else groups.push([stage]);
  }
  return groups;
}

function intermediateOf(result: TaskResult): PipelineIntermediate {
  const summary = result.output?.split('\n').find((line) => line.trim().length > 0) ?? result.reason ?? result.error?.message ?? '';
  return { status: result.status, output: result.output, summary, confidence: result.confidence, costCents: result.costCents };
}

/**
 * Creates a pipeline.
 * @example
 * ```ts
 * const pipeline = createPipeline(orchestrator, [
 *   ['data_cleaner', 'Clean and validate input data'],
 *   ['feature_extractor', 'Extract relevant features'],
 *   ['model_builder', 'Build predictive model'],
 * ]);
 * const result = await pipeline.execute({ inputData: rawData, collectIntermediates: true, parallelStages: ['feature_extractor', 'model_builder'] });
 * ```
 * @throws WorkflowValidationError for an empty pipeline, a bad stage or a duplicate stage id.
 */
export function createPipeline(executor: TaskExecutor, stages: readonly PipelineStage[]): Pipeline {
  if (!Array.isArray(stages) || stages.length === 0) throw new WorkflowValidationError('A pipeline needs at least one stage');
  const seen = new Set<string>();
  stages.forEach((stage, index) => {
    const [agentId, description] = stage;
    if (typeof agentId !== 'string' || !agentId || typeof description !== 'string' || !description) {
      throw new WorkflowValidationError(`Pipeline stage ${index} must be [agentId, description] with non-empty strings`);
    }
    if (seen.has(agentId)) throw new WorkflowValidationError(`Duplicate pipeline stage "${agentId}"`);
    seen.add(agentId);
  });

  return {
    stages,
    async execute(options = {}) {
      const stopOnError = options.stopOnError ?? true;
      const parallel = new Set(options.parallelStages ?? []);
      for (const name of parallel) {
        if (!seen.has(name)) throw new WorkflowValidationError(`parallelStages names "${name}", which is not a stage`);
      }
      let input: unknown = options.inputData;
      const results: Record<string, TaskResult> = {};
      const intermediates: Record<string, PipelineIntermediate> = {};
      let failures = 0;
      let stopped = false;
      for (const group of groupStages(stages, parallel)) {
        const specs: SubAgentTaskSpec[] = group.map(([agentId, taskDescription]) => ({
          agentId,
          taskDescription,
          ...(input === undefined ? {} : { inputData: input }),
        }));
        const groupResults =
          specs.length === 1 && specs[0] ? { [specs[0].agentId]: await executor.executeTask(specs[0]) } : await executor.executeTasks(specs);
        const outputs: Record<string, string> = {};
        let groupFailed = false;
        for (const [agentId] of group) {
          const result = groupResults[agentId];
          if (!result) continue;
          results[agentId] = result;
          if (options.collectIntermediates) intermediates[agentId] = intermediateOf(result);
          if (result.status === 'succeeded' && result.output !== null) outputs[agentId] = result.output;
          else groupFailed = true;
        }
        if (groupFailed) {
          failures++;
          if (stopOnError) {
            stopped = true;
            break;
          }
        }
        const produced = Object.keys(outputs);
        // A failed stage passes its input on; a parallel group's outputs are merged.
        if (produced.length === 1 && group.length === 1) input = outputs[produced[0] ?? ''];
        else if (produced.length > 0) input = outputs;
      }
      const totalCostCents = addCents(...Object.values(results).map((result) => result.costCents));
      return {
        output: stopped ? null : input,
        intermediates,
        status: failures === 0 ? 'succeeded' : stopped ? 'failed' : 'partial',
        results,
        totalCostCents,
      };
    },
  };
}

export interface MapReduceOptions<TDocument> {
  /** Description of a map task. Default: `Analyze document: <title>`. */
  readonly describe?: (document: TDocument, index: number) => string;
  /** Map agent ids are `<mapAgentPrefix>_<i>`. Default `analyzer`. */
  readonly mapAgentPrefix?: string;
  /** Template for the map agents. */
  readonly mapTemplate?: string;
  readonly reducerAgent?: string;
  readonly reduceDescription?: string;
}

export interface MapReduceResult {
  readonly mapResults: Readonly<Record<string, TaskResult>>;
  readonly result: TaskResult;
}

function titleOf(document: unknown, index: number): string {
  if (typeof document === 'object' && document !== null && 'title' in document && typeof document.title === 'string') {
    return document.title;
  }
  return `document ${index + 1}`;
}

/**
 * The seed's map-reduce: analyse documents in parallel, then combine.
 * @example
 * ```ts
 * const { result } = await mapReduce(orchestrator, [{ title: 'Q1 report', body: '...' }, { title: 'Q2 report', body: '...' }]);
 * ```
 */
export async function mapReduce<TDocument>(
  executor: TaskExecutor,
  documents: readonly TDocument[],
  options: MapReduceOptions<TDocument> = {},
): Promise<MapReduceResult> {
  if (documents.length === 0) throw new WorkflowValidationError('mapReduce needs at least one document');
  const prefix = options.mapAgentPrefix ?? 'analyzer';
  const mapTasks: SubAgentTaskSpec[] = documents.map((document, index) => ({
    agentId: `${prefix}_${index}`,
    taskDescription: options.describe?.(document, index) ?? `Analyze document: ${titleOf(document, index)}`,
    executionMode: 'parallel',
    inputData: document,
    ...(options.mapTemplate ? { template: options.mapTemplate } : {}),
  }));
  const mapResults = await executor.executeTasks(mapTasks);
  const analyses: Record<string, string | null> = {};
  for (const [agentId, result] of Object.entries(mapResults)) analyses[agentId] = result.output;
  const result = await executor.executeTask({
    agentId: options.reducerAgent ?? 'synthesizer',
    taskDescription: options.reduceDescription ?? 'Combine all document analyses',
    inputData: analyses,
    executionMode: 'sequential',
  });
  return { mapResults, result };
}
