/** The `troupe` command line: `troupe mcp --config <file>` (see docs/mcp.md). */
export { USAGE, loadOrchestrator, parseCliArgs } from './mcp-options.js';
export type { CliOptions } from './mcp-options.js';
