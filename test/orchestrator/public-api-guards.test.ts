/**
 * The public API under wrong use: a second run under a live workflowId,
 * inputData that is not JSON data or too large, cancellation of lone tasks,
 * pipelines and map-reduce, wrong argument types and reserved ids. Every case
 * is a typed error, and the orchestrator keeps working afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  InputDataTooLargeError,
  Orchestrator,
  TroupeError,
  WorkflowRunningError,
  WorkflowValidationError,
} from '../../src/index.js';
import type { OrchestratorConfig } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import type { ScriptedProvider } from '../../src/testing.js';
import { isReflection } from '../support/requests.js';

/** Answers every call; while `gate` is set, task calls wait on it (and reject when aborted). */
function gatedModel(): { provider: ScriptedProvider; started: Promise<void>; release: () => void; calls: () => number } {
  let release = (): void => undefined;
  let markStarted = (): void => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  const provider = createScriptedProvider({
    fallback: async (request) => {
      calls++;
      if (isReflection(request)) return { structured: { confidence: 0.9, critique: '' } };
      markStarted();
      await gate;
      return { text: 'done' };
    },
  });
  return { provider, started, release: () => release(), calls: () => calls };
}

const open: Orchestrator[] = [];
function orchestratorWith(config: OrchestratorConfig): Orchestrator {
  const orchestrator = new Orchestrator({ enableThinkingAgents: false, journal: false, retryFailedAgents: false, ...config });
  open.push(orchestrator);
  return orchestrator;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((orchestrator) => orchestrator.shutdown()));
});

describe('two executeWorkflow calls with the same workflowId', () => {
  it('refuse the second with WORKFLOW_RUNNING, finish the first, and later runs work', async () => {
    const model = gatedModel();
    const orchestrator = orchestratorWith({ provider: model.provider, journal: { storage: 'memory' } });
    const tasks = [{ agentId: 'writer', taskDescription: 'Write' }];
    const first = orchestrator.executeWorkflow({ tasks, workflowId: 'wf_same' });
    await model.started;
    const second = orchestrator.executeWorkflow({ tasks, workflowId: 'wf_same' });
    await expect(second).rejects.toBeInstanceOf(WorkflowRunningError);
    await expect(second).rejects.toMatchObject({ code: 'WORKFLOW_RUNNING', details: { workflowId: 'wf_same' } });
    // resumeWorkflow under the live id is refused the same way.
    await expect(orchestrator.resumeWorkflow({ workflowId: 'wf_same' })).rejects.toMatchObject({ code: 'WORKFLOW_RUNNING' });
    model.release();
    expect((await first).status).toBe('succeeded');
    // The id is free again once the first run ended, and other runs work.
    const again = await orchestrator.executeWorkflow({ tasks, workflowId: 'wf_same' });
    expect(again.status).toBe('succeeded');
    expect((await orchestrator.executeWorkflow({ tasks: [{ agentId: 'other', taskDescription: 'Go' }] })).status).toBe('succeeded');
  });
});

describe('inputData', () => {
  const circular: Record<string, unknown> = { name: 'loop' };
  circular['self'] = { back: circular };
  const cases: [string, unknown, string][] = [
    ['circular', circular, 'inputData.self.back'],
    ['a BigInt', { a: { b: [1, 2, 3n] } }, 'inputData.a.b[2]'],
    ['a function', { callback: () => 1 }, 'inputData.callback'],
    ['a symbol', [Symbol('s')], 'inputData[0]'],
    ['NaN', { score: Number.NaN }, 'inputData.score'],
    ['a Map', { lookup: new Map([[1, 2]]) }, 'inputData.lookup'],
    ['an odd key', { 'two words': 1n }, 'inputData["two words"]'],
  ];
  it.each(cases)('holding %s is refused naming the path, before any model call', async (_label, inputData, path) => {
    const model = gatedModel();
    const orchestrator = orchestratorWith({ provider: model.provider });
    const error: unknown = await orchestrator.executeTask({ agentId: 'a', taskDescription: 'Use it', inputData }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowValidationError);
    expect(error).toMatchObject({ details: { path } });
    expect((error as Error).message).toContain(path);
    // Workflows name the task too.
    await expect(orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'Use it', inputData }] })).rejects.toMatchObject({
      code: 'WORKFLOW_VALIDATION',
      details: { path: path.replace(/^inputData/, 'tasks[0].inputData') },
    });
    expect(model.calls()).toBe(0);
  });

  it('nested too deep is a typed error, not a stack overflow', async () => {
    const orchestrator = orchestratorWith({ provider: gatedModel().provider });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    await expect(orchestrator.executeTask({ agentId: 'a', taskDescription: 'x', inputData: deep })).rejects.toBeInstanceOf(WorkflowValidationError);
  });

  it('over maxInputDataBytes (default 1 MiB, configurable) is InputDataTooLargeError', async () => {
    const model = gatedModel();
    const orchestrator = orchestratorWith({ provider: model.provider });
    expect(orchestrator.config.maxInputDataBytes).toBe(1_048_576);
    const big = { text: 'x'.repeat(2_000_000) };
    const error: unknown = await orchestrator.executeTask({ agentId: 'a', taskDescription: 'x', inputData: big }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputDataTooLargeError);
    expect(error).toMatchObject({ code: 'INPUT_DATA_TOO_LARGE', details: { limitBytes: 1_048_576 } });
    // Multi-byte text is measured in UTF-8 bytes of JSON.
    const small = orchestratorWith({ provider: model.provider, maxInputDataBytes: 100 });
    await expect(small.executeTask({ agentId: 'a', taskDescription: 'x', inputData: { t: 'é'.repeat(60) } })).rejects.toMatchObject({
      code: 'INPUT_DATA_TOO_LARGE',
      details: { bytes: 128, limitBytes: 100 },
    });
    await expect(small.mapReduce(['y'.repeat(200)])).rejects.toMatchObject({ code: 'INPUT_DATA_TOO_LARGE', details: { path: 'tasks[0].inputData' } });
    await expect(small.createPipeline([['s', 'Stage']]).execute({ inputData: 'z'.repeat(200) })).rejects.toBeInstanceOf(InputDataTooLargeError);
    expect(model.calls()).toBe(0);
    expect(() => new Orchestrator({ maxInputDataBytes: 0 })).toThrow(ConfigError);
  });

  it('that is plain JSON data still reaches the prompt', async () => {
    const model = gatedModel();
    model.release();
    const orchestrator = orchestratorWith({ provider: model.provider });
    const result = await orchestrator.executeTask({ agentId: 'a', taskDescription: 'x', inputData: { at: new Date(0), list: [1, 'two', null], skip: undefined } });
    expect(result.status).toBe('succeeded');
  });
});

describe('signal on executeTask, pipeline.execute and mapReduce', () => {
  it('executeTask: aborting mid-call aborts the model call and the result is cancelled', async () => {
    const model = gatedModel();
    const orchestrator = orchestratorWith({ provider: model.provider });
    const controller = new AbortController();
    const running = orchestrator.executeTask({ agentId: 'a', taskDescription: 'Slow' }, { signal: controller.signal });
    await model.started;
    controller.abort();
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(result.error?.code).toBe('CANCELLED');
    expect(model.provider.pending).toBe(0);
    // Already aborted: no model call at all.
    const before = model.calls();
    const skipped = await orchestrator.executeTask('Never', { signal: controller.signal });
    expect(skipped.status).toBe('cancelled');
    expect(model.calls()).toBe(before);
  });

  it('executeTask on the simulated model with a minute of latency ends cancelled as soon as the signal aborts', async () => {
    const orchestrator = orchestratorWith({ simulated: { latencyMs: 60_000 } });
    const controller = new AbortController();
    // A moment after the attempt starts, its model call is waiting out the latency.
    orchestrator.events.on('task.started', () => setTimeout(() => controller.abort(), 50));
    const started = Date.now();
    const result = await orchestrator.executeTask('Take your time', { signal: controller.signal });
    expect(result.status).toBe('cancelled');
    expect(result.error?.code).toBe('CANCELLED');
    // Far below the simulated latency: the call was aborted, not waited out.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('pipeline.execute rejects with CancelledError and runs no later stage', async () => {
    const model = gatedModel();
    const orchestrator = orchestratorWith({ provider: model.provider });
    const pipeline = orchestrator.createPipeline([
      ['first', 'Stage one'],
      ['second', 'Stage two'],
    ]);
    const controller = new AbortController();
    const running = pipeline.execute({ inputData: 'in', signal: controller.signal });
    await model.started;
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(model.calls()).toBe(1);
    expect(model.provider.pending).toBe(0);
  });

  it('mapReduce rejects with CancelledError, its map calls aborted and no reducer run', async () => {
    const model = gatedModel();
    const orchestrator = orchestratorWith({ provider: model.provider });
    const controller = new AbortController();
    const running = orchestrator.mapReduce(['a', 'b'], { signal: controller.signal });
    await model.started;
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(model.provider.pending).toBe(0);
    expect(model.provider.requests.some((request) => JSON.stringify(request).includes('Combine all document analyses'))).toBe(false);
  });

  it('a signal that is not an AbortSignal is a typed error', async () => {
    const orchestrator = orchestratorWith({ provider: gatedModel().provider });
    const fake = {} as AbortSignal;
    await expect(orchestrator.executeTask('x', { signal: fake })).rejects.toBeInstanceOf(WorkflowValidationError);
    await expect(orchestrator.mapReduce(['a'], { signal: fake })).rejects.toBeInstanceOf(WorkflowValidationError);
    await expect(orchestrator.createPipeline([['s', 'S']]).execute({ signal: fake })).rejects.toBeInstanceOf(WorkflowValidationError);
    await expect(orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'x' }], signal: fake })).rejects.toBeInstanceOf(
      WorkflowValidationError,
    );
  });
});

describe('wrong argument types and reserved ids', () => {
  it('are typed errors, never raw TypeErrors', async () => {
    const orchestrator = orchestratorWith({ provider: gatedModel().provider });
    const nothing = null as never;
    const rejected = [
      orchestrator.mapReduce(nothing),
      orchestrator.routeMessage({} as never),
      orchestrator.executeTask(nothing),
      orchestrator.resumeWorkflow(undefined as never),
      orchestrator.replayWorkflow(nothing),
      orchestrator.executeWorkflow(nothing),
      orchestrator.broadcast({ fromAgent: 'a', eventType: 5 } as never),
      orchestrator.createPipeline([['s', 'S']]).execute(nothing),
    ];
    for (const outcome of await Promise.allSettled(rejected)) {
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(TroupeError);
    }
    const thrown = [
      () => orchestrator.spawnAgent(nothing),
      () => orchestrator.subscribe({ agentId: 'a', eventTypes: 'x' } as never),
      () => orchestrator.registerTemplate(nothing, {}),
      () => orchestrator.registerTool(nothing),
      () => orchestrator.registerProvider(nothing),
      () => orchestrator.registerAgentType('custom', nothing),
      () => orchestrator.inspectAgent(nothing),
      () => orchestrator.stopAgent(nothing),
      () => orchestrator.setDebugMode(nothing),
      () => orchestrator.onShutdown(nothing),
      () => orchestrator.createPipeline([nothing]),
      () => new Orchestrator({ inspect: { next: 5 } as never }),
    ];
    for (const call of thrown) expect(call).toThrow(TroupeError);
  });

  it('keep the task rules\' did-you-mean hints for a misspelt field', async () => {
    const orchestrator = orchestratorWith({ provider: gatedModel().provider });
    const task = { agent_id: 'a', taskDescription: 'x' } as never;
    await expect(orchestrator.executeTask(task)).rejects.toThrow(/did you mean "agentId"/);
    await expect(orchestrator.executeWorkflow({ tasks: [task] })).rejects.toThrow(/did you mean "agentId"/);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuse "%s" as an id', async (id) => {
    const orchestrator = orchestratorWith({ provider: gatedModel().provider });
    await expect(orchestrator.executeTask({ agentId: id, taskDescription: 'x' })).rejects.toBeInstanceOf(WorkflowValidationError);
    await expect(orchestrator.executeWorkflow({ tasks: [{ agentId: id, taskDescription: 'x' }] })).rejects.toBeInstanceOf(WorkflowValidationError);
    await expect(orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'x' }], workflowId: id })).rejects.toBeInstanceOf(
      WorkflowValidationError,
    );
    expect(() => orchestrator.spawnAgent({ agentId: id })).toThrow(ConfigError);
    expect(() => orchestrator.registerTemplate(id, {})).toThrow(ConfigError);
    expect(() => orchestrator.createPipeline([[id, 'x']])).toThrow(WorkflowValidationError);
    await expect(orchestrator.resumeWorkflow({ workflowId: id })).rejects.toBeInstanceOf(WorkflowValidationError);
  });

  it('refuse "." and ".." as a workflowId (journal file names), with a typed error', async () => {
    const orchestrator = orchestratorWith({ provider: gatedModel().provider, journal: { storage: 'memory' } });
    for (const workflowId of ['.', '..']) {
      await expect(orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'x' }], workflowId })).rejects.toBeInstanceOf(
        WorkflowValidationError,
      );
    }
  });

  it('build result maps without a prototype', async () => {
    const model = gatedModel();
    model.release();
    const orchestrator = orchestratorWith({ provider: model.provider });
    const run = await orchestrator.executeWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'x' }] });
    expect(Object.getPrototypeOf(run.results)).toBeNull();
    expect(Object.getPrototypeOf(await orchestrator.executeTasks([{ agentId: 'b', taskDescription: 'x' }]))).toBeNull();
    const { mapResults } = await orchestrator.mapReduce(['d']);
    expect(Object.getPrototypeOf(mapResults)).toBeNull();
  });
});
