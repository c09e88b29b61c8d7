/**
 * Tools agents may call: registered once by name, listed in a template's
 * `tools`, run by the system when the model asks (never inside an actor).
 */
import { z } from 'zod';
import type { ToolRunContext, ToolRunResult } from '../protocols/agent-runtime.js';
import { ConfigError, toErrorData } from '../protocols/errors/errors.js';
import type { JsonSchema, ToolCall, ToolDefinition } from '../protocols/model.js';

/** A tool whose arguments a zod schema validates before `execute` runs. */
export interface ZodTool<TInput> {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: z.ZodType<TInput>;
  /** Run alone: no other tool call of the same turn runs while this one does. Default false. */
  readonly sequential?: boolean;
  /** Wait for a person before each call (true), or for the calls whose validated input the function picks. Default false. */
  readonly needsApproval?: boolean | ((input: TInput) => boolean);
  /** Fail a call nobody decided on within this many seconds (APPROVAL_TIMEOUT). Default: the template's, else the orchestrator's. */
  readonly approvalTimeoutSeconds?: number;
  execute(input: TInput, context: ToolRunContext): Promise<unknown> | unknown;
}

/** A tool described by a JSON Schema; it receives the model's arguments unvalidated. */
export interface JsonSchemaTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  /** Run alone: no other tool call of the same turn runs while this one does. Default false. */
  readonly sequential?: boolean;
  /** Wait for a person before each call (true), or for the calls whose input the function picks. Default false. */
  readonly needsApproval?: boolean | ((input: unknown) => boolean);
  /** Fail a call nobody decided on within this many seconds (APPROVAL_TIMEOUT). Default: the template's, else the orchestrator's. */
  readonly approvalTimeoutSeconds?: number;
  execute(input: unknown, context: ToolRunContext): Promise<unknown> | unknown;
}

/** A tool: its description for the model and the function that runs it. */
export type AgentTool<TInput = unknown> = ZodTool<TInput> | JsonSchemaTool;

export function isZodTool<TInput>(tool: AgentTool<TInput>): tool is ZodTool<TInput> {
  return tool.inputSchema instanceof z.ZodType;
}

/** Names of tools: what templates list and journals record. Dots group tools (`files.read`, an MCP server's). */
const TOOL_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** What providers accept as a tool name (OpenAI's and Anthropic's rule). */
const MODEL_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The name a model sees for a tool: the tool's own name when providers accept
 * it, else dots as `__` (`files.read` → `files__read`), other characters as
 * `_`, and a long name cut to 64 with a hash of the full name kept at its end.
 */
export function modelToolName(name: string): string {
  if (MODEL_TOOL_NAME.test(name)) return name;
  const plain = name.replaceAll('.', '__').replace(/[^a-zA-Z0-9_-]/g, '_');
  if (plain.length <= 64) return plain;
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return `${plain.slice(0, 55)}_${hash.toString(16).padStart(8, '0')}`;
}

/** Whether a template's tool entry is a pattern (`files.*`): `*` stands for any run of characters. */
function isPattern(entry: string): boolean {
  return entry.includes('*');
}

function patternMatcher(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

interface RegisteredTool {
  readonly definition: ToolDefinition;
  readonly sequential: boolean;
  /** Whether a call with this (raw) input waits for a person. */
  readonly needsApproval: (input: unknown) => boolean;
  readonly approvalTimeoutSeconds: number | undefined;
  readonly run: (input: unknown, context: ToolRunContext) => Promise<unknown>;
}

/** Turns a tool's return value into the text the model reads. */
function render(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();
  /** Tool names by the name models see, where the two differ. */
  readonly #byModelName = new Map<string, string>();

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
   * @throws ConfigError for a malformed name, or one whose model name another tool has.
   */
  register<TInput>(tool: AgentTool<TInput>): void {
    if (!TOOL_NAME.test(tool.name)) {
      throw new ConfigError('tool.name', `"${tool.name}" must be 1-128 letters, digits, _, - or .`);
    }
    const modelName = modelToolName(tool.name);
    const holder = this.#byModelName.get(modelName) ?? (this.#tools.has(modelName) ? modelName : undefined);
    if (holder !== undefined && holder !== tool.name) {
      throw new ConfigError('tool.name', `"${tool.name}" would reach models as "${modelName}", as "${holder}" already does`);
    }
    const timeout = tool.approvalTimeoutSeconds;
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
      throw new ConfigError('tool.approvalTimeoutSeconds', `must be a positive number of seconds, got ${String(timeout)}`);
    }
    if (modelName !== tool.name) this.#byModelName.set(modelName, tool.name);
    const gate = { approvalTimeoutSeconds: timeout };
    if (isZodTool(tool)) {
      const schema = tool.inputSchema;
      const { needsApproval } = tool;
      this.#tools.set(tool.name, {
        ...gate,
        definition: { name: modelName, description: tool.description, inputSchema: z.toJSONSchema(schema) },
        sequential: tool.sequential === true,
        needsApproval: (input) => {
          if (typeof needsApproval !== 'function') return needsApproval === true;
          const parsed = schema.safeParse(input);
          // Arguments the tool would refuse never run: no person needs to see them.
          return parsed.success ? needsApproval(parsed.data) : false;
        },
        run: async (input, context) => {
          const parsed = schema.safeParse(input);
          if (!parsed.success) throw new Error(`invalid arguments: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
          return tool.execute(parsed.data, context);
        },
      });
      return;
    }
    const { needsApproval } = tool;
    this.#tools.set(tool.name, {
      ...gate,
      definition: { name: modelName, description: tool.description, inputSchema: tool.inputSchema },
      sequential: tool.sequential === true,
      needsApproval: (input) => (typeof needsApproval === 'function' ? needsApproval(input) : needsApproval === true),
      run: async (input, context) => tool.execute(input, context),
    });
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** Whether the named tool was registered with `sequential: true` (an unknown name is not). */
  isSequential(name: string): boolean {
    return this.#tools.get(this.#byModelName.get(name) ?? name)?.sequential === true;
  }

  /**
   * Whether a call of the named tool with this input waits for a person
   * (`needsApproval`); an unknown name does not. A `needsApproval` function
   * that throws counts as yes: a gate never opens by accident.
   */
  needsApproval(name: string, input: unknown): boolean {
    const tool = this.#tools.get(this.resolve(name) ?? name);
    if (!tool) return false;
    try {
      return tool.needsApproval(input);
    } catch {
      return true;
    }
  }

  /** The named tool's own `approvalTimeoutSeconds`, if it has one. */
  approvalTimeoutSeconds(name: string): number | undefined {
    return this.#tools.get(this.resolve(name) ?? name)?.approvalTimeoutSeconds;
  }

  /** Removes a tool (an MCP server stopped offering it); a later call to it is an "unknown tool" result. */
  unregister(name: string): void {
    if (!this.#tools.delete(name)) return;
    const modelName = modelToolName(name);
    if (this.#byModelName.get(modelName) === name) this.#byModelName.delete(modelName);
  }

  /** Names of the registered tools, in registration order. */
  names(): string[] {
    return [...this.#tools.keys()];
  }

  /**
   * Definitions of the named tools. An entry with `*` (`files.*`) stands for
   * every registered tool it matches, in registration order, and may match
   * none (an MCP server's tools may not be listed yet).
   * @throws ConfigError naming the first unknown tool.
   */
  definitions(names: readonly string[], field = 'tools'): ToolDefinition[] {
    const chosen = new Map<string, ToolDefinition>();
    for (const name of names) {
      if (isPattern(name)) {
        const matcher = patternMatcher(name);
        for (const [toolName, tool] of this.#tools) if (matcher.test(toolName)) chosen.set(toolName, tool.definition);
        continue;
      }
      const tool = this.#tools.get(name);
      if (!tool) throw new ConfigError(field, `unknown tool "${name}": register it with registerTool`);
      chosen.set(name, tool.definition);
    }
    return [...chosen.values()];
  }

  /** The registered name of a tool a model called, by either of its names. */
  resolve(calledName: string): string | undefined {
    if (this.#tools.has(calledName)) return calledName;
    return this.#byModelName.get(calledName);
  }

  /** Runs a call; failures come back as error results the model can read. */
  async run(call: ToolCall, context: ToolRunContext): Promise<ToolRunResult> {
    const registered = this.resolve(call.name);
    const tool = registered === undefined ? undefined : this.#tools.get(registered);
    if (!tool) return { content: `Unknown tool "${call.name}"`, isError: true };
    try {
      return { content: render(await tool.run(call.input, context)) };
    } catch (error) {
      return { content: `Tool "${registered ?? call.name}" failed: ${toErrorData(error).message}`, isError: true };
    }
  }
}
