import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator, ThinkingAgent, toTextStream } from '../../src/index.js';
import type { ModelCallDelta, ModelProvider, WorkflowEvent } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { MemoryJournalStorage } from '../../src/index.js';
import { parseJournal } from '../../src/index.js';

const orchestrators: Orchestrator[] = [];
function orchestrator(config: ConstructorParameters<typeof Orchestrator>[0]): Orchestrator {
  const created = new Orchestrator(config);
  orchestrators.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(orchestrators.splice(0).map((o) => o.shutdown()));
});

const TASKS = [
  { agentId: 'researcher', taskDescription: 'Research the market for electric bikes' },
  { agentId: 'writer', taskDescription: 'Write the report', dependencies: ['researcher'] },
];

/** Counts how the gateway reached the provider. */
function counting(provider: ModelProvider): { provider: ModelProvider; streams: () => number; completes: () => number } {
  let streams = 0;
  let completes = 0;
  const stream = provider.stream?.bind(provider);
  return {
    provider: {
      name: provider.name,
      complete: (request) => {
        completes++;
        return provider.complete(request);
      },
      ...(stream
        ? {
            stream: (request, onDelta) => {
              streams++;
              return stream(request, onDelta);
            },
          }
        : {}),
    },
    streams: () => streams,
    completes: () => completes,
  };
}

describe('streamWorkflow', () => {
  it('yields each task as started → its deltas in order → finished, then workflow.finished, and resolves the result', async () => {
    const o = orchestrator({ seed: 7 });
    const run = o.streamWorkflow({ tasks: TASKS });
    const events: WorkflowEvent[] = [];
    for await (const event of run) events.push(event);
    const result = await run.result;
    expect(result.status).toBe('succeeded');
    expect(result.workflowId).toBe(run.workflowId);
    expect(events[0]?.type).toBe('workflow.started');
    expect(events.at(-1)?.type).toBe('workflow.finished');
    for (const agentId of ['researcher', 'writer']) {
      const mine = events.filter((e) => 'agentId' in e && e.agentId === agentId);
      const started = mine.findIndex((e) => e.type === 'task.started');
      const finished = mine.findIndex((e) => e.type === 'task.finished');
      const deltas = mine.filter((e): e is Extract<WorkflowEvent, { type: 'model.delta' }> => e.type === 'model.delta');
      expect(deltas.length).toBeGreaterThan(3);
      expect(started).toBeGreaterThanOrEqual(0);
      expect(mine.findIndex((e) => e.type === 'model.delta')).toBeGreaterThan(started);
      expect(mine.findLastIndex((e) => e.type === 'model.delta')).toBeLessThan(finished);
      // Per call, deltas arrive numbered 0, 1, 2, ...
      const byCall = new Map<string, number[]>();
      for (const delta of deltas) byCall.set(delta.callId, [...(byCall.get(delta.callId) ?? []), delta.index]);
      for (const indexes of byCall.values()) expect(indexes).toEqual(indexes.map((_, i) => i));
      expect(new Set(deltas.map((d) => d.step))).toEqual(new Set(['thinking', 'acting', 'reflecting']));
      expect(deltas.every((d) => d.workflowId === run.workflowId && d.taskId !== undefined)).toBe(true);
      // The acting deltas put together are the task's output.
      const acting = deltas.filter((d) => d.step === 'acting' && d.kind === 'text').map((d) => d.text).join('');
      expect(acting).toBe(result.results[agentId]?.output);
    }
  });

  it('rejects result and the iteration alike when the workflow is invalid', async () => {
    const o = orchestrator({});
    const run = o.streamWorkflow({ tasks: [{ agentId: 'a', taskDescription: 'x', dependencies: ['missing'] }] });
    await expect(run.result).rejects.toMatchObject({ code: 'WORKFLOW_VALIDATION' });
    const iterate = async () => {
      for await (const _event of run) void _event;
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'WORKFLOW_VALIDATION' });
  });

  it('toTextStream gives the answer text of a run', async () => {
    const o = orchestrator({ seed: 3 });
    const run = o.streamWorkflow({ tasks: [TASKS[0]!] });
    let text = '';
    for await (const piece of toTextStream(run, { steps: ['acting'] })) text += piece;
    const result = await run.result;
    expect(text).toBe(result.results.researcher?.output);
  });
});

describe('executeWorkflow({ onEvent })', () => {
  it('delivers the run events, and the provider streams only while someone listens', async () => {
    const model = counting(createScriptedProvider({ fallback: () => ({ chunks: ['an ', 'answer'] }) }));
    const o = orchestrator({ provider: model.provider, enableThinkingAgents: false });
    await o.executeWorkflow({ tasks: [{ agentId: 'quiet', taskDescription: 'No listener' }] });
    expect(model.streams()).toBe(0);
    const completesBefore = model.completes();
    expect(completesBefore).toBeGreaterThan(0);

    const types: string[] = [];
    const texts: string[] = [];
    await o.executeWorkflow({
      tasks: [{ agentId: 'loud', taskDescription: 'With a listener' }],
      onEvent: (event) => {
        types.push(event.type);
        if (event.type === 'model.delta') texts.push(event.text);
      },
    });
    expect(model.streams()).toBeGreaterThan(0);
    expect(model.completes()).toBe(completesBefore);
    expect(types[0]).toBe('workflow.started');
    expect(types.at(-1)).toBe('workflow.finished');
    expect(texts.slice(0, 2)).toEqual(['an ', 'answer']);
  });

  it('journals final responses, never tokens', async () => {
    const storage = new MemoryJournalStorage();
    const o = orchestrator({
      provider: createScriptedProvider({ fallback: () => ({ chunks: ['tok1 ', 'tok2 ', 'tok3'] }) }),
      enableThinkingAgents: false,
      journal: { storage },
    });
    const seen: string[] = [];
    const result = await o.executeWorkflow({
      tasks: [{ agentId: 'a', taskDescription: 'Stream it' }],
      onEvent: (event) => {
        if (event.type === 'model.delta') seen.push(event.text);
      },
    });
    expect(seen.length).toBeGreaterThan(2);
    const records = [...parseJournal(result.workflowId, (await storage.read(result.workflowId)) ?? '').records];
    expect(records.some((r) => String(r.type).includes('delta'))).toBe(false);
    const calls = records.filter((r) => r.type === 'model.call');
    expect(calls.length).toBeGreaterThan(0);
    expect(JSON.stringify(calls)).toContain('tok1 tok2 tok3');
  });

  it('fails a stalled stream with STREAM_IDLE_TIMEOUT and retries it', async () => {
    const model = createScriptedProvider().enqueue({ chunks: ['stuck', { stall: true }] }, { chunks: ['fine'] }, { chunks: ['fine'] });
    const o = orchestrator({ provider: model, enableThinkingAgents: false, streamIdleTimeoutSeconds: 0.05, retry: { baseDelayMs: 1 } });
    const errors: string[] = [];
    const result = await o.executeWorkflow({
      tasks: [{ agentId: 'a', taskDescription: 'Go' }],
      onEvent: (event) => {
        if (event.type === 'task.retrying') errors.push(event.error.code);
      },
    });
    expect(errors).toEqual(['STREAM_IDLE_TIMEOUT']);
    expect(result.results.a?.status).toBe('succeeded');
    expect(result.results.a?.output).toBe('fine');
  });
});

describe('ThinkingAgent.executeTask({ onDelta })', () => {
  it('streams every step of the task in order', async () => {
    const agent = new ThinkingAgent({ agentId: 'solo', seed: 5 });
    const deltas: ModelCallDelta[] = [];
    const result = await agent.executeTask({ task: 'Compare two caching strategies', onDelta: (d) => deltas.push(d) });
    agent.stop();
    const steps = deltas.map((d) => d.step).filter((step, i, all) => step !== all[i - 1]);
    expect(steps).toEqual(['thinking', 'acting', 'reflecting']);
    expect(deltas.filter((d) => d.step === 'acting' && d.kind === 'text').map((d) => d.text).join('')).toBe(result.output);
    expect(deltas.filter((d) => d.step === 'reflecting').every((d) => d.kind === 'structured')).toBe(true);
    const last = deltas.filter((d) => d.step === 'reflecting').at(-1);
    expect(last?.partial).toEqual(JSON.parse(last?.partialJson ?? 'null'));
  });
});
