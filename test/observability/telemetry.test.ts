import { afterEach, describe, expect, it, vi } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Orchestrator } from '../../src/index.js';
import { createScriptedProvider } from '../../src/testing.js';
import { ProviderError } from '../../src/index.js';
import { anthropicReply, MODEL, secretsIn, secretTasks, startSecretRun } from '../support/secret-run.js';
import type { SecretRun } from '../support/secret-run.js';

let run: SecretRun | undefined;
let orchestrator: Orchestrator | undefined;
afterEach(async () => {
  await run?.orchestrator.shutdown();
  await run?.server.close();
  await orchestrator?.shutdown();
  run = undefined;
  orchestrator = undefined;
});

function inMemoryTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer('troupe-test') };
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;
const millis = ([seconds, nanos]: readonly [number, number]) => seconds * 1000 + nanos / 1e6;

describe('OpenTelemetry spans', () => {
  it('traces a workflow as workflow → task → agent → model call spans with GenAI attributes', async () => {
    const { exporter, tracer } = inMemoryTracing();
    run = await startSecretRun({ temperature: 0.3, maxTokens: 1024 });
    run.server.reply(anthropicReply(), anthropicReply());
    const durations = new Map<string, number>();
    run.orchestrator.events.on('model.call.finished', ({ callId, durationMs }) => durations.set(callId, durationMs));
    const telemetry = await run.orchestrator.enableTelemetry({ tracer });
    expect(telemetry.enabled).toBe(true);

    const result = await run.orchestrator.executeWorkflow({ tasks: secretTasks });
    expect(result.status).toBe('succeeded');
    const spans = exporter.getFinishedSpans();

    const workflow = spans.find((span) => span.name === 'troupe.workflow');
    expect(workflow?.attributes).toMatchObject({
      'troupe.workflow.id': result.workflowId,
      'troupe.workflow.status': 'succeeded',
      'troupe.workflow.task_count': 2,
      'troupe.cost_cents': result.totalCostCents,
    });
    expect(parentOf(workflow ?? spans[0]!)).toBeUndefined();

    for (const agentId of ['analyst', 'reviewer']) {
      const task = spans.find((span) => span.name === 'troupe.task' && span.attributes['troupe.task.agent_id'] === agentId);
      expect(parentOf(task!)).toBe(idOf(workflow));
      expect(task?.attributes).toMatchObject({
        'troupe.task.status': 'succeeded',
        'troupe.task.attempts': 1,
        'troupe.cost_cents': result.results[agentId]?.costCents,
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 30,
      });
      const agent = spans.find((span) => span.name === `invoke_agent ${agentId}`);
      expect(parentOf(agent!)).toBe(idOf(task));
      expect(agent?.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': agentId, 'troupe.attempt': 1 });

      const call = spans.find((span) => span.name === `chat ${MODEL}` && span.attributes['troupe.agent.id'] === agentId);
      expect(parentOf(call!)).toBe(idOf(agent));
      expect(call?.kind).toBe(SpanKind.CLIENT);
      expect(call?.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'anthropic',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': MODEL,
        'gen_ai.response.model': 'claude-haiku-4-5-20251001',
        'gen_ai.request.temperature': 0.3,
        'gen_ai.request.max_tokens': 1024,
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 30,
        'gen_ai.response.finish_reasons': ['end_turn'],
        'troupe.workflow.id': result.workflowId,
        'troupe.call.purpose': 'acting',
      });
      expect(call?.attributes['troupe.cost_cents']).toBeGreaterThan(0);
      // The span covers the call: its start is its end minus the measured duration.
      const callId = call?.attributes['troupe.call.id'];
      expect(typeof callId === 'string' ? durations.get(callId) : undefined).toBe(millis(call!.endTime) - millis(call!.startTime));
    }
    expect(spans).toHaveLength(1 + 2 * 3);
  });

  it('puts no prompt, task text, answer or key in any span', async () => {
    const { exporter, tracer } = inMemoryTracing();
    run = await startSecretRun();
    run.server.reply(anthropicReply(), anthropicReply());
    await run.orchestrator.enableTelemetry({ tracer });
    await run.orchestrator.executeWorkflow({ tasks: secretTasks });
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(0);
    const text = JSON.stringify(spans.map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, events: span.events })));
    expect(secretsIn(text)).toEqual([]);
  });

  it('marks a failed attempt and its model call as errors, and the retry as a second agent span', async () => {
    const { exporter, tracer } = inMemoryTracing();
    const model = createScriptedProvider().enqueue(
      new ProviderError('PROVIDER_OVERLOADED', 'scripted', 'overloaded', { status: 529 }),
      { text: 'fine' },
    );
    orchestrator = new Orchestrator({
      provider: model,
      journal: false,
      enableThinkingAgents: false,
      retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0, jitter: 0 },
    });
    orchestrator.registerTemplate('solo', { enableSelfReflection: false });
    await orchestrator.enableTelemetry({ tracer });
    const run = await orchestrator.executeWorkflow({ tasks: [{ agentId: 'solo', taskDescription: 'try twice' }] });
    expect(run.results.solo).toMatchObject({ status: 'succeeded', attempts: 2 });

    const spans = exporter.getFinishedSpans();
    const task = spans.find((span) => span.name === 'troupe.task');
    const attempts = spans.filter((span) => span.name === 'invoke_agent solo').sort((a, b) => Number(a.attributes['troupe.attempt']) - Number(b.attributes['troupe.attempt']));
    expect(attempts.map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    expect(attempts[0]?.attributes['error.type']).toBe('PROVIDER_OVERLOADED');
    expect(attempts.every((span) => parentOf(span) === idOf(task))).toBe(true);
    const calls = spans.filter((span) => span.name.startsWith('chat '));
    expect(calls.map((span) => [span.status.code, parentOf(span)])).toEqual([
      [SpanStatusCode.ERROR, idOf(attempts[0])],
      [SpanStatusCode.UNSET, idOf(attempts[1])],
    ]);
    expect(task?.attributes).toMatchObject({ 'troupe.task.status': 'succeeded', 'troupe.task.attempts': 2 });
  });

  it('is a no-op when @opentelemetry/api cannot be loaded', async () => {
    orchestrator = new Orchestrator({ provider: createScriptedProvider({ fallback: () => ({ text: 'ok' }) }), journal: false });
    const telemetry = await orchestrator.enableTelemetry({ loadApi: () => Promise.reject(new Error("Cannot find package '@opentelemetry/api'")) });
    expect(telemetry.enabled).toBe(false);
    const result = await orchestrator.executeTask({ agentId: 'solo', taskDescription: 'still works' });
    expect(result.status).toBe('succeeded');
  });

  it('ends consensus voters\' task spans when they answer, under the run\'s workflow span, and leaves none open', async () => {
    const { exporter, tracer } = inMemoryTracing();
    orchestrator = new Orchestrator({ journal: false, enableThinkingAgents: false, simulated: { latencyMs: 1 } });
    const telemetry = await orchestrator.enableTelemetry({ tracer });
    const run = await orchestrator.executeWorkflow({
      tasks: [{ agentId: 'decide', taskDescription: 'Ship it, yes or no?', consensusConfig: { method: 'majority', voters: ['v1', 'v2'] } }],
    });
    expect(run.status).toBe('succeeded');
    const spans = exporter.getFinishedSpans();
    const workflow = spans.find((span) => span.name === 'troupe.workflow');
    const voterTasks = spans.filter((span) => span.name === 'troupe.task' && String(span.attributes['troupe.workflow.id']).startsWith(`${run.workflowId}/`));
    expect(voterTasks.map((span) => span.attributes['troupe.task.agent_id']).sort()).toEqual(['v1', 'v2']);
    for (const span of voterTasks) {
      expect(parentOf(span)).toBe(idOf(workflow));
      expect(span.attributes['troupe.task.status']).toBe('succeeded');
    }
    const count = spans.length;
    telemetry.stop();
    expect(exporter.getFinishedSpans()).toHaveLength(count); // nothing was left open
  });

  it('ends the task spans of voters that never answered when their run ends', async () => {
    const { exporter, tracer } = inMemoryTracing();
    orchestrator = new Orchestrator({ provider: createScriptedProvider({ fallback: () => new Error('down') }), journal: false, retryFailedAgents: false, enableThinkingAgents: false });
    const telemetry = await orchestrator.enableTelemetry({ tracer });
    const run = await orchestrator.executeWorkflow({
      tasks: [{ agentId: 'decide', taskDescription: 'Ship it?', consensusConfig: { method: 'majority', voters: ['v1', 'v2'] } }],
    });
    expect(run.results.decide?.status).toBe('failed');
    const voterTasks = exporter.getFinishedSpans().filter((span) => span.name === 'troupe.task' && span.attributes['troupe.task.agent_id'] !== 'decide');
    expect(voterTasks.map((span) => span.attributes['troupe.incomplete'])).toEqual([true, true]);
    const count = exporter.getFinishedSpans().length;
    telemetry.stop();
    expect(exporter.getFinishedSpans()).toHaveLength(count);
  });

  it('ends the spans still open on stop(), marked troupe.incomplete, at the injected clock', async () => {
    const { exporter, tracer } = inMemoryTracing();
    const gates: (() => void)[] = [];
    const model = createScriptedProvider({
      fallback: async () => {
        await new Promise<void>((resolve) => gates.push(resolve));
        return { text: 'late' };
      },
    });
    orchestrator = new Orchestrator({ provider: model, journal: false, enableThinkingAgents: false });
    const stoppedAt = Date.now() + 3_600_000; // a clock an hour ahead: the end time must come from it
    const telemetry = await orchestrator.enableTelemetry({ tracer, now: () => stoppedAt });
    const run = orchestrator.executeWorkflow({ tasks: [{ agentId: 'slow', taskDescription: 'wait' }] });
    await vi.waitFor(() => expect(gates.length).toBe(1));
    telemetry.stop();
    const open = exporter.getFinishedSpans();
    expect(open.map((span) => span.name).sort()).toEqual(['invoke_agent slow', 'troupe.task', 'troupe.workflow']);
    for (const span of open) {
      expect(span.attributes['troupe.incomplete']).toBe(true);
      expect(millis(span.endTime)).toBe(stoppedAt);
    }
    const release = setInterval(() => gates.splice(0).forEach((open) => open()), 5);
    expect((await run).status).toBe('succeeded');
    clearInterval(release);
    expect(exporter.getFinishedSpans()).toHaveLength(3); // nothing traced after stop()
  });

  it('stops tracing on stop()', async () => {
    const { exporter, tracer } = inMemoryTracing();
    orchestrator = new Orchestrator({ provider: createScriptedProvider({ fallback: () => ({ text: 'ok' }) }), journal: false });
    const telemetry = await orchestrator.enableTelemetry({ tracer });
    telemetry.stop();
    await orchestrator.executeTask({ agentId: 'solo', taskDescription: 'untraced' });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
