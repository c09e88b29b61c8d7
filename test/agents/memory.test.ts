import { describe, expect, it } from 'vitest';
import { ConfigError, TroupeError } from '../../src/index.js';
import type { ModelMessage, ModelRequest } from '../../src/index.js';
import { estimateRequestTokens, messageText } from '../../src/index.js';
import { ConversationMemory, OBSERVATION_HEADING, SUMMARY_HEADING, SUMMARY_INSTRUCTIONS, compactionCut, createModelSummarizer } from '../../src/agents/index.js';
import type { Summarize } from '../../src/agents/index.js';

const user = (content: string): ModelMessage => ({ role: 'user', content });
const assistant = (content: string): ModelMessage => ({ role: 'assistant', content });
const toolUse = (id: string): ModelMessage => ({
  role: 'assistant',
  content: [{ type: 'tool_use', id, name: 'search', input: { q: id } }],
});
const toolResult = (id: string): ModelMessage => ({
  role: 'user',
  content: [{ type: 'tool_result', toolUseId: id, content: `result ${id}` }],
});

/** A summarizer that records what it was given and charges a fixed cost. */
function recordingSummarizer(costCents = 0.25) {
  const calls: Array<{ toSummarize: readonly ModelMessage[]; previousSummary: string | undefined }> = [];
  const summarize: Summarize = async (toSummarize, previousSummary) => {
    calls.push({ toSummarize, previousSummary });
    return { summary: `summary #${calls.length} of ${toSummarize.length} messages`, costCents };
  };
  return { calls, summarize };
}

/** Alternating turns, `turns` user+assistant pairs of ~`chars` characters each. */
function conversation(turns: number, chars = 400): ModelMessage[] {
  const messages: ModelMessage[] = [];
  for (let i = 0; i < turns; i++) {
    messages.push(user(`question ${i} ${'q'.repeat(chars)}`), assistant(`answer ${i} ${'a'.repeat(chars)}`));
  }
  return messages;
}

function filled(options: { tokenThreshold: number; preserveLastNMessages: number }, messages: readonly ModelMessage[]) {
  const memory = new ConversationMemory(options);
  for (const message of messages) memory.append(message);
  return memory;
}

describe('ConversationMemory token counting', () => {
  it('estimates tokens of the rendered messages by default', async () => {
    const memory = filled({ tokenThreshold: 1000, preserveLastNMessages: 2 }, conversation(3));
    expect(await memory.tokenCount()).toBe(estimateRequestTokens({ messages: memory.messages() }));
  });

  it("uses the provider's count when countTokens is given", async () => {
    const seen: number[] = [];
    const memory = new ConversationMemory({
      tokenThreshold: 100,
      preserveLastNMessages: 2,
      countTokens: async (messages) => {
        seen.push(messages.length);
        return 7 * messages.length;
      },
    });
    memory.append(user('hi'));
    memory.append(assistant('hello'));
    expect(await memory.tokenCount()).toBe(14);
    expect(seen).toEqual([2]);
    expect(await memory.needsCompaction()).toBe(false);
    for (const message of conversation(7, 1)) memory.append(message);
    // 16 messages × 7 = 112 > 100, although the text estimate is far below the threshold.
    expect(await memory.needsCompaction()).toBe(true);
  });

  it('counts each state of the memory once: needsCompaction then compact make one count request, not two', async () => {
    let requests = 0;
    const memory = new ConversationMemory({
      tokenThreshold: 10,
      preserveLastNMessages: 2,
      countTokens: (messages) => {
        requests++;
        return 7 * messages.length;
      },
    });
    for (const message of conversation(3)) memory.append(message);
    expect(await memory.needsCompaction()).toBe(true);
    expect(requests).toBe(1);
    const result = await memory.compact(recordingSummarizer().summarize);
    // One more for the compacted memory (tokensAfter); the state before was already counted.
    expect(requests).toBe(2);
    expect(result).toMatchObject({ compacted: true, tokensBefore: 42, tokensAfter: 7 * memory.messages().length });
    memory.append(user('more'));
    expect(await memory.tokenCount()).toBe(7 * memory.messages().length);
    expect(requests).toBe(3);
  });

  it('counts observations toward the token total', async () => {
    const memory = filled({ tokenThreshold: 1000, preserveLastNMessages: 2 }, conversation(1));
    const before = await memory.tokenCount();
    memory.addObservation('x'.repeat(400));
    expect(await memory.tokenCount()).toBeGreaterThanOrEqual(before + 100);
  });

  it('rejects a threshold or a kept-message count that is not a whole number', () => {
    expect(() => new ConversationMemory({ tokenThreshold: 0, preserveLastNMessages: 2 })).toThrow(ConfigError);
    expect(() => new ConversationMemory({ tokenThreshold: 100, preserveLastNMessages: 1.5 })).toThrow(ConfigError);
  });
});

describe('ConversationMemory.compact', () => {
  it('does nothing while the memory is under the threshold', async () => {
    const memory = filled({ tokenThreshold: 10_000, preserveLastNMessages: 2 }, conversation(4));
    const { calls, summarize } = recordingSummarizer();
    const result = await memory.compact(summarize);
    expect(result).toMatchObject({ compacted: false, removedMessages: 0, costCents: 0 });
    expect(result.tokensAfter).toBe(result.tokensBefore);
    expect(calls).toHaveLength(0);
    expect(memory.length).toBe(8);
  });

  it('compacts once the threshold is passed, keeping exactly the last N messages', async () => {
    const messages = conversation(10);
    const memory = filled({ tokenThreshold: 500, preserveLastNMessages: 4 }, messages);
    expect(await memory.needsCompaction()).toBe(true);
    const { calls, summarize } = recordingSummarizer(0.25);
    const result = await memory.compact(summarize);
    expect(result.compacted).toBe(true);
    expect(result.removedMessages).toBe(16);
    expect(result.costCents).toBe(0.25);
    expect(result.tokensAfter).toBeLessThan(result.tokensBefore);
    expect(result.tokensAfter).toBe(await memory.tokenCount());
    expect(calls[0]?.toSummarize).toEqual(messages.slice(0, 16));
    expect(memory.toJSON()).toEqual({ summary: 'summary #1 of 16 messages', messages: messages.slice(16) });
  });

  it('replaces the rest with the summary, rendered as a leading user turn', async () => {
    const memory = filled({ tokenThreshold: 100, preserveLastNMessages: 3 }, conversation(4));
    await memory.compact(recordingSummarizer().summarize);
    // Kept: answer 2, question 3, answer 3. The first kept is an assistant message, so the summary stands alone.
    const rendered = memory.messages();
    expect(rendered.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(rendered[0]).toEqual(user(`${SUMMARY_HEADING}\nsummary #1 of 5 messages`));
    expect(messageText(rendered[1] ?? user(''))).toMatch(/^answer 2/);
  });

  it('merges the summary into the first kept message when that is a user message', async () => {
    const memory = filled({ tokenThreshold: 100, preserveLastNMessages: 2 }, conversation(4));
    await memory.compact(recordingSummarizer().summarize);
    const rendered = memory.messages();
    expect(rendered.map((m) => m.role)).toEqual(['user', 'assistant']);
    const first = messageText(rendered[0] ?? assistant(''));
    expect(first.startsWith(`${SUMMARY_HEADING}\nsummary #1 of 6 messages\n\nquestion 3`)).toBe(true);
  });

  it('hands the previous summary to the summarizer on the next compaction (rolling)', async () => {
    const memory = filled({ tokenThreshold: 300, preserveLastNMessages: 2 }, conversation(4));
    const { calls, summarize } = recordingSummarizer();
    await memory.compact(summarize);
    for (const message of conversation(4)) memory.append(message);
    const second = await memory.compact(summarize);
    expect(second.compacted).toBe(true);
    expect(calls.map((call) => call.previousSummary)).toEqual([undefined, 'summary #1 of 6 messages']);
    expect(memory.summary).toBe('summary #2 of 8 messages');
  });

  it('compacts under the threshold only when forced', async () => {
    const memory = filled({ tokenThreshold: 10_000, preserveLastNMessages: 2 }, conversation(3));
    const result = await memory.compact(recordingSummarizer().summarize, { force: true });
    expect(result).toMatchObject({ compacted: true, removedMessages: 4 });
  });

  it('leaves the memory unchanged when the summarizer fails', async () => {
    const messages = conversation(5);
    const memory = filled({ tokenThreshold: 100, preserveLastNMessages: 2 }, messages);
    const failing: Summarize = async () => {
      throw new Error('model down');
    };
    await expect(memory.compact(failing)).rejects.toThrow('model down');
    expect(memory.toJSON()).toEqual({ messages });
  });

  it('keeps messages appended while the summarizer runs, and runs compactions one at a time', async () => {
    const memory = filled({ tokenThreshold: 100, preserveLastNMessages: 2 }, conversation(4));
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = (): void => {};
    const summarizing = new Promise<void>((resolve) => {
      started = resolve;
    });
    const calls: number[] = [];
    const slow: Summarize = async (toSummarize) => {
      calls.push(toSummarize.length);
      started();
      await gate;
      return { summary: 'slow', costCents: 1 };
    };
    const first = memory.compact(slow);
    const second = memory.compact(slow);
    await summarizing;
    memory.append(user('late question'));
    release();
    expect((await first).removedMessages).toBe(6);
    // The second compaction started after the first ended: it saw [q3, a3, late] and kept the last 2.
    expect((await second).removedMessages).toBe(1);
    expect(calls).toEqual([6, 1]);
    expect(memory.toJSON().messages.map((m) => messageText(m).split(' ')[0])).toEqual(['answer', 'late']);
  });

  it('never separates a tool_use from its tool_result: the cut moves earlier', async () => {
    const messages = [user('start'), toolUse('t1'), toolResult('t1'), assistant('found it'), user('thanks'), assistant('ok')];
    // preserve 4 would cut between the tool_use (index 1) and its result (index 2).
    const memory = filled({ tokenThreshold: 1, preserveLastNMessages: 4 }, messages);
    const { calls, summarize } = recordingSummarizer();
    const result = await memory.compact(summarize);
    expect(result.removedMessages).toBe(1);
    expect(calls[0]?.toSummarize).toEqual([user('start')]);
    expect(memory.toJSON().messages).toEqual(messages.slice(1));
  });
});

describe('compactionCut', () => {
  it('is length minus N when no tool pair straddles it', () => {
    expect(compactionCut(conversation(5), 4)).toBe(6);
    expect(compactionCut(conversation(1), 4)).toBe(0);
    expect(compactionCut(conversation(2), 0)).toBe(4);
  });

  it('moves before a chain of tool pairs that each straddle the cut', () => {
    // Keep 3 → cut at 4, inside pair B (2..5) → cut at 2, now inside pair A (1..3) → cut at 1.
    const messages: ModelMessage[] = [
      user('go'),
      toolUse('A'),
      toolUse('B'),
      toolResult('A'),
      assistant('waiting for B'),
      toolResult('B'),
      assistant('done'),
    ];
    expect(compactionCut(messages, 3)).toBe(1);
  });

  it('keeps a tool_use whose result has not arrived yet', () => {
    const messages = [...conversation(3), user('look it up'), toolUse('pending')];
    expect(compactionCut(messages, 0)).toBe(7);
  });
});

describe('ConversationMemory.messages', () => {
  it('stores an observation as user-side context and keeps roles alternating', () => {
    const memory = new ConversationMemory({ tokenThreshold: 1000, preserveLastNMessages: 2 });
    memory.append(user('q1'));
    memory.append(assistant('a1'));
    memory.addObservation('the build is green');
    memory.append(user('q2'));
    expect(memory.length).toBe(4);
    expect(memory.messages()).toEqual([user('q1'), assistant('a1'), user(`${OBSERVATION_HEADING} the build is green\n\nq2`)]);
  });

  it('puts tool results first when a text turn merges with a tool-result turn', () => {
    const memory = new ConversationMemory({ tokenThreshold: 1000, preserveLastNMessages: 2 });
    memory.append(user('q'));
    memory.append(toolUse('t1'));
    memory.addObservation('note');
    memory.append(toolResult('t1'));
    const last = memory.messages()[2];
    expect(last?.role).toBe('user');
    expect(typeof last?.content === 'string' ? [] : last?.content.map((block) => block.type)).toEqual(['tool_result', 'text']);
  });
});

describe('ConversationMemory.toJSON / fromJSON', () => {
  it('round-trips through JSON text, summary and messages included', async () => {
    const memory = filled({ tokenThreshold: 100, preserveLastNMessages: 2 }, [...conversation(3), toolUse('t'), toolResult('t')]);
    await memory.compact(recordingSummarizer().summarize);
    const data = JSON.parse(JSON.stringify(memory.toJSON()));
    const restored = ConversationMemory.fromJSON(data, { tokenThreshold: 100, preserveLastNMessages: 2 });
    expect(restored.toJSON()).toEqual(memory.toJSON());
    expect(restored.messages()).toEqual(memory.messages());
    expect(restored.summary).toBe(memory.summary);
  });

  it('copies: changing the data afterwards does not change the memory', () => {
    const data = { messages: [user('a')] };
    const memory = ConversationMemory.fromJSON(data, { tokenThreshold: 100, preserveLastNMessages: 2 });
    data.messages.push(assistant('b'));
    expect(memory.length).toBe(1);
  });
});

describe('createModelSummarizer', () => {
  it('asks the model with instructions, the previous summary and the transcript, and reports the cost', async () => {
    const requests: ModelRequest[] = [];
    const summarize = createModelSummarizer(
      async (request) => {
        requests.push(request);
        return { text: '  Facts: the budget is 40 cents.  ', costCents: 0.3 };
      },
      { model: 'claude-haiku-4-5', maxTokens: 512 },
    );
    const result = await summarize([user('The budget is 40 cents.'), toolUse('t1'), toolResult('t1')], 'Earlier: chose plan B.');
    expect(result).toEqual({ summary: 'Facts: the budget is 40 cents.', costCents: 0.3 });
    const request = requests[0];
    expect(request?.model).toBe('claude-haiku-4-5');
    expect(request?.maxTokens).toBe(512);
    expect(request?.system).toContain(SUMMARY_INSTRUCTIONS);
    expect(SUMMARY_INSTRUCTIONS).toMatch(/fact/i);
    expect(SUMMARY_INSTRUCTIONS).toMatch(/decision/i);
    expect(SUMMARY_INSTRUCTIONS).toMatch(/open question/i);
    expect(SUMMARY_INSTRUCTIONS).toMatch(/number/i);
    const prompt = messageText(request?.messages[0] ?? assistant(''));
    expect(prompt).toContain('<previous_summary>\nEarlier: chose plan B.\n</previous_summary>');
    expect(prompt).toContain('User: The budget is 40 cents.');
    expect(prompt).toContain('Assistant: [called tool search with {"q":"t1"}]');
    expect(prompt).toContain('User: [tool result: result t1]');
  });

  it('refuses an empty summary, so compaction leaves the memory intact', async () => {
    const summarize = createModelSummarizer(async () => ({ text: '  ', costCents: 0.1 }), { model: 'm', maxTokens: 100 });
    const memory = filled({ tokenThreshold: 100, preserveLastNMessages: 2 }, conversation(4));
    const error = await memory.compact(summarize).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TroupeError);
    if (error instanceof TroupeError) expect(error.code).toBe('PROVIDER_MALFORMED_RESPONSE');
    expect(memory.length).toBe(8);
    expect(memory.summary).toBeUndefined();
  });
});
