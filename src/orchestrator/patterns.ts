/**
 * Orchestration patterns on top of executeTask/executeTasks:
 * pipelines (with parallel stages) and map-reduce. Consensus is a task option
 * (`consensusConfig`), run by the task runner.
 */
import { CancelledError, WorkflowValidationError } from '../protocols/errors/errors.js';
import type { SubAgentTaskSpec, TaskResult } from '../protocols/task.js';
import { describeArgument, optionalBoolean, optionalFunction, optionalId, optionalSignal, optionalStringList, requireRecord } from '../util/arguments.js';

/**
 * Options every run method takes: `signal` cancels the run (model calls in flight are aborted).
 * @example
 * ```ts
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 30_000);
 * const { result } = await orchestrator.mapReduce(documents, { signal: controller.signal });
 * ```
 */
export interface RunOptions {
  readonly signal?: AbortSignal;
}
import { addCents } from '../protocols/cents.js';

/** What patterns need from an orchestrator. */
export interface TaskExecutor {
  executeTask(task: SubAgentTaskSpec, options?: RunOptions): Promise<TaskResult>;
  executeTasks(tasks: readonly SubAgentTaskSpec[], options?: RunOptions): Promise<Record<string, TaskResult>>;
}

/** A record without a prototype: agent ids as keys can never reach Object.prototype. */
function resultMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** @throws CancelledError when `signal` has aborted (a pattern stops between its steps). */
function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(`the caller aborted the ${what}`);
}

/** A stage: `[agentId, description]`. */
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
  /** Cancels the pipeline: the running stage's model calls are aborted and `execute` rejects with CancelledError. */
  readonly signal?: AbortSignal;
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
  stages.forEach((stage: unknown, index) => {
    if (!Array.isArray(stage)) throw new WorkflowValidationError(`Pipeline stage ${index} must be [agentId, description] (got ${describeArgument(stage)})`);
    const [agentId, description]: unknown[] = stage;
    if (typeof agentId !== 'string' || !agentId || typeof description !== 'string' || !description) {
      throw new WorkflowValidationError(`Pipeline stage ${index} must be [agentId, description] with non-empty strings`);
    }
    optionalId(agentId, `pipeline stage ${index} agentId`, 'workflow');
    if (seen.has(agentId)) throw new WorkflowValidationError(`Duplicate pipeline stage "${agentId}"`);
    seen.add(agentId);
  });

  return {
    stages,
    async execute(options = {}) {
      const given = requireRecord(options, 'pipeline.execute options', 'workflow');
      const signal = optionalSignal(given['signal'], 'signal', 'workflow');
      optionalBoolean(given['stopOnError'], 'stopOnError', 'workflow');
      optionalBoolean(given['collectIntermediates'], 'collectIntermediates', 'workflow');
      optionalStringList(given['parallelStages'], 'parallelStages', 'workflow');
      const run: RunOptions = signal ? { signal } : {};
      const stopOnError = options.stopOnError ?? true;
      const parallel = new Set(options.parallelStages ?? []);
      for (const name of parallel) {
        if (!seen.has(name)) throw new WorkflowValidationError(`parallelStages names "${name}", which is not a stage`);
      }
      let input: unknown = options.inputData;
      const results = resultMap<TaskResult>();
      const intermediates = resultMap<PipelineIntermediate>();
      let failures = 0;
      let stopped = false;
      for (const group of groupStages(stages, parallel)) {
        throwIfAborted(signal, 'pipeline');
        const specs: SubAgentTaskSpec[] = group.map(([agentId, taskDescription]) => ({
          agentId,
          taskDescription,
          ...(input === undefined ? {} : { inputData: input }),
        }));
        const groupResults = resultMap<TaskResult>();
        if (specs.length === 1 && specs[0]) groupResults[specs[0].agentId] = await executor.executeTask(specs[0], run);
        else Object.assign(groupResults, await executor.executeTasks(specs, run));
        // Aborted mid-stage: the stage's result is `cancelled`; the pipeline as a whole is cancelled.
        throwIfAborted(signal, 'pipeline');
        const outputs = resultMap<string>();
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
  /** Cancels the run: model calls in flight are aborted and `mapReduce` rejects with CancelledError. */
  readonly signal?: AbortSignal;
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

/** A map task's description: `describe`'s, which must be a non-empty string, else the default. */
function describeDocument<TDocument>(options: MapReduceOptions<TDocument>, document: TDocument, index: number): string {
  const described: unknown = options.describe?.(document, index);
  if (described === undefined) return `Analyze document: ${titleOf(document, index)}`;
  if (typeof described !== 'string' || described.trim() === '') {
    throw new WorkflowValidationError(`describe must return a non-empty string for document ${index} (got ${describeArgument(described)})`);
  }
  return described;
}

/**
 * Map-reduce: analyse documents in parallel, then combine.
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
  const given: unknown = documents;
  if (!Array.isArray(given)) throw new WorkflowValidationError(`mapReduce needs an array of documents (got ${describeArgument(given)})`);
  if (documents.length === 0) throw new WorkflowValidationError('mapReduce needs at least one document');
  const settings = requireRecord(options, 'mapReduce options', 'workflow');
  const signal = optionalSignal(settings['signal'], 'signal', 'workflow');
  optionalFunction(settings['describe'], 'describe', 'workflow');
  optionalId(settings['mapAgentPrefix'], 'mapAgentPrefix', 'workflow');
  optionalId(settings['mapTemplate'], 'mapTemplate', 'workflow');
  optionalId(settings['reducerAgent'], 'reducerAgent', 'workflow');
  if (settings['reduceDescription'] !== undefined && (typeof settings['reduceDescription'] !== 'string' || settings['reduceDescription'] === '')) {
    throw new WorkflowValidationError('reduceDescription must be a non-empty string');
  }
  const run: RunOptions = signal ? { signal } : {};
  throwIfAborted(signal, 'map-reduce');
  const prefix = options.mapAgentPrefix ?? 'analyzer';
  const mapTasks: SubAgentTaskSpec[] = documents.map((document, index) => ({
    agentId: `${prefix}_${index}`,
    taskDescription: describeDocument(options, document, index),
    executionMode: 'parallel',
    inputData: document,
    ...(options.mapTemplate ? { template: options.mapTemplate } : {}),
  }));
  const mapResults = await executor.executeTasks(mapTasks, run);
  throwIfAborted(signal, 'map-reduce');
  const analyses = resultMap<string | null>();
  for (const [agentId, result] of Object.entries(mapResults)) analyses[agentId] = result.output;
  const result = await executor.executeTask({
    agentId: options.reducerAgent ?? 'synthesizer',
    taskDescription: options.reduceDescription ?? 'Combine all document analyses',
    inputData: analyses,
    executionMode: 'sequential',
  }, run);
  throwIfAborted(signal, 'map-reduce');
  return { mapResults, result };
}
