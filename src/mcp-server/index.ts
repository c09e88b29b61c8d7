/**
 * troupe served over MCP (`serveMcp`): run a workflow, ask an agent, read an
 * artifact, list and inspect runs. See docs/mcp.md.
 */
export { serveMcp } from './serve-mcp.js';
export type { McpServing, ServeMcpOptions } from './serve-mcp.js';
export { SERVED_TOOLS } from './served-tool-names.js';
