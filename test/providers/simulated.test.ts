import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ConfigError, ProviderError } from '../../src/index.js';
import { estimateRequestTokens, estimateTokens } from '../../src/index.js';
import type { JsonSchema, ModelRequest, ModelResponse } from '../../src/index.js';
import { sampleSchema } from '../../src/providers/simulated/index.js';
import { createRandom, hashString } from '../../src/providers/simulated/index.js';
import { createSimulatedProvider, SIMULATED_CACHE_TTL_MS } from '../../src/providers/simulated/index.js';

const RATE_LIMITER =
  'Task: Design a rate limiter for the payments API. The rate limiter must absorb bursts from mobile clients.\n\n' +
  'Directives:\n- compare token bucket with sliding window\n- estimate memory per client';

function ask(content: string, extra: Partial<ModelRequest> = {}): ModelRequest {
  return { model: 'claude-sonnet-4-5', maxTokens: 2048, messages: [{ role: 'user', content }], ...extra };
}

const PROMPTS = [
  RATE_LIMITER,
  'Summarize the quarterly revenue report for the board, highlighting churn in enterprise accounts.',
  'Write a migration plan from PostgreSQL 12 to PostgreSQL 16 with minimal downtime.',
  'Review this onboarding flow for accessibility problems in the signup form.',
  'Propose three names for a coffee subscription service aimed at students.',
];

/** Everything in a response except nothing: content and usage must match exactly. */
function comparable(response: ModelResponse): unknown {
  return JSON.parse(JSON.stringify(response));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the simulated provider', () => {
  it('is named "simulated", echoes the requested model and marks every answer as simulated', async () => {
    const model = createSimulatedProvider();
    const response = await model.complete(ask(RATE_LIMITER, { model: 'gpt-4o' }));
    expect(model.name).toBe('simulated');
    expect(response.model).toBe('gpt-4o');
    expect(response.simulated).toBe(true);
    expect(response.text.startsWith('[simulated]')).toBe(true);
    expect(response.stopReason).toBe('end_turn');
    expect(response.toolCalls).toEqual([]);
  });

  it('gives the same responses for the same seed, across instances and call orders', async () => {
    const first = createSimulatedProvider({ seed: 7 });
    const second = createSimulatedProvider({ seed: 7 });
    const forward = await Promise.all(PROMPTS.map((prompt) => first.complete(ask(prompt))));
    const backward = await Promise.all([...PROMPTS].reverse().map((prompt) => second.complete(ask(prompt))));
    expect(forward.map(comparable)).toEqual(backward.reverse().map(comparable));
    // And the same instance answers a repeated request identically.
    expect(comparable(await first.complete(ask(PROMPTS[1] ?? '')))).toEqual(comparable(forward[1] ?? forward[0]!));
  });

  it('gives different responses for different seeds', async () => {
    const one = createSimulatedProvider({ seed: 1 });
    const two = createSimulatedProvider({ seed: 2 });
    const texts = await Promise.all(PROMPTS.map(async (prompt) => [(await one.complete(ask(prompt))).text, (await two.complete(ask(prompt))).text]));
    const differing = texts.filter(([a, b]) => a !== b).length;
    expect(differing).toBeGreaterThanOrEqual(3);
  });

  it('writes about the key phrases of the prompt and the role of the system prompt', async () => {
    const model = createSimulatedProvider();
    const response = await model.complete(ask(RATE_LIMITER, { system: 'You are a senior backend engineer. Be precise.' }));
    expect(response.text).toContain('rate limiter');
    expect(response.text).toContain('payments API');
    expect(response.text).toContain('senior backend engineer');
    expect(response.text).toContain('compare token bucket with sliding window');
    const other = await model.complete(ask(PROMPTS[2] ?? ''));
    expect(other.text).toContain('PostgreSQL');
    expect(other.text).not.toContain('rate limiter');
  });

  it('thinks only when a thinking budget is given, walks through the directives and stays under the budget', async () => {
    const model = createSimulatedProvider();
    const plain = await model.complete(ask(RATE_LIMITER));
    expect(plain.thinking).toBeUndefined();
    expect(plain.usage.thinkingTokens).toBe(0);
    const roomy = await model.complete(ask(RATE_LIMITER, { thinkingBudgetTokens: 4000 }));
    expect(roomy.thinking).toContain('compare token bucket with sliding window');
    expect(roomy.thinking).toContain('estimate memory per client');
    expect(roomy.thinking).toContain('simulated');
    expect(roomy.usage.thinkingTokens).toBe(estimateTokens(roomy.thinking ?? ''));
    for (const budget of [10, 40, 120]) {
      const tight = await model.complete(ask(RATE_LIMITER, { thinkingBudgetTokens: budget }));
      expect(tight.thinking?.length).toBeGreaterThan(0);
      expect(tight.usage.thinkingTokens).toBeLessThanOrEqual(budget);
    }
  });

  it('cuts the text to maxTokens * 4 characters and says so in stopReason', async () => {
    const response = await createSimulatedProvider().complete(ask(RATE_LIMITER, { maxTokens: 10 }));
    expect(response.text.length).toBe(40);
    expect(response.stopReason).toBe('max_tokens');
    expect(response.usage.outputTokens).toBe(10);
  });

  it('rejects options out of range with a ConfigError', () => {
    expect(() => createSimulatedProvider({ failureRate: 1.5 })).toThrow(ConfigError);
    expect(() => createSimulatedProvider({ latencyMs: -1 })).toThrow(ConfigError);
    expect(() => createSimulatedProvider({ confidence: { mean: 2 } })).toThrow(ConfigError);
  });
});

describe('structured outputs', () => {
  const Node: z.ZodType<{ label: string; children: { label: string; children: unknown[] }[] }> = z.lazy(() =>
    z.object({ label: z.string().min(1), children: z.array(Node).max(3) }),
  );
  const schemas = {
    reflection: z.object({ confidence: z.number().min(0).max(1), critique: z.string() }),
    review: z.strictObject({
      decision: z.enum(['approve', 'revise', 'reject']),
      rationale: z.string().min(20).max(200),
      score: z.int().gt(0).lt(10),
      weight: z.number().gt(0).lt(1).multipleOf(0.05),
      tags: z.array(z.string().max(12)).min(2).max(4),
      reviewer: z.email(),
      reviewedAt: z.iso.datetime(),
      due: z.iso.date(),
      ticket: z.uuid(),
      link: z.url(),
      note: z.string().nullable(),
      extra: z.string().optional(),
      flag: z.boolean(),
      nothing: z.null(),
      kind: z.literal('review'),
    }),
    nested: z.object({
      tree: Node,
      pair: z.tuple([z.string(), z.number().int()]),
      votes: z.record(z.string(), z.number().min(0)),
      flags: z.record(z.enum(['fast', 'safe']), z.boolean()),
      both: z.intersection(z.object({ a: z.string() }), z.object({ b: z.number() })),
      event: z.discriminatedUnion('type', [
        z.object({ type: z.literal('click'), x: z.number(), y: z.number() }),
        z.object({ type: z.literal('key'), code: z.string().length(4) }),
      ]),
      either: z.union([z.string().max(3), z.array(z.int()).min(1)]),
      code: z.string().regex(/^[A-Z]{3}-\d{4}$/),
      handle: z.string().regex(/^(?:alpha|beta)_[a-z0-9]{2,5}\.(io|dev)$/),
      multiple: z.number().multipleOf(7).min(1000),
    }),
  };

  for (const [name, schema] of Object.entries(schemas)) {
    it(`satisfies the "${name}" schema for every seed (zod → JSON Schema → value → zod parse)`, async () => {
      const jsonSchema: JsonSchema = z.toJSONSchema(schema);
      for (let seed = 0; seed < 40; seed++) {
        const model = createSimulatedProvider({ seed });
        const response = await model.complete(ask(RATE_LIMITER, { structuredOutput: { name, schema: jsonSchema } }));
        const parsed = schema.safeParse(response.structured);
        expect(parsed.error?.issues ?? [], `seed ${seed}: ${response.text}`).toEqual([]);
        expect(JSON.parse(response.text)).toEqual(response.structured);
      }
    });
  }

  it('fills prose fields with sentences about the prompt and picks enum members by hash', async () => {
    const model = createSimulatedProvider();
    const response = await model.complete(ask(RATE_LIMITER, { structuredOutput: { name: 'review', schema: z.toJSONSchema(schemas.review) } }));
    const value = schemas.review.parse(response.structured);
    expect(value.rationale).toMatch(/rate limiter|payments API|mobile clients|bursts/);
    const decisions = new Set<string>();
    for (const prompt of PROMPTS) {
      const answer = await model.complete(ask(prompt, { structuredOutput: { name: 'review', schema: z.toJSONSchema(schemas.review) } }));
      decisions.add(schemas.review.parse(answer.structured).decision);
    }
    expect(decisions.size).toBeGreaterThan(1);
    const reflection = await model.complete(ask(RATE_LIMITER, { structuredOutput: { name: 'r', schema: z.toJSONSchema(schemas.reflection) } }));
    expect(schemas.reflection.parse(reflection.structured).critique).toContain('[simulated]');
  });

  it('draws confidences around 0.78 so that some fall under the usual 0.7 and 0.8 thresholds', async () => {
    const model = createSimulatedProvider({ seed: 3 });
    const schema = z.toJSONSchema(schemas.reflection);
    const values: number[] = [];
    for (let i = 0; i < 300; i++) {
      const response = await model.complete(ask(`Task: assess option ${i} for the storage migration`, { structuredOutput: { name: 'r', schema } }));
      values.push(schemas.reflection.parse(response.structured).confidence);
    }
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(0.73);
    expect(mean).toBeLessThan(0.83);
    const under07 = values.filter((value) => value < 0.7).length / values.length;
    const under08 = values.filter((value) => value < 0.8).length / values.length;
    expect(under07).toBeGreaterThan(0.1);
    expect(under07).toBeLessThan(0.45);
    expect(under08).toBeGreaterThan(under07);
    expect(under08).toBeLessThan(0.8);

    const steady = createSimulatedProvider({ confidence: { mean: 0.5, spread: 0 } });
    const fixed = await steady.complete(ask(RATE_LIMITER, { structuredOutput: { name: 'r', schema } }));
    expect(schemas.reflection.parse(fixed.structured).confidence).toBe(0.5);
  });

  it('resolves draft-07 definitions and honours draft-04 boolean exclusive bounds', () => {
    const schema: JsonSchema = {
      type: 'object',
      definitions: { level: { type: 'integer', minimum: 1, maximum: 3, exclusiveMaximum: true } },
      properties: {
        level: { $ref: '#/definitions/level' },
        ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 0.01 },
        ids: { type: 'array', items: { enum: ['a', 'b', 'c'] }, minItems: 3, uniqueItems: true },
      },
      required: ['level', 'ratio', 'ids'],
      additionalProperties: false,
    };
    for (let seed = 0; seed < 30; seed++) {
      const value = sampleSchema(schema, { random: createRandom(hashString(`s${seed}`)) });
      const parsed = z
        .strictObject({ level: z.int().min(1).max(2), ratio: z.number().gt(0).max(0.01), ids: z.array(z.enum(['a', 'b', 'c'])).length(3) })
        .parse(value);
      expect(new Set(parsed.ids).size).toBe(3);
    }
  });

  it('rejects a schema that no value satisfies as a bad request', async () => {
    const model = createSimulatedProvider();
    const request = ask('x', { structuredOutput: { name: 'bad', schema: { type: 'integer', minimum: 5, maximum: 4 } } });
    await expect(model.complete(request)).rejects.toMatchObject({ code: 'PROVIDER_BAD_REQUEST', retryable: false });
  });
});

describe('tools', () => {
  const searchInput = z.object({ query: z.string().min(3), limit: z.int().min(1).max(20) });
  const tools = [
    { name: 'web_search', description: 'Searches the web', inputSchema: z.toJSONSchema(searchInput) },
    { name: 'calculator', description: 'Evaluates arithmetic', inputSchema: z.toJSONSchema(z.object({ expression: z.string() })) },
  ];

  it('calls the forced tool with arguments that satisfy its input schema', async () => {
    const response = await createSimulatedProvider().complete(ask(RATE_LIMITER, { tools, toolChoice: { name: 'web_search' } }));
    expect(response.stopReason).toBe('tool_use');
    expect(response.toolCalls).toHaveLength(1);
    expect(response.toolCalls[0]?.name).toBe('web_search');
    expect(() => searchInput.parse(response.toolCalls[0]?.input)).not.toThrow();
  });

  it('with toolChoice auto, calls a tool only when the user turn names it, then answers the tool result in text', async () => {
    const model = createSimulatedProvider();
    const silent = await model.complete(ask(RATE_LIMITER, { tools }));
    expect(silent.toolCalls).toEqual([]);
    const prompt = 'Use web search to find the current token bucket defaults of popular API gateways.';
    const first = await model.complete(ask(prompt, { tools }));
    expect(first.toolCalls.map((call) => call.name)).toEqual(['web_search']);
    const call = first.toolCalls[0];
    if (!call) throw new Error('expected a tool call');
    const followUp = await model.complete({
      model: 'claude-sonnet-4-5',
      maxTokens: 1024,
      tools,
      messages: [
        { role: 'user', content: prompt },
        { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: call.name, input: call.input }] },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: call.id, content: 'Kong uses 100 requests per minute' }] },
      ],
    });
    expect(followUp.toolCalls).toEqual([]);
    expect(followUp.stopReason).toBe('end_turn');
    expect(followUp.text).toContain('web_search');
    expect(followUp.text).toContain('Kong uses 100 requests per minute');
    const forbidden = await model.complete(ask(prompt, { tools, toolChoice: 'none' }));
    expect(forbidden.toolCalls).toEqual([]);
  });

  it('rejects a forced tool that is not among the tools', async () => {
    const request = ask('x', { tools, toolChoice: { name: 'missing' } });
    await expect(createSimulatedProvider().complete(request)).rejects.toMatchObject({ code: 'PROVIDER_BAD_REQUEST' });
  });
});

describe('failures', () => {
  it('fails about failureRate of calls with a retryable SIMULATED_FAILURE, the same way on every instance', async () => {
    const outcomes = async (): Promise<boolean[]> => {
      const model = createSimulatedProvider({ seed: 11, failureRate: 0.2 });
      return Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          model.complete(ask(`Task: request number ${i}`)).then(
            () => true,
            (error: unknown) => {
              expect(error).toBeInstanceOf(ProviderError);
              expect(error).toMatchObject({ code: 'SIMULATED_FAILURE', retryable: true, provider: 'simulated' });
              return false;
            },
          ),
        ),
      );
    };
    const first = await outcomes();
    const failed = first.filter((ok) => !ok).length;
    expect(failed).toBeGreaterThan(150);
    expect(failed).toBeLessThan(250);
    expect(await outcomes()).toEqual(first);
  });

  it('lets a retry of the same request succeed', async () => {
    const model = createSimulatedProvider({ seed: 5, failureRate: 0.5 });
    let retried = 0;
    for (let i = 0; i < 40; i++) {
      const request = ask(`Task: flaky request ${i}`);
      let attempts = 1;
      let response: ModelResponse | undefined;
      while (!response && attempts <= 20) {
        response = await model.complete(request).catch(() => undefined);
        if (!response) attempts += 1;
      }
      expect(response?.simulated).toBe(true);
      if (attempts > 1) retried += 1;
    }
    expect(retried).toBeGreaterThan(5);
  });

  it('never fails with a failure rate of 0 and always with 1', async () => {
    const never = createSimulatedProvider({ failureRate: 0 });
    const always = createSimulatedProvider({ failureRate: 1 });
    for (const prompt of PROMPTS) {
      await expect(never.complete(ask(prompt))).resolves.toMatchObject({ simulated: true });
      await expect(always.complete(ask(prompt))).rejects.toMatchObject({ code: 'SIMULATED_FAILURE' });
    }
  });
});

describe('latency and abort', () => {
  it('waits latencyMs on a timer before answering', async () => {
    vi.useFakeTimers();
    const model = createSimulatedProvider({ latencyMs: 1000 });
    let done = false;
    const pending = model.complete(ask(RATE_LIMITER)).then((response) => {
      done = true;
      return response;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    await expect(pending).resolves.toMatchObject({ simulated: true });
  });

  it('varies latency within ± jitterMs, deterministically per request', async () => {
    const waits: number[] = [];
    const sleep = (ms: number): Promise<void> => {
      waits.push(ms);
      return Promise.resolve();
    };
    const model = createSimulatedProvider({ latencyMs: 500, jitterMs: 200, sleep });
    for (const prompt of PROMPTS) await model.complete(ask(prompt));
    for (const prompt of PROMPTS) await model.complete(ask(prompt));
    expect(waits.every((ms) => ms >= 300 && ms <= 700)).toBe(true);
    expect(new Set(waits).size).toBeGreaterThan(1);
    expect(waits.slice(0, PROMPTS.length)).toEqual(waits.slice(PROMPTS.length));
  });

  it('answers without any timer at zero latency', async () => {
    vi.useFakeTimers();
    const response = await createSimulatedProvider({ latencyMs: 0 }).complete(ask(RATE_LIMITER));
    expect(response.simulated).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects promptly with an AbortError and clears its timer when the signal aborts', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const pending = createSimulatedProvider({ latencyMs: 60_000 }).complete(ask(RATE_LIMITER, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    controller.abort();
    await expect(createSimulatedProvider({ latencyMs: 60_000 }).complete(ask(RATE_LIMITER, { signal: controller.signal }))).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects on abort even when an injected sleep ignores the signal', async () => {
    const controller = new AbortController();
    const never = (): Promise<void> => new Promise(() => undefined);
    const pending = createSimulatedProvider({ latencyMs: 10, sleep: never }).complete(ask(RATE_LIMITER, { signal: controller.signal }));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('usage and prompt caching', () => {
  const shared = 'Company handbook. '.repeat(400);
  const cachedSystem = [{ text: `You are a policy assistant. ${shared}`, cache: true }, { text: 'Answer in one paragraph.' }];

  it('bills every input token as input when nothing is marked for caching', async () => {
    const request = ask(RATE_LIMITER, { system: 'You are a reviewer.' });
    const response = await createSimulatedProvider().complete(request);
    expect(response.usage).toMatchObject({ inputTokens: estimateRequestTokens(request), cacheReadTokens: 0, cacheWriteTokens: 0 });
    expect(response.usage.outputTokens).toBe(estimateTokens(response.text));
  });

  it('writes a cached prefix on first sight and reads it afterwards, until the TTL passes', async () => {
    let now = 1_000_000;
    const model = createSimulatedProvider({ clock: () => now });
    const first = ask('What is the travel policy?', { system: cachedSystem });
    const total = estimateRequestTokens(first);
    const written = (await model.complete(first)).usage;
    expect(written.cacheWriteTokens).toBeGreaterThan(1000);
    expect(written.cacheReadTokens).toBe(0);
    expect(written.inputTokens + written.cacheWriteTokens).toBe(total);

    now += 60_000;
    const second = ask('What is the expense policy?', { system: cachedSystem });
    const read = (await model.complete(second)).usage;
    expect(read.cacheReadTokens).toBe(written.cacheWriteTokens);
    expect(read.cacheWriteTokens).toBe(0);
    expect(read.inputTokens + read.cacheReadTokens).toBe(estimateRequestTokens(second));

    now += SIMULATED_CACHE_TTL_MS + 1;
    const expired = (await model.complete(second)).usage;
    expect(expired.cacheWriteTokens).toBe(written.cacheWriteTokens);
    expect(expired.cacheReadTokens).toBe(0);

    const fresh = (await createSimulatedProvider({ clock: () => now }).complete(second)).usage;
    expect(fresh.cacheWriteTokens).toBe(written.cacheWriteTokens);
  });

  it('caches up to a marked message block, and a different prefix is a new write', async () => {
    const model = createSimulatedProvider({ clock: () => 0 });
    const withContext = (context: string, question: string): ModelRequest => ({
      model: 'claude-haiku-4-5',
      maxTokens: 512,
      messages: [{ role: 'user', content: [{ type: 'text', text: context, cache: true }, { type: 'text', text: question }] }],
    });
    const a = await model.complete(withContext(shared, 'First question?'));
    const b = await model.complete(withContext(shared, 'Second question?'));
    const c = await model.complete(withContext(`${shared} Appendix.`, 'First question?'));
    expect(a.usage.cacheWriteTokens).toBeGreaterThan(0);
    expect(b.usage.cacheReadTokens).toBe(a.usage.cacheWriteTokens);
    expect(c.usage.cacheReadTokens).toBe(0);
    expect(c.usage.cacheWriteTokens).toBeGreaterThan(0);
  });

  it('bills more input tokens for longer prompts, and countTokens agrees', async () => {
    const model = createSimulatedProvider();
    const short = ask('Explain caching.');
    const long = ask(`Explain caching. ${'Consider CDN edge caches and browser caches. '.repeat(50)}`);
    const [shortUsage, longUsage] = [(await model.complete(short)).usage, (await model.complete(long)).usage];
    expect(longUsage.inputTokens).toBeGreaterThan(shortUsage.inputTokens + 400);
    expect(await model.countTokens?.(long)).toBe(longUsage.inputTokens);
  });
});
