/** The `troupe` command line: `troupe mcp --config <file>` (see docs/mcp.md). */
export { USAGE, importModule, isOrchestratorConfig, loadOrchestrator, parseCliArgs } from './mcp-options.js';
export type { CliOptions } from './mcp-options.js';
export { WORKER_USAGE, parseWorkerArgs, startWorkerFromCli } from './worker-command.js';
export type { WorkerCliOptions } from './worker-command.js';
