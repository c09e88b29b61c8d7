/**
 * The seed's orchestration patterns: pipelines (stopOnError,
 * collectIntermediates, parallelStages) and map-reduce.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator, ProviderError, WorkflowValidationError } from '../../src/index.js';
import type { ModelRequest } from '../../src/index.js';
import { groupStages } from '../../src/orchestrator/index.js';
import { systemText } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedProvider, ScriptedStep } from '../../src/testing.js';
import { agentOf, isReflection, promptOf } from '../support/requests.js';


/** The input data of a task prompt, between "Input data:" and the next section. */
function inputOf(request: ModelRequest): string {
  const prompt = promptOf(request);
  const start = prompt.indexOf('Input data:\n');
  if (start < 0) return '';
  const rest = prompt.slice(start + 'Input data:\n'.length);
  return rest.slice(0, rest.indexOf('\n\nNow give your answer'));
}

/** Each stage answers `<agent>(<its input>)`; `failing` stages fail. */
function stageModel(failing: readonly string[] = [], hold?: (agent: string) => Promise<void> | undefined): ScriptedProvider {
  return createScriptedProvider({
    fallback: (request): ScriptedStep | Promise<ScriptedStep> => {
      const agent = agentOf(request);
      if (isReflection(request)) return { structured: { confidence: 0.8, critique: '' } };
      if (failing.includes(agent)) return new ProviderError('PROVIDER_BAD_REQUEST', 'scripted', `${agent} cannot`);
      const answer = { text: `${agent}(${inputOf(request).replace(/\s+/g, ' ')})` };
      const held = hold?.(agent);
      return held ? held.then(() => answer) : answer;
    },
  });
}

const open: Orchestrator[] = [];
function orchestratorWith(provider: ScriptedProvider): Orchestrator {
  const orchestrator = new Orchestrator({ enableThinkingAgents: false, retry: { baseDelayMs: 1, maxDelayMs: 5 }, provider });
  open.push(orchestrator);
  return orchestrator;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((orchestrator) => orchestrator.shutdown()));
});

const stages = [
  ['cleaner', 'Clean and validate input data'],
  ['extractor', 'Extract relevant features'],
  ['reporter', 'Generate final report'],
] as const;

describe('pipeline', () => {
  it("feeds each stage's output to the next stage", async () => {
    const model = stageModel();
    const orchestrator = orchestratorWith(model);
    let charged = 0;
    orchestrator.events.on('model.call.finished', ({ costCents }) => (charged += costCents));
    const result = await orchestrator.createPipeline(stages).execute({ inputData: 'RAW' });
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('reporter(extractor(cleaner(RAW)))');
    expect(result.intermediates).toEqual({});
    expect(charged).toBeGreaterThan(0);
    expect(result.totalCostCents).toBeCloseTo(charged, 10);
  });

  it('stopOnError (default true) ends the pipeline at the first failed stage', async () => {
    const model = stageModel(['extractor']);
    const result = await orchestratorWith(model).createPipeline(stages).execute({ inputData: 'RAW' });
    expect(result.status).toBe('failed');
    expect(result.output).toBeNull();
    expect(result.results.extractor?.status).toBe('failed');
    expect(result.results.reporter).toBeUndefined();
    expect(model.requests.some((request) => agentOf(request) === 'reporter')).toBe(false);
  });

  it('stopOnError false passes a failed stage its input on and finishes partial', async () => {
    const model = stageModel(['extractor']);
    const result = await orchestratorWith(model).createPipeline(stages).execute({ inputData: 'RAW', stopOnError: false });
    expect(result.status).toBe('partial');
    expect(result.output).toBe('reporter(cleaner(RAW))');
  });

  it('collectIntermediates keeps every stage result with a one-line summary', async () => {
    const model = stageModel();
    const result = await orchestratorWith(model)
      .createPipeline(stages)
      .execute({ inputData: 'RAW', collectIntermediates: true });
    expect(Object.keys(result.intermediates)).toEqual(['cleaner', 'extractor', 'reporter']);
    expect(result.intermediates.cleaner).toMatchObject({ status: 'succeeded', summary: 'cleaner(RAW)', output: 'cleaner(RAW)' });
    expect(result.intermediates.reporter?.confidence).toBe(0.8);
  });

  it('runs adjacent parallelStages concurrently on the same input and merges their outputs for the next stage', async () => {
    const inFlight = new Set<string>();
    let release: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (release = resolve));
    let sawBoth = false;
    const model = stageModel([], (agent) => {
      if (agent !== 'features' && agent !== 'model') return undefined;
      inFlight.add(agent);
      if (inFlight.size === 2) {
        sawBoth = true;
        release();
      }
      // Held until the other stage is in flight too (or a safety timeout, and then sawBoth stays false).
      return Promise.race([together, new Promise<void>((resolve) => setTimeout(resolve, 2000))]).then(() => {
        inFlight.delete(agent);
      });
    });
    const pipeline = orchestratorWith(model).createPipeline([
      ['cleaner', 'Clean'],
      ['features', 'Extract relevant features'],
      ['model', 'Build predictive model'],
      ['reporter', 'Report'],
    ]);
    const result = await pipeline.execute({ inputData: 'RAW', parallelStages: ['features', 'model'] });
    expect(sawBoth).toBe(true);
    expect(result.results.features?.output).toBe('features(cleaner(RAW))');
    expect(result.results.model?.output).toBe('model(cleaner(RAW))');
    const reporterActing = model.requests.find((request) => agentOf(request) === 'reporter' && !isReflection(request));
    expect(reporterActing && inputOf(reporterActing)).toContain('"features": "features(cleaner(RAW))"');
    expect(reporterActing && inputOf(reporterActing)).toContain('"model": "model(cleaner(RAW))"');
  });

  it('groups only adjacent parallel stages', () => {
    const group = (names: string[], parallel: string[]) =>
      groupStages(
        names.map((name) => [name, 'x'] as const),
        new Set(parallel),
      ).map((g) => g.map(([name]) => name));
    expect(group(['a', 'b', 'c', 'd'], ['b', 'c'])).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(group(['a', 'b', 'c', 'd'], ['a', 'c'])).toEqual([['a'], ['b'], ['c'], ['d']]);
  });

  it('refuses an empty pipeline, a duplicate stage and an unknown parallel stage', async () => {
    const orchestrator = orchestratorWith(stageModel());
    expect(() => orchestrator.createPipeline([])).toThrow(WorkflowValidationError);
    expect(() => orchestrator.createPipeline([['a', 'x'], ['a', 'y']])).toThrow(/Duplicate pipeline stage "a"/);
    await expect(orchestrator.createPipeline([['a', 'x']]).execute({ parallelStages: ['b'] })).rejects.toThrow(/not a stage/);
  });
});

describe('mapReduce', () => {
  it('analyses every document in parallel, then the synthesizer combines the analyses', async () => {
    const model = stageModel();
    const documents = [
      { title: 'Q1 report', body: 'ALPHA' },
      { title: 'Q2 report', body: 'BETA' },
      { title: 'Q3 report', body: 'GAMMA' },
    ];
    const { mapResults, result } = await orchestratorWith(model).mapReduce(documents);
    expect(Object.keys(mapResults).sort()).toEqual(['analyzer_0', 'analyzer_1', 'analyzer_2']);
    const first = model.requests.find((request) => agentOf(request) === 'analyzer_0' && !isReflection(request));
    expect(first && promptOf(first)).toContain('Analyze document: Q1 report');
    expect(mapResults.analyzer_1?.output).toContain('BETA');
    expect(result.agentId).toBe('synthesizer');
    expect(result.status).toBe('succeeded');
    const reduce = model.requests.find((request) => agentOf(request) === 'synthesizer' && !isReflection(request));
    const reduceInput = reduce ? inputOf(reduce) : '';
    for (const word of ['ALPHA', 'BETA', 'GAMMA']) expect(reduceInput).toContain(word);
    expect(reduce && promptOf(reduce)).toContain('Combine all document analyses');
  });

  it('names its agents and descriptions from the options, and refuses no documents', async () => {
    const model = stageModel();
    const orchestrator = orchestratorWith(model);
    const { result } = await orchestrator.mapReduce(['one', 'two'], {
      mapAgentPrefix: 'reader',
      describe: (document, index) => `Read part ${index}: ${document}`,
      reducerAgent: 'editor',
      reduceDescription: 'Merge the readings',
    });
    expect(result.agentId).toBe('editor');
    expect(model.requests.some((request) => agentOf(request) === 'reader_1' && promptOf(request).includes('Read part 1: two'))).toBe(true);
    await expect(orchestrator.mapReduce([])).rejects.toBeInstanceOf(WorkflowValidationError);
  });

  it('mapTemplate spawns the map agents from that template, not the reducer', async () => {
    const model = stageModel();
    const orchestrator = orchestratorWith(model);
    orchestrator.registerTemplate('reader', { systemPrompt: 'You read documents closely.' });
    await orchestrator.mapReduce(['one', 'two'], { mapTemplate: 'reader' });
    const acting = model.requests.filter((request) => !isReflection(request));
    const fromTemplate = acting.filter((request) => systemText(request.system).includes('You read documents closely.'));
    expect(fromTemplate.map(inputOf).sort()).toEqual(['one', 'two']);
    expect(acting).toHaveLength(3);
  });
});
