/**
 * Tools agents may call: registered once by name, listed in a template's
 * `tools`, run by the system when the model asks (never inside an actor).
 */
import { z } from 'zod';
import type { ToolRunContext, ToolRunResult } from '../protocols/agent-runtime.js';
import { ConfigError, toErrorData } from '../protocols/errors.js';
import type { JsonSchema, ToolCall, ToolDefinition } from '../protocols/model.js';

/** A tool whose arguments a zod schema validates before `execute` runs. */
export interface ZodTool<TInput> {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: z.ZodType<TInput>;
  /** Run alone: no other tool call of the same turn runs while this one does. Default false. */
  readonly sequential?: boolean;
  execute(input: TInput, context: ToolRunContext): Promise<unknown> | unknown;
}

/** A tool described by a JSON Schema; it receives the model's arguments unvalidated. */
export interface JsonSchemaTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  /** Run alone: no other tool call of the same turn runs while this one does. Default false. */
  readonly sequential?: boolean;
  execute(input: unknown, context: ToolRunContext): Promise<unknown> | unknown;
}

/** A tool: its description for the model and the function that runs it. */
export type AgentTool<TInput = unknown> = ZodTool<TInput> | JsonSchemaTool;

function isZodTool<TInput>(tool: AgentTool<TInput>): tool is ZodTool<TInput> {
  return tool.inputSchema instanceof z.ZodType;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

interface RegisteredTool {
  readonly definition: ToolDefinition;
  readonly sequential: boolean;
  readonly run: (input: unknown, context: ToolRunContext) => Promise<unknown>;
}

/** Turns a tool's return value into the text the model reads. */
function render(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();

  /**
   * Registers a tool.
   * @example
   * ```ts
   * tools.register({
   *   name: 'web_search',
   *   description: 'Search the web',
   *   inputSchema: z.object({ query: z.string() }),
   *   execute: async ({ query }) => search(query),
   * });
   * ```
   * @throws ConfigError for a name providers would refuse.
   */
  register<TInput>(tool: AgentTool<TInput>): void {
    if (!TOOL_NAME.test(tool.name)) {
      throw new ConfigError('tool.name', `"${tool.name}" must be 1-64 letters, digits, _ or -`);
    }
    if (isZodTool(tool)) {
      const schema = tool.inputSchema;
      this.#tools.set(tool.name, {
        definition: { name: tool.name, description: tool.description, inputSchema: z.toJSONSchema(schema) },
        sequential: tool.sequential === true,
        run: async (input, context) => {
          const parsed = schema.safeParse(input);
          if (!parsed.success) throw new Error(`invalid arguments: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
          return tool.execute(parsed.data, context);
        },
      });
      return;
    }
    this.#tools.set(tool.name, {
      definition: { name: tool.name, description: tool.description, inputSchema: tool.inputSchema },
      sequential: tool.sequential === true,
      run: async (input, context) => tool.execute(input, context),
    });
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** Whether the named tool was registered with `sequential: true` (an unknown name is not). */
  isSequential(name: string): boolean {
    return this.#tools.get(name)?.sequential === true;
  }

  /**
   * Definitions of the named tools.
   * @throws ConfigError naming the first unknown tool.
   */
  definitions(names: readonly string[], field = 'tools'): ToolDefinition[] {
    return names.map((name) => {
      const tool = this.#tools.get(name);
      if (!tool) throw new ConfigError(field, `unknown tool "${name}": register it with registerTool`);
      return tool.definition;
    });
  }

  /** Runs a call; failures come back as error results the model can read. */
  async run(call: ToolCall, context: ToolRunContext): Promise<ToolRunResult> {
    const tool = this.#tools.get(call.name);
    if (!tool) return { content: `Unknown tool "${call.name}"`, isError: true };
    try {
      return { content: render(await tool.run(call.input, context)) };
    } catch (error) {
      return { content: `Tool "${call.name}" failed: ${toErrorData(error).message}`, isError: true };
    }
  }
}
