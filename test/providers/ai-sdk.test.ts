import { APICallError, LoadAPIKeyError } from '@ai-sdk/provider';
import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult, LanguageModelV3Usage } from '@ai-sdk/provider';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { ConfigError, ProviderError } from '../../src/index.js';
import { createAiSdkProvider } from '../../src/ai-sdk.js';
import type { ModelRequest } from '../../src/index.js';

const usage = (input: number, output: number, extra: Partial<LanguageModelV3Usage['inputTokens']> = {}): LanguageModelV3Usage => ({
  inputTokens: { total: input, noCache: undefined, cacheRead: undefined, cacheWrite: undefined, ...extra },
  outputTokens: { total: output, text: undefined, reasoning: undefined },
});

function result(partial: Partial<LanguageModelV3GenerateResult>): LanguageModelV3GenerateResult {
  return {
    content: [],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: usage(10, 5),
    warnings: [],
    ...partial,
  };
}

const ask = (extra: Partial<ModelRequest> = {}): ModelRequest => ({
  model: 'mock-model-id',
  messages: [{ role: 'user', content: 'Hello' }],
  maxTokens: 256,
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createAiSdkProvider: requests and answers', () => {
  it('sends the system prompt, messages and settings, and returns text, reasoning, usage with cache tokens and the model id', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: result({
        content: [
          { type: 'reasoning', text: 'Weighing the greeting' },
          { type: 'text', text: 'Hi ' },
          { type: 'text', text: 'there' },
        ],
        usage: {
          inputTokens: { total: 1000, noCache: 200, cacheRead: 700, cacheWrite: 100 },
          outputTokens: { total: 50, text: 30, reasoning: 20 },
        },
        response: { modelId: 'mock-model-2026-01-01' },
      }),
    });
    const provider = createAiSdkProvider(model, { name: 'mock-ai' });
    const response = await provider.complete(
      ask({ system: [{ text: 'Shared facts', cache: true }, { text: 'Be brief.' }], temperature: 0.3 }),
    );
    expect(provider.name).toBe('mock-ai');
    expect(response).toMatchObject({
      text: 'Hi there',
      thinking: 'Weighing the greeting',
      toolCalls: [],
      stopReason: 'end_turn',
      model: 'mock-model-2026-01-01',
      usage: { inputTokens: 200, cacheReadTokens: 700, cacheWriteTokens: 100, outputTokens: 30, thinkingTokens: 20 },
    });
    const call = model.doGenerateCalls[0];
    expect(call?.prompt).toEqual([
      { role: 'system', content: 'Shared facts' },
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
    ]);
    expect(call).toMatchObject({ maxOutputTokens: 256, temperature: 0.3 });
    expect(call?.abortSignal).toBeInstanceOf(AbortSignal);
  });

  it('puts cacheProviderOptions on cached blocks and providerOptions (per request) on the call', async () => {
    const model = new MockLanguageModelV3({ doGenerate: result({ content: [{ type: 'text', text: 'ok' }] }) });
    const cache = { anthropic: { cacheControl: { type: 'ephemeral' } } };
    const provider = createAiSdkProvider(model, {
      cacheProviderOptions: cache,
      providerOptions: (request) =>
        request.thinkingBudgetTokens === undefined ? undefined : { anthropic: { thinking: { type: 'enabled', budgetTokens: request.thinkingBudgetTokens } } },
    });
    await provider.complete(ask({ system: [{ text: 'Shared', cache: true }, { text: 'Own' }], thinkingBudgetTokens: 2048 }));
    await provider.complete(ask());
    expect(model.doGenerateCalls[0]?.prompt.slice(0, 2)).toEqual([
      { role: 'system', content: 'Shared', providerOptions: cache },
      { role: 'system', content: 'Own' },
    ]);
    expect(model.doGenerateCalls[0]?.providerOptions).toEqual({ anthropic: { thinking: { type: 'enabled', budgetTokens: 2048 } } });
    expect(model.doGenerateCalls[1]?.providerOptions).toBeUndefined();
  });

  it('estimates usage the model does not report, and splits reasoning out of an output total without a breakdown', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: [
        result({
          content: [{ type: 'text', text: 'x'.repeat(40) }],
          usage: { inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: undefined, text: undefined, reasoning: undefined } },
        }),
        result({ content: [{ type: 'reasoning', text: 'r'.repeat(80) }, { type: 'text', text: 'done' }], usage: usage(12, 100) }),
      ],
    });
    const provider = createAiSdkProvider(model);
    const estimated = await provider.complete(ask());
    expect(estimated.usage.inputTokens).toBeGreaterThan(0);
    expect(estimated.usage.outputTokens).toBe(10);
    const split = await provider.complete(ask());
    expect(split.usage).toMatchObject({ inputTokens: 12, thinkingTokens: 20, outputTokens: 80 });
  });

  it('maps tools, tool choice, tool calls and a tool round trip', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: [
        result({
          content: [
            { type: 'text', text: 'Looking it up' },
            { type: 'tool-call', toolCallId: 'call_1', toolName: 'lookup', input: '{"q":"rates"}' },
            { type: 'tool-call', toolCallId: 'call_2', toolName: 'clock', input: '' },
          ],
          finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        }),
        result({ content: [{ type: 'text', text: 'Rates are 5%' }] }),
      ],
    });
    const provider = createAiSdkProvider(model);
    const tools = [{ name: 'lookup', description: 'Look up', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }];
    const first = await provider.complete(ask({ tools, toolChoice: { name: 'lookup' } }));
    expect(first.stopReason).toBe('tool_use');
    expect(first.toolCalls).toEqual([
      { id: 'call_1', name: 'lookup', input: { q: 'rates' } },
      { id: 'call_2', name: 'clock', input: {} },
    ]);
    expect(model.doGenerateCalls[0]).toMatchObject({
      tools: [{ type: 'function', name: 'lookup', description: 'Look up', inputSchema: tools[0]?.inputSchema }],
      toolChoice: { type: 'tool', toolName: 'lookup' },
    });

    const second = await provider.complete(
      ask({
        tools,
        messages: [
          { role: 'user', content: 'What are rates?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'lookup', input: { q: 'rates' } }] },
          { role: 'user', content: [{ type: 'tool_result', toolUseId: 'call_1', content: 'not found', isError: true }, { type: 'text', text: 'Try again' }] },
        ],
      }),
    );
    expect(second.text).toBe('Rates are 5%');
    expect(model.doGenerateCalls[1]?.prompt.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'lookup', input: { q: 'rates' } }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'lookup', output: { type: 'error-text', value: 'not found' } }] },
      { role: 'user', content: [{ type: 'text', text: 'Try again' }] },
    ]);
    expect(model.doGenerateCalls[1]?.toolChoice).toBeUndefined();
  });

  it('refuses a model of another AI SDK specification version with a ConfigError', () => {
    const v2 = { specificationVersion: 'v2', provider: 'old', modelId: 'm', supportedUrls: {}, doGenerate: () => Promise.reject(new Error('unused')), doStream: () => Promise.reject(new Error('unused')) };
    // @ts-expect-error a v2 (AI SDK 5) model does not satisfy LanguageModelV3
    expect(() => createAiSdkProvider(v2)).toThrow(ConfigError);
  });

  it('rejects tool arguments that are not JSON as PROVIDER_MALFORMED_RESPONSE', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: result({ content: [{ type: 'tool-call', toolCallId: 'c', toolName: 'lookup', input: '{"q":' }] }),
    });
    const error = await rejection(createAiSdkProvider(model).complete(ask()));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE', retryable: false });
  });
});

describe('createAiSdkProvider: structured output', () => {
  const schema = {
    type: 'object',
    properties: { confidence: { type: 'number', minimum: 0, maximum: 1 }, critique: { type: 'string' } },
    required: ['confidence', 'critique'],
    additionalProperties: false,
  };
  const structuredAsk = ask({ structuredOutput: { name: 'reflection', description: 'A critique', schema } });
  const answering = (text: string, finish: LanguageModelV3GenerateResult['finishReason'] = { unified: 'stop', raw: 'stop' }) =>
    new MockLanguageModelV3({ doGenerate: result({ content: [{ type: 'text', text }], finishReason: finish }) });

  it('asks for JSON with the schema and returns the checked value', async () => {
    const model = answering('{"confidence":0.8,"critique":"solid"}');
    const response = await createAiSdkProvider(model).complete(structuredAsk);
    expect(response.structured).toEqual({ confidence: 0.8, critique: 'solid' });
    expect(model.doGenerateCalls[0]?.responseFormat).toEqual({ type: 'json', schema, name: 'reflection', description: 'A critique' });
  });

  it('reads JSON wrapped in a Markdown code fence', async () => {
    const response = await createAiSdkProvider(answering('```json\n{"confidence":0.5,"critique":"ok"}\n```')).complete(structuredAsk);
    expect(response.structured).toEqual({ confidence: 0.5, critique: 'ok' });
  });

  it('refuses a value off its schema, and text that is not JSON, as PROVIDER_MALFORMED_RESPONSE', async () => {
    const off = await rejection(createAiSdkProvider(answering('{"confidence":3,"critique":"sure"}')).complete(structuredAsk));
    expect(off).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
    expect(String(off)).toContain('confidence');
    const missing = await rejection(createAiSdkProvider(answering('{"confidence":0.3}')).complete(structuredAsk));
    expect(missing).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
    const prose = await rejection(createAiSdkProvider(answering('I think it is fine')).complete(structuredAsk));
    expect(prose).toMatchObject({ code: 'PROVIDER_MALFORMED_RESPONSE' });
  });

  it('maps a length stop to max_tokens and leaves the truncated value out instead of failing', async () => {
    const response = await createAiSdkProvider(answering('{"confidence":0.8,"crit', { unified: 'length', raw: 'max_tokens' })).complete(structuredAsk);
    expect(response.stopReason).toBe('max_tokens');
    expect(response.structured).toBeUndefined();
  });

  it('maps the other finish reasons', async () => {
    const reasons: [LanguageModelV3GenerateResult['finishReason'], string][] = [
      [{ unified: 'stop', raw: 'stop_sequence' }, 'stop_sequence'],
      [{ unified: 'content-filter', raw: 'content_filter' }, 'refusal'],
      [{ unified: 'other', raw: 'pause_turn' }, 'other'],
      [{ unified: 'error', raw: undefined }, 'other'],
    ];
    for (const [finishReason, stopReason] of reasons) {
      const response = await createAiSdkProvider(answering('text', finishReason)).complete(ask());
      expect(response.stopReason).toBe(stopReason);
    }
  });
});

describe('createAiSdkProvider: errors and abort', () => {
  const failing = (error: unknown) =>
    createAiSdkProvider(
      new MockLanguageModelV3({
        doGenerate: async () => {
          throw error;
        },
      }),
      { name: 'mock-ai', secrets: ['my-private-key-123'] },
    );
  const apiError = (statusCode: number | undefined, extra: Partial<ConstructorParameters<typeof APICallError>[0]> = {}) =>
    new APICallError({ message: 'upstream said no', url: 'http://127.0.0.1/v1', requestBodyValues: { secret: 'body' }, statusCode, ...extra });

  it.each([
    [429, 'PROVIDER_RATE_LIMITED', true],
    [529, 'PROVIDER_OVERLOADED', true],
    [503, 'PROVIDER_SERVER_ERROR', true],
    [408, 'PROVIDER_TIMEOUT', true],
    [401, 'PROVIDER_AUTHENTICATION', false],
    [400, 'PROVIDER_BAD_REQUEST', false],
  ])('maps an API call error with HTTP %i to %s (retryable %s)', async (status, code, retryable) => {
    const error = await rejection(failing(apiError(status)).complete(ask()));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code, retryable, status, provider: 'mock-ai' });
  });

  it('reads retry-after and the overloaded type, and keeps keys and bodies out of the message', async () => {
    const limited = await rejection(
      failing(apiError(429, { message: 'Rate limited for key sk-live-abcdef123456 and my-private-key-123', responseHeaders: { 'retry-after': '7' } })).complete(ask()),
    );
    expect(limited).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfterSeconds: 7 });
    const text = JSON.stringify({ message: String(limited), cause: limited instanceof Error ? String(limited.cause) : '' });
    expect(text).not.toContain('sk-live-abcdef123456');
    expect(text).not.toContain('my-private-key-123');
    expect(text).not.toContain('body');
    const overloaded = await rejection(failing(apiError(400, { data: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } } })).complete(ask()));
    expect(overloaded).toMatchObject({ code: 'PROVIDER_OVERLOADED', retryable: true });
  });

  it('maps a call that got no answer to PROVIDER_CONNECTION, a missing key to PROVIDER_AUTHENTICATION, and lets a bug through', async () => {
    expect(await rejection(failing(apiError(undefined, { isRetryable: true })).complete(ask()))).toMatchObject({ code: 'PROVIDER_CONNECTION', retryable: true });
    const key = new LoadAPIKeyError({ message: 'OpenAI API key is missing' });
    expect(await rejection(failing(key).complete(ask()))).toMatchObject({ code: 'PROVIDER_AUTHENTICATION', retryable: false });
    const bug = new RangeError('index out of range');
    expect(await rejection(failing(bug).complete(ask()))).toBe(bug);
  });

  it('does not call the model when the signal already fired', async () => {
    const model = new MockLanguageModelV3({ doGenerate: result({ content: [{ type: 'text', text: 'never' }] }) });
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(createAiSdkProvider(model).complete(ask({ signal: controller.signal })));
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  it('rejects with an AbortError when the signal fires mid-call, even if the model ignores it, and aborts the model’s signal', async () => {
    let seen: AbortSignal | undefined;
    const model = new MockLanguageModelV3({
      doGenerate: (options: LanguageModelV3CallOptions) => {
        seen = options.abortSignal;
        return new Promise<LanguageModelV3GenerateResult>(() => undefined);
      },
    });
    const controller = new AbortController();
    const pending = createAiSdkProvider(model).complete(ask({ signal: controller.signal }));
    await new Promise<void>((resolve) => setImmediate(resolve));
    controller.abort();
    const error = await rejection(pending);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(seen?.aborted).toBe(true);
  });

  it('fails a model that never answers with PROVIDER_TIMEOUT after timeoutMs', async () => {
    const model = new MockLanguageModelV3({ doGenerate: () => new Promise<LanguageModelV3GenerateResult>(() => undefined) });
    const error = await rejection(createAiSdkProvider(model, { timeoutMs: 10 }).complete(ask()));
    expect(error).toMatchObject({ code: 'PROVIDER_TIMEOUT', retryable: true });
  });

  it('refuses a structured schema it cannot check before calling the model', async () => {
    const model = new MockLanguageModelV3({ doGenerate: result({ content: [{ type: 'text', text: '{}' }] }) });
    const error = await rejection(
      createAiSdkProvider(model).complete(ask({ structuredOutput: { name: 'odd', schema: { type: 42 } } })),
    );
    expect(error).toMatchObject({ code: 'PROVIDER_BAD_REQUEST' });
    expect(model.doGenerateCalls).toHaveLength(0);
  });
});
