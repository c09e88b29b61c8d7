/**
 * MCP, both ways: troupe as an MCP client (`orchestrator.registerMcpServer`,
 * an MCP server's tools as troupe tools) and as an MCP server (`serveMcp`,
 * troupe's runs, agents and artifacts as MCP tools). See docs/mcp.md.
 */
export type { McpServerConfig, McpStdioServerConfig, McpHttpServerConfig } from './server-config.js';
export type { McpServerState, McpServerStatus } from './connection.js';
export type { McpServerHandle } from './servers.js';
export { renderToolResult } from './tool-bridge.js';
export { serveMcp } from '../mcp-server/serve-mcp.js';
export type { ServeMcpOptions, McpServing } from '../mcp-server/serve-mcp.js';
export { SERVED_TOOLS } from '../mcp-server/served-tools.js';
