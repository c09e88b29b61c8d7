/**
 * Conversation memory with compaction: an agent's messages plus a running,
 * model-written summary of everything compacted away.
 *
 * When the memory passes `tokenThreshold`, {@link ConversationMemory.compact}
 * hands all but the last `preserveLastNMessages` messages (and the previous
 * summary) to a summarizer and keeps only its summary and the recent messages.
 * The summarizer is a costed model call supplied by the caller, so this module
 * never talks to a provider itself; {@link createModelSummarizer} builds one
 * from any `request → { text, costCents }` function (e.g. the model gateway).
 */
import { ConfigError, TroupeError } from '../protocols/errors/errors.js';
import { estimateRequestTokens } from '../protocols/model.js';
import type { ContentBlock, ModelMessage, ModelRequest } from '../protocols/model.js';

/** Text that introduces the summary where {@link ConversationMemory.messages} renders it. */
export const SUMMARY_HEADING = 'Summary of earlier conversation:';
/** Text that introduces a broadcast observation stored by {@link ConversationMemory.addObservation}. */
export const OBSERVATION_HEADING = 'Observation:';

/** Writes a summary of `toSummarize` that also carries forward `previousSummary`. */
export type Summarize = (
  toSummarize: readonly ModelMessage[],
  previousSummary: string | undefined,
) => Promise<{ readonly summary: string; readonly costCents: number }>;

export interface ConversationMemoryOptions {
  /** Compact once the memory holds more than this many tokens. */
  readonly tokenThreshold: number;
  /** How many of the newest stored messages compaction keeps verbatim (more when a tool pair straddles the cut). */
  readonly preserveLastNMessages: number;
  /** The provider's token count of the rendered messages; default: the text estimate `estimateRequestTokens`. */
  readonly countTokens?: (messages: readonly ModelMessage[]) => number | Promise<number>;
}

/** A memory as plain data, for snapshots and journals. */
export interface ConversationMemoryData {
  readonly summary?: string;
  readonly messages: readonly ModelMessage[];
}

export interface CompactionResult {
  /** False when the memory was under the threshold or nothing could be removed. */
  readonly compacted: boolean;
  /** Stored messages replaced by the summary. */
  readonly removedMessages: number;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  /** What the summarizer's model call cost, in cents (0 when nothing was compacted). */
  readonly costCents: number;
}

function toBlocks(content: ModelMessage['content']): readonly ContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/**
 * Joins two messages of the same role. In a user message, tool results go
 * first, as Anthropic requires of the message that answers a tool call.
 */
function mergeMessages(first: ModelMessage, second: ModelMessage): ModelMessage {
  if (typeof first.content === 'string' && typeof second.content === 'string') {
    return { role: first.role, content: `${first.content}\n\n${second.content}` };
  }
  const blocks = [...toBlocks(first.content), ...toBlocks(second.content)];
  if (first.role === 'assistant') return { role: first.role, content: blocks };
  return {
    role: first.role,
    content: [...blocks.filter((block) => block.type === 'tool_result'), ...blocks.filter((block) => block.type !== 'tool_result')],
  };
}

/** Summary (as a leading user turn) plus messages, with same-role neighbours merged so roles alternate. */
function renderMessages(summary: string | undefined, messages: readonly ModelMessage[]): ModelMessage[] {
  const rendered: ModelMessage[] = [];
  const push = (message: ModelMessage): void => {
    const last = rendered[rendered.length - 1];
    if (last && last.role === message.role) rendered[rendered.length - 1] = mergeMessages(last, message);
    else rendered.push(message);
  };
  if (summary !== undefined) push({ role: 'user', content: `${SUMMARY_HEADING}\n${summary}` });
  for (const message of messages) push(message);
  return rendered;
}

/**
 * Index of the first message compaction keeps: `length - preserve`, moved
 * earlier until no tool_use is removed while its tool_result is kept. A
 * tool_use with no result yet counts as answered at the end, so it is kept.
 */
export function compactionCut(messages: readonly ModelMessage[], preserveLastNMessages: number): number {
  let cut = Math.max(0, messages.length - preserveLastNMessages);
  const useAt = new Map<string, number>();
  const answered = new Set<string>();
  const pairs: Array<readonly [use: number, result: number]> = [];
  messages.forEach((message, index) => {
    if (typeof message.content === 'string') return;
    for (const block of message.content) {
      if (block.type === 'tool_use') useAt.set(block.id, index);
      if (block.type === 'tool_result') {
        const use = useAt.get(block.toolUseId);
        if (use !== undefined) pairs.push([use, index]);
        answered.add(block.toolUseId);
      }
    }
  });
  for (const [id, use] of useAt) if (!answered.has(id)) pairs.push([use, messages.length]);
  // The cut only moves earlier, so this ends after at most `pairs.length` moves.
  let moved = true;
  while (moved) {
    moved = false;
    for (const [use, result] of pairs) {
      if (use < cut && result >= cut) {
        cut = use;
        moved = true;
      }
    }
  }
  return cut;
}

function requireWholeNumber(value: number, field: string, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new ConfigError(field, `must be a whole number >= ${min}`);
}

/**
 * An agent's conversation: append messages and observations, render them for
 * the next model call, compact when they grow past the threshold.
 *
 * Rendering keeps user/assistant alternation valid: the summary is a leading
 * user turn, and when the first kept message is also a user message the two
 * are merged into one (summary text first). Neighbouring messages of the same
 * role, such as an observation followed by a question, are merged the same way.
 *
 * @example
 * ```ts
 * const memory = new ConversationMemory({ tokenThreshold: 50_000, preserveLastNMessages: 10 });
 * memory.append({ role: 'user', content: 'Compare the two designs.' });
 * memory.append({ role: 'assistant', content: 'Design B is simpler because…' });
 * if (await memory.needsCompaction()) {
 *   const result = await memory.compact(createModelSummarizer(callModel, { model: 'claude-haiku-4-5', maxTokens: 1024 }));
 *   console.log(`compacted ${result.removedMessages} messages for ${result.costCents}¢`);
 * }
 * const request = { model: 'claude-sonnet-4-5', maxTokens: 4096, messages: memory.messages() };
 * ```
 */
export class ConversationMemory {
  private readonly options: ConversationMemoryOptions;
  private readonly stored: ModelMessage[] = [];
  private currentSummary: string | undefined;
  /** Compactions run one after another: each removes a prefix counted before its await. */
  private compactionTail: Promise<void> = Promise.resolve();
  /** Bumped by every change, so a token count (maybe a provider request) is reused until the memory changes. */
  private revision = 0;
  private counted: { readonly revision: number; readonly tokens: number } | undefined;

  /** @throws ConfigError when the threshold or the number of kept messages is not a valid whole number. */
  constructor(options: ConversationMemoryOptions) {
    requireWholeNumber(options.tokenThreshold, 'memoryConfig.tokenThreshold', 1);
    requireWholeNumber(options.preserveLastNMessages, 'memoryConfig.preserveLastNMessages', 0);
    this.options = options;
  }

  /** Rebuilds a memory from {@link ConversationMemory.toJSON} output. */
  static fromJSON(data: ConversationMemoryData, options: ConversationMemoryOptions): ConversationMemory {
    const memory = new ConversationMemory(options);
    memory.stored.push(...structuredClone(data.messages));
    memory.currentSummary = data.summary;
    return memory;
  }

  /** The running summary of compacted messages, if any compaction has happened. */
  get summary(): string | undefined {
    return this.currentSummary;
  }

  /** Number of stored messages (observations included, the summary not). */
  get length(): number {
    return this.stored.length;
  }

  append(message: ModelMessage): void {
    this.stored.push(message);
    this.revision++;
  }

  /** Stores a broadcast observation as user-side context; it counts toward tokens and is compacted like any message. */
  addObservation(text: string): void {
    this.stored.push({ role: 'user', content: `${OBSERVATION_HEADING} ${text}` });
    this.revision++;
  }

  /** The messages to send: the summary (if any) as a leading user turn, then the stored messages, roles alternating. */
  messages(): ModelMessage[] {
    return renderMessages(this.currentSummary, this.stored);
  }

  /**
   * Tokens of {@link messages}: the provider's count when `countTokens` was
   * given, else the text estimate. Counted once per state of the memory.
   */
  async tokenCount(): Promise<number> {
    if (this.counted?.revision === this.revision) return this.counted.tokens;
    const revision = this.revision;
    const rendered = this.messages();
    const tokens = this.options.countTokens
      ? await this.options.countTokens(rendered)
      : estimateRequestTokens({ messages: rendered });
    this.counted = { revision, tokens };
    return tokens;
  }

  /** Whether the memory holds more than `tokenThreshold` tokens. */
  async needsCompaction(): Promise<boolean> {
    return (await this.tokenCount()) > this.options.tokenThreshold;
  }

  /**
   * When the memory is over the threshold (or `force` is set), replaces every
   * message but the last `preserveLastNMessages` with a summary written by
   * `summarize`, which also receives the previous summary so nothing already
   * summarized is lost. The cut moves earlier rather than separate a tool_use
   * from its tool_result. Messages appended while the summarizer runs are kept.
   * If `summarize` throws, the memory is unchanged and the error propagates.
   */
  compact(summarize: Summarize, options: { readonly force?: boolean } = {}): Promise<CompactionResult> {
    const result = this.compactionTail.then(() => this.compactNow(summarize, options.force ?? false));
    this.compactionTail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async compactNow(summarize: Summarize, force: boolean): Promise<CompactionResult> {
    const tokensBefore = await this.tokenCount();
    const unchanged = { compacted: false, removedMessages: 0, tokensBefore, tokensAfter: tokensBefore, costCents: 0 };
    if (!force && tokensBefore <= this.options.tokenThreshold) return unchanged;
    const cut = compactionCut(this.stored, this.options.preserveLastNMessages);
    if (cut === 0) return unchanged;
    const { summary, costCents } = await summarize(this.stored.slice(0, cut), this.currentSummary);
    // Appends only add at the end and compactions are serialized, so the first
    // `cut` messages are still the ones that were summarized.
    this.stored.splice(0, cut);
    this.currentSummary = summary;
    this.revision++;
    return { compacted: true, removedMessages: cut, tokensBefore, tokensAfter: await this.tokenCount(), costCents };
  }

  /** The memory as plain data (deep-copied). */
  toJSON(): ConversationMemoryData {
    return {
      ...(this.currentSummary === undefined ? {} : { summary: this.currentSummary }),
      messages: structuredClone(this.stored),
    };
  }
}

/** What the summarizer tells the model to do. */
export const SUMMARY_INSTRUCTIONS = [
  'You compress a conversation into a summary that will replace it; the original messages will be deleted.',
  'Keep every fact, decision (with its reason), open question, commitment, number, name, identifier, file path and quoted value.',
  'If a previous summary is given, fold it in: your summary replaces it, so drop nothing from it that still matters.',
  'Write plain text under the headings Facts, Decisions, Open questions and Numbers; no preamble.',
].join('\n');

function transcriptLine(message: ModelMessage): string {
  const speaker = message.role === 'user' ? 'User' : 'Assistant';
  const parts = toBlocks(message.content).map((block) => {
    switch (block.type) {
      case 'text':
        return block.text;
      case 'tool_use':
        return `[called tool ${block.name} with ${JSON.stringify(block.input)}]`;
      case 'tool_result':
        return `[tool result${block.isError ? ' (error)' : ''}: ${block.content}]`;
    }
  });
  return `${speaker}: ${parts.join('\n')}`;
}

/** The request a model summarizer sends. Exported so callers can inspect or reuse the prompt. */
export function buildSummaryRequest(
  toSummarize: readonly ModelMessage[],
  previousSummary: string | undefined,
  options: { readonly model: string; readonly maxTokens: number },
): ModelRequest {
  const previous = previousSummary === undefined ? '' : `<previous_summary>\n${previousSummary}\n</previous_summary>\n\n`;
  const transcript = toSummarize.map(transcriptLine).join('\n\n');
  return {
    model: options.model,
    maxTokens: options.maxTokens,
    system: `${SUMMARY_INSTRUCTIONS}\nStay well under ${options.maxTokens} tokens.`,
    messages: [
      {
        role: 'user',
        content: `${previous}<conversation>\n${transcript}\n</conversation>\n\nWrite the updated summary.`,
      },
    ],
  };
}

/**
 * A {@link Summarize} function that asks a model for the summary through
 * `call` (typically the model gateway, which reserves budget and prices the
 * call) and reports the call's cost.
 *
 * @throws TroupeError `PROVIDER_MALFORMED_RESPONSE` (retryable) when the model returns no text; the memory is then left as it was.
 * @example
 * ```ts
 * const summarize = createModelSummarizer(
 *   async (request) => {
 *     const { response, costCents } = await gateway.call({ agentId, purpose: 'compaction', provider: 'anthropic', request });
 *     return { text: response.text, costCents };
 *   },
 *   { model: 'claude-haiku-4-5', maxTokens: 1024 },
 * );
 * await memory.compact(summarize);
 * ```
 */
export function createModelSummarizer(
  call: (request: ModelRequest) => Promise<{ readonly text: string; readonly costCents: number }>,
  options: { readonly model: string; readonly maxTokens: number },
): Summarize {
  return async (toSummarize, previousSummary) => {
    const { text, costCents } = await call(buildSummaryRequest(toSummarize, previousSummary, options));
    const summary = text.trim();
    if (summary.length === 0) {
      throw new TroupeError('PROVIDER_MALFORMED_RESPONSE', `${options.model} returned an empty summary; memory was not compacted`, {
        retryable: true,
        details: { model: options.model },
      });
    }
    return { summary, costCents };
  };
}
