/**
 * A true upper bound on a request's input tokens, for reserving its cost
 * before the call. Byte-level BPE tokenizers (OpenAI's cl100k/o200k and
 * Anthropic's) never make a token of less than one byte of UTF-8, so a text's
 * UTF-8 byte length bounds its token count, whatever its language: a CJK
 * character is 3 bytes, so near one token a character stays under the bound.
 * On top of the text the bound counts what providers add around it: framing
 * tokens per request, message and content block, and the system prompt a
 * provider writes to explain tools (Anthropic documents 346 tokens for it
 * with Claude 4) when a request offers tools or asks for structured output.
 * Schemas are counted pretty-printed, which is longer than any compact form
 * a provider may render them in.
 */
import { effectiveThinkingBudget } from '../protocols/model.js';
import type { ModelMessage, ModelRequest, SystemPrompt } from '../protocols/model.js';
import type { ModelPrice } from '../protocols/pricing.js';

/** Role markers and reply priming of one request. */
export const REQUEST_OVERHEAD_TOKENS = 32;
/** Framing of one message or system block (role, separators). */
export const MESSAGE_OVERHEAD_TOKENS = 8;
/** Framing of one content block inside a message (tool use id, tool result wrapper). */
export const BLOCK_OVERHEAD_TOKENS = 16;
/** The provider's own tool-use instructions, counted once when tools or structured output are used. */
export const TOOL_PROMPT_OVERHEAD_TOKENS = 1024;
/** Framing of one tool definition (name, description and parameter wrappers). */
export const TOOL_OVERHEAD_TOKENS = 32;

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function jsonBytes(value: unknown): number {
  try {
    return bytes(JSON.stringify(value, null, 2) ?? '');
  } catch {
    // Not JSON (a cycle or a BigInt): the provider could not send it either; count its text form.
    return bytes(String(value));
  }
}

function systemBound(system: SystemPrompt | undefined): number {
  if (system === undefined) return 0;
  if (typeof system === 'string') return bytes(system) + MESSAGE_OVERHEAD_TOKENS;
  let total = 0;
  for (const block of system) total += bytes(block.text) + MESSAGE_OVERHEAD_TOKENS;
  return total;
}

function messageBound(message: ModelMessage): number {
  if (typeof message.content === 'string') return bytes(message.content) + MESSAGE_OVERHEAD_TOKENS;
  let total = MESSAGE_OVERHEAD_TOKENS;
  for (const block of message.content) {
    total += BLOCK_OVERHEAD_TOKENS;
    switch (block.type) {
      case 'text':
        total += bytes(block.text);
        break;
      case 'tool_use':
        total += bytes(block.id) + bytes(block.name) + jsonBytes(block.input);
        break;
      case 'tool_result':
        total += bytes(block.toolUseId) + bytes(block.content);
        break;
    }
  }
  return total;
}

/**
 * The most input tokens `request` can be billed for (cached or not), by a
 * byte-level BPE tokenizer: UTF-8 bytes of every text, tool and schema, plus
 * the framing overheads above.
 *
 * @example
 * ```ts
 * upperBoundRequestTokens({ model: 'gpt-4o', maxTokens: 10, messages: [{ role: 'user', content: '你好' }] });
 * // 6 bytes + 8 (message) + 32 (request) = 46
 * ```
 */
export function upperBoundRequestTokens(
  request: Pick<ModelRequest, 'system' | 'messages' | 'tools' | 'structuredOutput'>,
): number {
  let total = REQUEST_OVERHEAD_TOKENS + systemBound(request.system);
  for (const message of request.messages) total += messageBound(message);
  const tools = request.tools ?? [];
  if (tools.length > 0 || request.structuredOutput) total += TOOL_PROMPT_OVERHEAD_TOKENS;
  for (const tool of tools) {
    total += TOOL_OVERHEAD_TOKENS + bytes(tool.name) + bytes(tool.description) + jsonBytes(tool.inputSchema);
  }
  const structured = request.structuredOutput;
  if (structured) {
    total += TOOL_OVERHEAD_TOKENS + bytes(structured.name) + bytes(structured.description ?? '') + jsonBytes(structured.schema);
  }
  return total;
}

/** Whether any part of the request asks the provider to write a prompt cache. */
function marksCache(request: Pick<ModelRequest, 'system' | 'messages'>): boolean {
  if (typeof request.system !== 'string' && request.system?.some((block) => block.cache === true)) return true;
  return request.messages.some(
    (message) =>
      typeof message.content !== 'string' &&
      message.content.some((block) => block.type === 'text' && block.cache === true),
  );
}

/**
 * The most a request can cost, in cents, to reserve before the call: its
 * estimated input tokens with none of them read from cache, plus `maxTokens`
 * and the thinking budget it is sent with (at least MIN_THINKING_BUDGET_TOKENS) at the output price. When the request marks a
 * cacheable prefix, input is priced at the dearer of the input and cache-write
 * prices (Anthropic bills cache writes at 1.25× input).
 *
 * Input tokens are bounded by {@link upperBoundRequestTokens} (UTF-8 bytes of
 * every text, tool and schema plus framing overheads), a true upper bound for
 * byte-level BPE tokenizers whatever the language. Only a provider that
 * reports more than the request allows can cost more than this.
 *
 * @example
 * ```ts
 * const cents = estimateWorstCaseCents(request, requirePrice(request.model));
 * const hold = ledger.reserve({ agentId, requestedCents: cents });
 * ```
 */
export function estimateWorstCaseCents(request: ModelRequest, price: ModelPrice): number {
  const inputTokens = upperBoundRequestTokens(request);
  const inputPrice = marksCache(request)
    ? Math.max(price.inputCentsPerMTok, price.cacheWriteCentsPerMTok)
    : price.inputCentsPerMTok;
  const outputTokens = request.maxTokens + effectiveThinkingBudget(request);
  return (inputTokens * inputPrice + outputTokens * price.outputCentsPerMTok) / 1_000_000;
}
