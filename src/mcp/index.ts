/**
 * The MCP client: an MCP server's tools become troupe tools named
 * `<server>.<tool>` (`orchestrator.registerMcpServer`). See docs/mcp.md.
 */
export { McpConnection } from './connection.js';
export type { McpServerState, McpServerStatus } from './connection.js';
export { isStdioConfig, validateMcpServerConfig } from './server-config.js';
export type { McpHttpServerConfig, McpServerConfig, McpStdioServerConfig } from './server-config.js';
export { McpServers } from './servers.js';
export type { McpServerHandle } from './servers.js';
export { bridgeTool, renderToolResult, troupeToolName } from './tool-bridge.js';
