/**
 * The agents capability of the Orchestrator (`orchestrator.agents`):
 * templates, tools, MCP servers, providers and custom agent types to
 * register, and the agents themselves to spawn, stop, inspect, resume and
 * abort. The Orchestrator's flat names (`spawnAgent`, `registerTemplate`, ...) call these.
 */
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import type { AgentTemplate } from '../protocols/agent.js';
import { AgentNotFoundError, ConfigError } from '../protocols/errors/errors.js';
import type { ModelProvider } from '../protocols/model.js';
import { resolveAgentConfig } from '../agents/agent-config.js';
import { abortReason, inspectPooledAgent } from '../agents/agent-inspection.js';
import type { AgentInspection } from '../agents/agent-inspection.js';
import type { SpawnRequest } from '../agents/agent-record.js';
import type { AgentTool, JsonSchemaTool, ZodTool } from '../agents/tools.js';
import { McpServers } from '../mcp/servers.js';
import type { McpServerHandle } from '../mcp/servers.js';
import type { McpServerConfig } from '../mcp/server-config.js';
import { requireId, requireRecord } from '../util/arguments.js';
import { checkAgentId, checkSpawnRequest, checkTool } from './api-arguments.js';
import { liveAgentIds } from './runtime.js';
import type { Runtime } from './runtime.js';

/** A spawned agent, as `spawnAgent` returns it. */
export interface AgentRef {
  readonly id: string;
  readonly template: string;
  /** The agent's actor (undefined once stopped). */
  readonly actor: AnyActorRef | undefined;
}

/**
 * Registries and the agent pool, behind the checks of every public method.
 *
 * @example
 * ```ts
 * orchestrator.agents.registerTemplate('reviewer', { role: 'code reviewer' });
 * const agent = orchestrator.agents.spawn('reviewer');
 * console.log(orchestrator.agents.list(), orchestrator.agents.inspect(agent.id)?.state);
 * ```
 */
export class AgentsClient {
  readonly #runtime: Runtime;
  readonly #assertOpen: () => void;
  /** MCP servers registered with registerMcpServer; created with the first. */
  #mcpServers: McpServers | undefined;

  /** @internal Built by the Orchestrator. */
  constructor(runtime: Runtime, assertOpen: () => void) {
    this.#runtime = runtime;
    this.#assertOpen = assertOpen;
  }

  /** Ids of live agents. */
  list(): string[] {
    return liveAgentIds(this.#runtime.pool);
  }

  /**
   * Registers an agent template under `name`; tasks whose agentId names a
   * template get an agent spawned from it.
   * @throws ConfigError naming the bad field.
   * @example
   * ```ts
   * orchestrator.registerTemplate('reviewer', { role: 'code reviewer', temperature: 0.2, tools: ['web_search'] });
   * ```
   */
  registerTemplate(name: string, template: AgentTemplate): this {
    this.#assertOpen();
    requireId(name, 'template', 'config');
    requireRecord(template, `templates.${name}`, 'config');
    const resolved = resolveAgentConfig(template, this.#runtime.defaults, `templates.${name}`);
    this.#runtime.tools.definitions(resolved.tools, `templates.${name}.tools`);
    this.#runtime.providers.assertKnown(resolved.provider, `templates.${name}.provider`);
    this.#runtime.assertPriced(resolved.model, resolved.provider, `templates.${name}.model`);
    this.#runtime.templates.set(name, template);
    return this;
  }

  /**
   * Registers a tool agents can list in their `tools`.
   * @example
   * ```ts
   * orchestrator.registerTool({ name: 'web_search', description: 'Search the web', inputSchema: z.object({ query: z.string() }), execute: search });
   * ```
   */
  registerTool<TInput>(tool: ZodTool<TInput>): this;
  registerTool(tool: JsonSchemaTool): this;
  registerTool<TInput>(tool: AgentTool<TInput>): this;
  registerTool<TInput>(tool: AgentTool<TInput>): this {
    checkTool(tool);
    this.#runtime.tools.register(tool);
    return this;
  }

  /**
   * Connects an MCP server (spawned over stdio, or reached over streamable
   * HTTP) and registers its tools as `<name>.<tool>`, for templates' `tools`
   * (`['files.*']`). See docs/mcp.md. `shutdown()` closes it.
   * @example
   * ```ts
   * await orchestrator.registerMcpServer({ name: 'files', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '.'] });
   * await orchestrator.registerMcpServer({ name: 'search', url: 'http://127.0.0.1:8931/mcp', headers: { Authorization: `Bearer ${token}` } });
   * orchestrator.registerTemplate('librarian', { role: 'librarian', tools: ['files.*'] });
   * ```
   * @throws ConfigError for a malformed config or a name in use; McpServerUnavailableError when it cannot connect.
   */
  registerMcpServer(config: McpServerConfig): Promise<McpServerHandle> {
    this.#assertOpen();
    if (!this.#mcpServers) {
      const servers = new McpServers(this.#runtime.tools);
      this.#mcpServers = servers;
      this.#runtime.disposers.push(() => servers.closeAll());
    }
    return this.#mcpServers.register(config);
  }

  /**
   * Registers a ModelProvider under its name, for templates' `provider`.
   * @example
   * ```ts
   * orchestrator.registerProvider(createOpenAIProvider({ baseURL: 'http://127.0.0.1:11434/v1', name: 'ollama' }));
   * orchestrator.registerTemplate('local', { provider: 'ollama', model: 'llama3.1' });
   * ```
   */
  registerProvider(provider: ModelProvider, name?: string): this {
    const given = requireRecord(provider, 'provider', 'config');
    if (typeof given['complete'] !== 'function') throw new ConfigError('provider', 'must be a ModelProvider (with a complete method)');
    const providerName = requireId(name ?? given['name'], 'provider.name', 'config');
    this.#runtime.providers.register(provider, providerName);
    return this;
  }

  /**
   * Registers a custom agent machine: it must speak the agent protocol
   * (docs/custom-agents.md). Spawn it with `spawnAgent({ agentType: name })`.
   * @example
   * ```ts
   * orchestrator.registerAgentType('glossary', createGlossaryAgent(GLOSSARY));
   * orchestrator.spawnAgent({ agentId: 'glossary', agentType: 'glossary' });
   * ```
   */
  registerAgentType(name: string, logic: AnyActorLogic): this {
    requireId(name, 'agentType', 'config');
    if (name === 'thinking') throw new ConfigError('agentType', `"${name}" cannot be registered`);
    if (typeof logic !== 'object' || logic === null || typeof logic.transition !== 'function') {
      throw new ConfigError('agentType', `"${name}" needs actor logic (a machine from createMachine or setup)`);
    }
    this.#runtime.agentTypes.set(name, logic);
    return this;
  }

  /**
   * Spawns an agent at run time from a template name or a config.
   * @example
   * ```ts
   * orchestrator.registerTemplate('researcher', { model: 'claude-3-5-sonnet', temperature: 0.3 });
   * const agent = orchestrator.spawnAgent('researcher');               // id researcher_1
   * const other = orchestrator.spawnAgent({ agentId: 'generic_ml', config: { systemPrompt: 'You are a specialist in ML' } });
   * ```
   */
  spawn(request: string | SpawnRequest): AgentRef {
    this.#assertOpen();
    checkSpawnRequest(request);
    // The pool rejects an unknown template with a ConfigError naming it.
    const record = this.#runtime.pool.spawn(typeof request === 'string' ? { template: request } : request);
    return { id: record.agentId, template: record.template, actor: this.#runtime.pool.ref(record.agentId) };
  }

  /**
   * Stops an agent: its model calls in flight are aborted; its record stays for inspection.
   * @example
   * ```ts
   * for (const agentId of orchestrator.listAgents()) orchestrator.stopAgent(agentId);
   * ```
   */
  stop(agentId: string): void {
    checkAgentId(agentId);
    this.#runtime.pool.stop(agentId);
  }

  /**
   * State, current task, memory, thinking trace, cost and last error of an
   * agent (live or stopped). A live agent is read from its actor's snapshot.
   * @example
   * ```ts
   * const state = orchestrator.inspectAgent('researcher');
   * console.log(state?.state, state?.currentTask, state?.memoryTokens, state?.thinkingTrace);
   * ```
   */
  inspect(agentId: string): AgentInspection | undefined {
    checkAgentId(agentId);
    return inspectPooledAgent(this.#runtime.pool, agentId);
  }

  /**
   * Resumes an agent waiting in `paused` (breakpointOnError): it retries the
   * step that failed. Returns false when the agent was not paused.
   * @throws AgentNotFoundError when no live agent has that id.
   * @example
   * ```ts
   * if (orchestrator.inspectAgent('researcher')?.state === 'paused') orchestrator.resumeAgent('researcher');
   * ```
   */
  resume(agentId: string): boolean {
    if (this.#liveInspection(agentId).state !== 'paused') return false;
    this.#runtime.pool.deliver(agentId, { type: 'agent.resume' });
    return true;
  }

  /**
   * Aborts an agent's task: one waiting in `paused` gives up its failed
   * step, one working stops (its model calls are aborted). The task ends
   * `cancelled`, its error naming the failure it stopped at. Returns false
   * when the agent had no task in progress.
   * @throws AgentNotFoundError when no live agent has that id.
   * @example
   * ```ts
   * orchestrator.abortAgent('researcher');
   * ```
   */
  abort(agentId: string): boolean {
    const reason = abortReason(this.#liveInspection(agentId));
    if (reason === undefined) return false;
    this.#runtime.pool.deliver(agentId, { type: 'agent.abort', reason });
    return true;
  }

  #liveInspection(agentId: string): AgentInspection {
    checkAgentId(agentId);
    const inspection = this.inspect(agentId);
    if (!inspection?.live) throw new AgentNotFoundError(agentId);
    return inspection;
  }
}
