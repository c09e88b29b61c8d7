/**
 * The MCP servers an orchestrator uses: each one's tools registered in the
 * tool registry as `<server>.<tool>` and kept in step with the server's list,
 * and every connection closed at shutdown.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ConfigError } from '../protocols/errors/errors.js';
import type { ToolRegistry } from '../agents/tools.js';
import type { McpServerConfig } from './server-config.js';
import { McpConnection } from './connection.js';
import type { McpServerStatus } from './connection.js';
import { bridgeTool, troupeToolName } from './tool-bridge.js';

/** A registered MCP server. */
export interface McpServerHandle {
  readonly name: string;
  /** The troupe names of its tools registered now (`<server>.<tool>`). */
  tools(): string[];
  /** Tools the server lists whose names troupe could not register, with why. */
  skippedTools(): readonly { readonly name: string; readonly reason: string }[];
  status(): McpServerStatus;
  /**
   * Calls one of its tools directly (by the server's name for it), outside any agent and journal.
   * @throws McpServerUnavailableError when the server is down.
   */
  callTool(tool: string, args?: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult>;
  /** Reads the server's tool list again (servers that announce changes are followed without this). */
  refreshTools(): Promise<string[]>;
  /** Closes the connection (ends a stdio server) and unregisters its tools. */
  close(): Promise<void>;
}

export class McpServers {
  readonly #tools: ToolRegistry;
  readonly #servers = new Map<string, McpServerHandle>();

  constructor(tools: ToolRegistry) {
    this.#tools = tools;
  }

  /** Connects a server and registers its tools. @throws ConfigError, McpServerUnavailableError */
  async register(config: McpServerConfig): Promise<McpServerHandle> {
    if (this.#servers.has(config.name)) throw new ConfigError('mcp.name', `an MCP server "${config.name}" is already registered`);
    const registered = new Set<string>();
    let skipped: { name: string; reason: string }[] = [];
    const sync = (listed: readonly Tool[]): void => {
      const next = new Set<string>();
      const nextSkipped: { name: string; reason: string }[] = [];
      for (const tool of listed) {
        const name = troupeToolName(config.name, tool.name);
        if (this.#tools.has(name) && !registered.has(name)) {
          nextSkipped.push({ name: tool.name, reason: `a tool "${name}" is already registered` });
          continue;
        }
        try {
          this.#tools.register(bridgeTool(connection, tool));
          next.add(name);
        } catch (error) {
          nextSkipped.push({ name: tool.name, reason: error instanceof Error ? error.message : String(error) });
        }
      }
      for (const name of registered) if (!next.has(name)) this.#tools.unregister(name);
      registered.clear();
      for (const name of next) registered.add(name);
      skipped = nextSkipped;
    };
    const connection = new McpConnection(config, sync);
    // Claimed before connecting, so a second registration under the name fails at once.
    const handle: McpServerHandle = {
      name: config.name,
      tools: () => [...registered],
      skippedTools: () => skipped,
      status: () => connection.status(),
      callTool: (tool, args = {}, signal) => connection.callTool(tool, args, signal),
      refreshTools: async () => {
        await connection.refreshTools();
        return [...registered];
      },
      close: async () => {
        this.#servers.delete(config.name);
        await connection.close();
        for (const name of registered) this.#tools.unregister(name);
        registered.clear();
      },
    };
    this.#servers.set(config.name, handle);
    try {
      await connection.start();
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle;
  }

  get(name: string): McpServerHandle | undefined {
    return this.#servers.get(name);
  }

  /** Closes every server (shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#servers.values()].map((handle) => handle.close()));
  }
}
