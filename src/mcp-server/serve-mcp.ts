/**
 * troupe as an MCP server: an orchestrator's runs, agents and artifacts as
 * MCP tools (server-tools.ts), over stdio or streamable HTTP. HTTP is
 * stateless (each request gets its own server and transport), binds
 * 127.0.0.1 unless told otherwise, and answers only at `/mcp`. The MCP SDK's
 * server side is loaded when serving starts, not when troupe is imported.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ConfigError, McpServerUnavailableError, toErrorData } from '../protocols/errors/errors.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { loadOnce } from '../util/load-once.js';
import { registerServedTools } from './served-tools.js';

export interface ServeMcpOptions {
  /** `stdio` (this process's stdin/stdout: log nothing to stdout) or HTTP on a port (0: any free one). */
  readonly transport: 'stdio' | { readonly port: number; readonly host?: string };
  /** The name MCP clients see. Default `troupe`. */
  readonly name?: string;
}

/** A running MCP server. */
export interface McpServing {
  /** `http://host:port/mcp` when serving HTTP. */
  readonly url: string | undefined;
  /** Stops serving (the orchestrator keeps running). */
  close(): Promise<void>;
}

const VERSION = '0.1.0';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The SDK's server and stdio transport, loaded once, when serving over stdio starts. */
const loadStdioSdk = loadOnce(async () => {
  const [mcp, stdio] = await Promise.all([import('@modelcontextprotocol/sdk/server/mcp.js'), import('@modelcontextprotocol/sdk/server/stdio.js')]);
  return { McpServer: mcp.McpServer, StdioServerTransport: stdio.StdioServerTransport };
});

/** The SDK's server and streamable HTTP transport, loaded once, when serving over HTTP starts. */
const loadHttpSdk = loadOnce(async () => {
  const [mcp, http] = await Promise.all([import('@modelcontextprotocol/sdk/server/mcp.js'), import('@modelcontextprotocol/sdk/server/streamableHttp.js')]);
  return { McpServer: mcp.McpServer, StreamableHTTPServerTransport: http.StreamableHTTPServerTransport };
});

/** Loads part of the SDK. @throws McpServerUnavailableError when it cannot be loaded. */
async function loadSdk<T>(load: () => Promise<T>, name: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new McpServerUnavailableError(name, `could not load @modelcontextprotocol/sdk: ${toErrorData(error).message}`, error);
  }
}

function createMcpServer(Server: typeof McpServer, orchestrator: Orchestrator, name: string): McpServer {
  const server = new Server({ name, version: VERSION }, { capabilities: { tools: {} } });
  registerServedTools(server, orchestrator);
  return server;
}

/**
 * Serves an orchestrator to MCP clients.
 *
 * @example
 * ```ts
 * const serving = await serveMcp(orchestrator, { transport: { port: 8931 } });
 * console.error(`MCP at ${serving.url}`); // http://127.0.0.1:8931/mcp
 * // or, for a client that spawns this process:
 * await serveMcp(orchestrator, { transport: 'stdio' });
 * ```
 * @throws ConfigError for a port out of range.
 * @throws McpServerUnavailableError when `@modelcontextprotocol/sdk` cannot be loaded.
 */
export async function serveMcp(orchestrator: Orchestrator, options: ServeMcpOptions): Promise<McpServing> {
  const name = options.name ?? 'troupe';
  if (options.transport === 'stdio') {
    const { McpServer, StdioServerTransport } = await loadSdk(loadStdioSdk, name);
    const server = createMcpServer(McpServer, orchestrator, name);
    await server.connect(new StdioServerTransport());
    return { url: undefined, close: () => server.close() };
  }
  const { port, host = '127.0.0.1' } = options.transport;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError('mcp.port', 'must be an integer from 0 to 65535');
  return serveHttp(orchestrator, name, port, host);
}

async function serveHttp(orchestrator: Orchestrator, name: string, port: number, host: string): Promise<McpServing> {
  const { McpServer, StreamableHTTPServerTransport } = await loadSdk(loadHttpSdk, name);
  let allowedHosts: string[] | undefined;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== '/mcp') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('MCP is served at /mcp');
      return;
    }
    const server = createMcpServer(McpServer, orchestrator, name);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      ...(allowedHosts ? { enableDnsRebindingProtection: true, allowedHosts } : {}),
    });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request, response);
  };
  const http = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(error instanceof Error ? error.message : 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  // A loopback server answers only requests addressed to loopback (no DNS rebinding from a web page).
  if (LOOPBACK.has(host)) allowedHosts = [`127.0.0.1:${bound}`, `localhost:${bound}`, `[::1]:${bound}`];
  return {
    url: `http://${urlHost}:${bound}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
