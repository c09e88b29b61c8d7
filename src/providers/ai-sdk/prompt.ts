/**
 * A troupe {@link ModelRequest} as AI SDK 6 call options (`LanguageModelV3CallOptions`):
 * the system prompt, messages, tools, tool choice and response format.
 * Types only from `@ai-sdk/provider`, so nothing of it loads at run time.
 */
import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3ToolChoice,
  LanguageModelV3ToolResultPart,
  SharedV3ProviderOptions,
} from '@ai-sdk/provider';
import type { ModelMessage, ModelRequest, SystemBlock } from '../../protocols/model.js';

/** How the adapter shapes calls beyond what the request says. */
export interface AiSdkCallSettings {
  /** Provider options for every call, or per request (e.g. to turn `thinkingBudgetTokens` into a model's thinking option). */
  readonly providerOptions?: SharedV3ProviderOptions | ((request: ModelRequest) => SharedV3ProviderOptions | undefined);
  /**
   * Provider options put on every system block and text block marked `cache: true`,
   * e.g. `{ anthropic: { cacheControl: { type: 'ephemeral' } } }`. Absent, cache marks are not sent.
   */
  readonly cacheProviderOptions?: SharedV3ProviderOptions;
}

/** The name of the tool each tool call id called, so tool results can name it as the AI SDK requires. */
function toolNamesById(messages: readonly ModelMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) if (block.type === 'tool_use') names.set(block.id, block.name);
  }
  return names;
}

function cacheMark(cache: boolean | undefined, settings: AiSdkCallSettings): { providerOptions?: SharedV3ProviderOptions } {
  return cache === true && settings.cacheProviderOptions ? { providerOptions: settings.cacheProviderOptions } : {};
}

function systemMessages(system: ModelRequest['system'], settings: AiSdkCallSettings): LanguageModelV3Message[] {
  if (system === undefined || system === '') return [];
  if (typeof system === 'string') return [{ role: 'system', content: system }];
  return system.map((block: SystemBlock) => ({ role: 'system', content: block.text, ...cacheMark(block.cache, settings) }));
}

/** One troupe message → AI SDK messages; tool results become a `tool` message of their own, placed first. */
function toMessages(message: ModelMessage, names: ReadonlyMap<string, string>, settings: AiSdkCallSettings): LanguageModelV3Message[] {
  if (typeof message.content === 'string') {
    return [{ role: message.role, content: [{ type: 'text', text: message.content }] }];
  }
  if (message.role === 'assistant') {
    return [
      {
        role: 'assistant',
        content: message.content.map((block) => {
          switch (block.type) {
            case 'text':
              return { type: 'text' as const, text: block.text, ...cacheMark(block.cache, settings) };
            case 'tool_use':
              return { type: 'tool-call' as const, toolCallId: block.id, toolName: block.name, input: block.input ?? {} };
            case 'tool_result':
              return { type: 'text' as const, text: block.content };
          }
        }),
      },
    ];
  }
  const results: LanguageModelV3ToolResultPart[] = [];
  const texts: { type: 'text'; text: string; providerOptions?: SharedV3ProviderOptions }[] = [];
  for (const block of message.content) {
    if (block.type === 'tool_result') {
      results.push({
        type: 'tool-result',
        toolCallId: block.toolUseId,
        // A result whose call was compacted away still needs a name; the id is what pairs them.
        toolName: names.get(block.toolUseId) ?? 'unknown_tool',
        output: block.isError ? { type: 'error-text', value: block.content } : { type: 'text', value: block.content },
      });
    } else if (block.type === 'text') texts.push({ type: 'text', text: block.text, ...cacheMark(block.cache, settings) });
    else texts.push({ type: 'text', text: JSON.stringify(block.input) });
  }
  const out: LanguageModelV3Message[] = [];
  if (results.length > 0) out.push({ role: 'tool', content: results });
  if (texts.length > 0) out.push({ role: 'user', content: texts });
  return out;
}

/** The request's messages as an AI SDK prompt. */
export function toPrompt(request: ModelRequest, settings: AiSdkCallSettings = {}): LanguageModelV3Prompt {
  const names = toolNamesById(request.messages);
  return [...systemMessages(request.system, settings), ...request.messages.flatMap((message) => toMessages(message, names, settings))];
}

function toToolChoice(choice: ModelRequest['toolChoice']): LanguageModelV3ToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === 'object') return { type: 'tool', toolName: choice.name };
  return { type: choice };
}

/**
 * The call options for `request`, without the abort signal (the caller adds its own).
 *
 * @example
 * ```ts
 * const options = toCallOptions({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], maxTokens: 64 });
 * await model.doGenerate({ ...options, abortSignal });
 * ```
 */
export function toCallOptions(request: ModelRequest, settings: AiSdkCallSettings = {}): LanguageModelV3CallOptions {
  const tools: LanguageModelV3FunctionTool[] = (request.tools ?? []).map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    inputSchema: { ...tool.inputSchema },
  }));
  const toolChoice = tools.length > 0 ? toToolChoice(request.toolChoice) : undefined;
  const structured = request.structuredOutput;
  const providerOptions =
    typeof settings.providerOptions === 'function' ? settings.providerOptions(request) : settings.providerOptions;
  return {
    prompt: toPrompt(request, settings),
    maxOutputTokens: request.maxTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice === undefined ? {} : { toolChoice }),
    ...(structured
      ? {
          responseFormat: {
            type: 'json' as const,
            schema: { ...structured.schema },
            name: structured.name,
            ...(structured.description === undefined ? {} : { description: structured.description }),
          },
        }
      : {}),
    ...(providerOptions === undefined ? {} : { providerOptions }),
  };
}
