/**
 * One MCP server, client side: connects (spawning a stdio server), reads its
 * whole tool list (every page) and follows `notifications/tools/list_changed`,
 * calls tools, and starts the server again when it dies, a bounded number of
 * times. Past that, or once closed, calls fail with McpServerUnavailableError.
 * The MCP SDK's client is loaded by the first connection, not when troupe is
 * imported.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { McpServerUnavailableError, toErrorData } from '../protocols/errors/errors.js';
import { loadOnce } from '../util/load-once.js';
import { isStdioConfig, validateMcpServerConfig } from './server-config.js';
import type { McpServerConfig } from './server-config.js';

/** The parts of the MCP SDK's client side a connection uses, loaded once, by the first connection. */
const loadClientSdk = loadOnce(async () => {
  const [client, stdio, http, types] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/stdio.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]);
  return {
    Client: client.Client,
    StdioClientTransport: stdio.StdioClientTransport,
    getDefaultEnvironment: stdio.getDefaultEnvironment,
    StreamableHTTPClientTransport: http.StreamableHTTPClientTransport,
    StreamableHTTPError: http.StreamableHTTPError,
    CallToolResultSchema: types.CallToolResultSchema,
    ErrorCode: types.ErrorCode,
    McpError: types.McpError,
    ToolListChangedNotificationSchema: types.ToolListChangedNotificationSchema,
  };
});

type ClientSdk = Awaited<ReturnType<typeof loadClientSdk>>;

export type McpServerState = 'connecting' | 'ready' | 'restarting' | 'unavailable' | 'closed';

/** A snapshot of a server connection, for monitoring and tests. */
export interface McpServerStatus {
  readonly name: string;
  readonly transport: 'stdio' | 'http';
  readonly state: McpServerState;
  /** The stdio server's process id while it runs. */
  readonly pid: number | null;
  /** Restarts so far (each attempt counts). */
  readonly restarts: number;
  /** Tool calls waiting for the server's answer. */
  readonly pendingCalls: number;
  /** The server's tool names, as it lists them. */
  readonly tools: readonly string[];
}

/** The last page cap: a server whose cursors never end is read this far. */
const MAX_TOOL_PAGES = 1000;

export class McpConnection {
  readonly name: string;
  readonly #config: McpServerConfig;
  readonly #maxRestarts: number;
  readonly #timeoutMs: number;
  readonly #onTools: (tools: readonly Tool[]) => void;
  /** The SDK, set once the first connection has loaded it (before any client or transport exists). */
  #sdk: ClientSdk | undefined;
  #client: Client | undefined;
  #transport: StdioClientTransport | StreamableHTTPClientTransport | undefined;
  /** A reconnection under way; calls wait for it. */
  #reconnecting: Promise<Client> | undefined;
  #state: McpServerState = 'connecting';
  #unavailableReason = 'not connected';
  #restarts = 0;
  #pending = 0;
  #tools: readonly Tool[] = [];
  #refreshing: Promise<unknown> = Promise.resolve();

  /** @throws ConfigError for a malformed config. */
  constructor(config: McpServerConfig, onTools: (tools: readonly Tool[]) => void) {
    const { maxRestarts, callTimeoutSeconds } = validateMcpServerConfig(config);
    this.name = config.name;
    this.#config = config;
    this.#maxRestarts = maxRestarts;
    this.#timeoutMs = callTimeoutSeconds * 1000;
    this.#onTools = onTools;
  }

  /** Connects and reads the tool list. @throws McpServerUnavailableError when the server cannot be reached. */
  async start(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      this.#markUnavailable(toErrorData(error).message);
      throw error;
    }
  }

  status(): McpServerStatus {
    return {
      name: this.name,
      transport: isStdioConfig(this.#config) ? 'stdio' : 'http',
      state: this.#state,
      // A transport exists only once the SDK is loaded.
      pid: this.#sdk && this.#transport instanceof this.#sdk.StdioClientTransport ? this.#transport.pid : null,
      restarts: this.#restarts,
      pendingCalls: this.#pending,
      tools: this.#tools.map((tool) => tool.name),
    };
  }

  /** Reads the tool list again (every page) and reports it. */
  async refreshTools(): Promise<readonly Tool[]> {
    const client = await this.#available();
    await this.#refresh(client);
    return this.#tools;
  }

  /**
   * Calls a tool. A tool's own error comes back as a result with `isError`.
   * @throws McpServerUnavailableError when the server is down or its connection closed during the call.
   */
  async callTool(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    const client = await this.#available();
    const sdk = this.#loadedSdk();
    this.#pending++;
    try {
      const result = await client.callTool({ name: tool, arguments: args }, sdk.CallToolResultSchema, {
        timeout: this.#timeoutMs,
        resetTimeoutOnProgress: true,
        // Asking for progress lets a long tool's notifications keep its deadline from running out.
        onprogress: () => undefined,
        ...(signal ? { signal } : {}),
      });
      return sdk.CallToolResultSchema.parse(result);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof sdk.McpError && error.code === sdk.ErrorCode.ConnectionClosed) {
        throw new McpServerUnavailableError(this.name, `the connection closed during the call to "${tool}"`, error);
      }
      if (!isStdioConfig(this.#config) && (error instanceof TypeError || error instanceof sdk.StreamableHTTPError)) {
        // An HTTP request that failed below MCP (refused, reset, session unknown): the next call connects afresh.
        this.#dropHttp(client);
        throw new McpServerUnavailableError(this.name, `the request for "${tool}" failed: ${toErrorData(error).message}`, error);
      }
      throw error;
    } finally {
      this.#pending--;
    }
  }

  /** Closes the connection; a stdio server's process is ended. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#unavailableReason = 'it was closed';
    await this.#reconnecting?.catch(() => undefined);
    const client = this.#client;
    const transport = this.#transport;
    this.#client = undefined;
    if (this.#sdk && transport instanceof this.#sdk.StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
    await client?.close().catch(() => undefined);
  }

  #makeTransport(sdk: ClientSdk): StdioClientTransport | StreamableHTTPClientTransport {
    const config = this.#config;
    if (isStdioConfig(config)) {
      return new sdk.StdioClientTransport({
        command: config.command,
        args: [...(config.args ?? [])],
        env: { ...sdk.getDefaultEnvironment(), ...config.env },
        stderr: config.stderr ?? 'ignore',
        ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      });
    }
    return new sdk.StreamableHTTPClientTransport(new URL(config.url), config.headers ? { requestInit: { headers: { ...config.headers } } } : {});
  }

  /** Loads the SDK (once). @throws McpServerUnavailableError when it cannot be loaded. */
  async #loadSdk(): Promise<ClientSdk> {
    try {
      this.#sdk ??= await loadClientSdk();
      return this.#sdk;
    } catch (error) {
      throw new McpServerUnavailableError(this.name, `could not load @modelcontextprotocol/sdk: ${toErrorData(error).message}`, error);
    }
  }

  /** The SDK, once a connection has loaded it: whoever holds a client may use it. */
  #loadedSdk(): ClientSdk {
    if (this.#sdk === undefined) throw new McpServerUnavailableError(this.name, this.#unavailableReason);
    return this.#sdk;
  }

  async #connect(): Promise<Client> {
    const sdk = await this.#loadSdk();
    const transport = this.#makeTransport(sdk);
    const client = new sdk.Client({ name: 'troupe', version: '0.1.0' }, { capabilities: {} });
    client.setNotificationHandler(sdk.ToolListChangedNotificationSchema, () => {
      this.#refresh(client).catch(() => undefined);
    });
    client.onclose = () => this.#lost(client);
    try {
      await client.connect(transport, { timeout: this.#timeoutMs });
      this.#client = client;
      this.#transport = transport;
      await this.#refresh(client);
    } catch (error) {
      if (this.#client === client) this.#client = undefined;
      await client.close().catch(() => undefined);
      throw new McpServerUnavailableError(this.name, `could not connect: ${toErrorData(error).message}`, error);
    }
    if (this.#state === 'closed') {
      await client.close().catch(() => undefined);
      throw new McpServerUnavailableError(this.name, 'it was closed');
    }
    this.#state = 'ready';
    return client;
  }

  /** Reads every page of the tool list, one refresh at a time; the newest list wins. */
  #refresh(client: Client): Promise<void> {
    const next = this.#refreshing.then(async () => {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_TOOL_PAGES; page++) {
        const listed = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: this.#timeoutMs });
        tools.push(...listed.tools);
        cursor = listed.nextCursor;
        if (cursor === undefined || cursor === '') break;
      }
      if (client !== this.#client) return;
      this.#tools = tools;
      this.#onTools(tools);
    });
    this.#refreshing = next.catch(() => undefined);
    return next;
  }

  /** The connected client, or the one a reconnection under way (or started now, for HTTP) will give. */
  #available(): Promise<Client> {
    if (this.#client && this.#state === 'ready') return Promise.resolve(this.#client);
    if (this.#reconnecting) return this.#reconnecting;
    if (this.#state === 'restarting') return this.#track(this.#reconnectOnce());
    return Promise.reject(new McpServerUnavailableError(this.name, this.#unavailableReason));
  }

  /**
   * An HTTP server's connection failed: dropped now, connected again by the
   * next call (one attempt per call, so a server that is down for a while
   * does not use up the restarts at once).
   */
  #dropHttp(client: Client): void {
    if (client !== this.#client || this.#state === 'closed') return;
    this.#client = undefined;
    this.#transport = undefined;
    void client.close().catch(() => undefined);
    if (this.#restarts < this.#maxRestarts) this.#state = 'restarting';
    else this.#markUnavailable(`its connection failed and may not be restarted (maxRestarts ${this.#maxRestarts})`);
  }

  async #reconnectOnce(): Promise<Client> {
    this.#restarts++;
    try {
      return await this.#connect();
    } catch (error) {
      const reason = `its connection failed and restart ${this.#restarts} failed: ${toErrorData(error).message}`;
      if (this.#restarts >= this.#maxRestarts) this.#markUnavailable(reason);
      throw new McpServerUnavailableError(this.name, reason, error);
    }
  }

  /** Makes `reconnecting` the reconnection calls wait for, until it settles. */
  #track(reconnecting: Promise<Client>): Promise<Client> {
    this.#reconnecting = reconnecting;
    const settle = (): void => {
      if (this.#reconnecting === reconnecting) this.#reconnecting = undefined;
    };
    reconnecting.then(settle, settle);
    return reconnecting;
  }

  /** The connection of `client` (a stdio server's process) ended without `close()`: start it again, or give up. */
  #lost(client: Client): void {
    if (client !== this.#client || this.#state === 'closed') return;
    this.#client = undefined;
    this.#transport = undefined;
    void client.close().catch(() => undefined);
    this.#state = 'restarting';
    // Nobody may be waiting: the failure is kept in the state, not left unhandled.
    this.#track(this.#reconnect()).catch(() => undefined);
  }

  async #reconnect(): Promise<Client> {
    let reason = `it stopped and may not be restarted (maxRestarts ${this.#maxRestarts})`;
    while (this.#restarts < this.#maxRestarts && this.#state !== 'closed') {
      this.#restarts++;
      try {
        return await this.#connect();
      } catch (error) {
        reason = `it stopped and ${this.#restarts} restart(s) failed: ${toErrorData(error).message}`;
      }
    }
    if (this.#state === 'closed') throw new McpServerUnavailableError(this.name, 'it was closed');
    // The tools stay registered: calls to them fail with this error, which the model reads.
    this.#markUnavailable(reason);
    throw new McpServerUnavailableError(this.name, reason);
  }

  #markUnavailable(reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'unavailable';
    this.#unavailableReason = reason;
  }
}
