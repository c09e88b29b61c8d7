/**
 * Streaming through the AI SDK adapter: `doStream`'s parts arrive as troupe
 * deltas, and the response it assembles is what `complete` would return.
 */
import { APICallError } from '@ai-sdk/provider';
import type { LanguageModelV3StreamPart, LanguageModelV3Usage } from '@ai-sdk/provider';
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, Orchestrator, ProviderError } from '../../src/index.js';
import type { ModelDelta, ModelRequest } from '../../src/index.js';
import { createAiSdkProvider } from '../../src/ai-sdk.js';

const usage: LanguageModelV3Usage = {
  inputTokens: { total: 12, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 7, text: undefined, reasoning: undefined },
};
const finish: LanguageModelV3StreamPart = { type: 'finish', usage, finishReason: { unified: 'stop', raw: 'stop' } };

const ask = (extra: Partial<ModelRequest> = {}): ModelRequest => ({
  model: 'mock-model-id',
  messages: [{ role: 'user', content: 'Hello' }],
  maxTokens: 256,
  ...extra,
});

function streaming(chunks: LanguageModelV3StreamPart[]): MockLanguageModelV3 {
  return new MockLanguageModelV3({ doStream: async () => ({ stream: simulateReadableStream({ chunks }) }) });
}

describe('createAiSdkProvider: stream', () => {
  it('passes text, reasoning and tool arguments on as deltas and returns the assembled response', async () => {
    const model = streaming([
      { type: 'stream-start', warnings: [] },
      { type: 'response-metadata', modelId: 'mock-2026' },
      { type: 'reasoning-start', id: 'r' },
      { type: 'reasoning-delta', id: 'r', delta: 'Weighing ' },
      { type: 'reasoning-delta', id: 'r', delta: 'it' },
      { type: 'reasoning-end', id: 'r' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'Hi ' },
      { type: 'text-delta', id: 't', delta: '' },
      { type: 'text-delta', id: 't', delta: 'there' },
      { type: 'text-end', id: 't' },
      { type: 'tool-input-start', id: 'c1', toolName: 'lookup' },
      { type: 'tool-input-delta', id: 'c1', delta: '{"q":' },
      { type: 'tool-input-delta', id: 'c1', delta: '"x"}' },
      { type: 'tool-input-end', id: 'c1' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'lookup', input: '{"q":"x"}' },
      { ...finish, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
    ]);
    const deltas: ModelDelta[] = [];
    const provider = createAiSdkProvider(model, { name: 'mock-ai' });
    const response = await provider.stream?.(ask(), (delta) => deltas.push(delta));
    expect(deltas).toEqual([
      { kind: 'thinking', text: 'Weighing ' },
      { kind: 'thinking', text: 'it' },
      { kind: 'text', text: 'Hi ' },
      { kind: 'text', text: 'there' },
      { kind: 'tool_input', text: '{"q":', toolName: 'lookup' },
      { kind: 'tool_input', text: '"x"}', toolName: 'lookup' },
    ]);
    expect(response).toMatchObject({
      text: 'Hi there',
      thinking: 'Weighing it',
      toolCalls: [{ id: 'c1', name: 'lookup', input: { q: 'x' } }],
      stopReason: 'tool_use',
      model: 'mock-2026',
      // Reasoning inside the output total without a breakdown: estimated from its text (11 characters, 3 tokens).
      usage: { inputTokens: 12, outputTokens: 4, thinkingTokens: 3 },
    });
    expect(model.doStreamCalls).toHaveLength(1);
  });

  it('streams a structured answer as `structured` deltas and checks the value against its schema', async () => {
    const model = streaming([
      { type: 'text-delta', id: 't', delta: '{"score":' },
      { type: 'text-delta', id: 't', delta: '4}' },
      finish,
    ]);
    const deltas: ModelDelta[] = [];
    const structuredOutput = { name: 'rating', schema: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] } };
    const response = await createAiSdkProvider(model).stream?.(ask({ structuredOutput }), (delta) => deltas.push(delta));
    expect(deltas.map((delta) => delta.kind)).toEqual(['structured', 'structured']);
    expect(response?.structured).toEqual({ score: 4 });
  });

  it('fails a stream that carries an error part, or ends without finishing, with a ProviderError', async () => {
    const overloaded = new APICallError({ message: 'Overloaded', url: 'http://127.0.0.1/v1', requestBodyValues: {}, statusCode: 529 });
    const failing = streaming([{ type: 'text-delta', id: 't', delta: 'Hi' }, { type: 'error', error: overloaded }]);
    const failure = createAiSdkProvider(failing).stream?.(ask(), () => undefined);
    await expect(failure).rejects.toBeInstanceOf(ProviderError);
    await expect(failure).rejects.toMatchObject({ code: 'PROVIDER_OVERLOADED', retryable: true });
    const cut = streaming([{ type: 'text-delta', id: 't', delta: 'Hi' }]);
    await expect(createAiSdkProvider(cut).stream?.(ask(), () => undefined)).rejects.toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
  });

  it('stops reading when the signal fires mid-stream, and cancels the stream', async () => {
    let cancelled = false;
    const controller = new AbortController();
    const model = new MockLanguageModelV3({
      doStream: async () => ({
        stream: new ReadableStream<LanguageModelV3StreamPart>({
          start(stream) {
            stream.enqueue({ type: 'text-delta', id: 't', delta: 'Hi' });
          },
          cancel() {
            cancelled = true;
          },
        }),
      }),
    });
    const call = createAiSdkProvider(model).stream?.(ask({ signal: controller.signal }), () => controller.abort());
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(cancelled).toBe(true);
  });
});

describe('a provider price that is not a ModelPrice', () => {
  it('is a ConfigError naming the field, from createAiSdkProvider and from registerProvider', async () => {
    const partial = JSON.parse('{"inputCentsPerMTok":1,"outputCentsPerMTok":1}');
    expect(() => createAiSdkProvider(streaming([finish]), { pricing: partial })).toThrow(ConfigError);
    expect(() => createAiSdkProvider(streaming([finish]), { pricing: partial })).toThrow(/pricing\.cacheReadCentsPerMTok/);
    const o = new Orchestrator({ journal: false });
    try {
      const provider = { name: 'custom', price: partial, complete: createAiSdkProvider(streaming([finish])).complete };
      expect(() => o.registerProvider(provider)).toThrow(/provider\.price\.cacheReadCentsPerMTok/);
    } finally {
      await o.shutdown();
    }
  });
});

describe('an AI SDK model in a workflow', () => {
  const open: Orchestrator[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.shutdown()));
  });

  it('streams its answer as model.delta events when someone listens', async () => {
    const model = streaming([{ type: 'text-delta', id: 't', delta: 'Market ' }, { type: 'text-delta', id: 't', delta: 'is up.' }, finish]);
    const o = new Orchestrator({ enableThinkingAgents: false, journal: false });
    open.push(o);
    o.registerProvider(createAiSdkProvider(model, { name: 'ai-mock', pricing: { inputCentsPerMTok: 1, outputCentsPerMTok: 1, cacheReadCentsPerMTok: 0, cacheWriteCentsPerMTok: 1 } }));
    o.registerTemplate('analyst', { provider: 'ai-mock', model: 'mock-model-id', enableSelfReflection: false });
    const texts: string[] = [];
    const run = o.streamWorkflow({ tasks: [{ agentId: 'a', template: 'analyst', taskDescription: 'How is the market?' }] });
    for await (const event of run) if (event.type === 'model.delta') texts.push(event.text);
    expect(texts).toEqual(['Market ', 'is up.']);
    expect((await run.result).results.a?.output).toBe('Market is up.');
  });
});
