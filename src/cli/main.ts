#!/usr/bin/env node
/**
 * The `troupe` bin: `troupe mcp --config ./troupe.config.ts [--port 8931]`,
 * and `troupe worker --redis URL --config ./troupe.config.ts` (a distributed worker).
 * Serves the configured orchestrator over MCP until stdin closes (stdio) or
 * SIGINT/SIGTERM, then shuts it down. Messages go to stderr: stdout is the
 * MCP channel under stdio.
 */
import { toErrorData } from '../protocols/errors/errors.js';
import { loadOrchestrator, parseCliArgs, USAGE } from './mcp-options.js';
import { serveMcp } from '../mcp-server/serve-mcp.js';
import { parseWorkerArgs, startWorkerFromCli, WORKER_USAGE } from './worker-command.js';

async function runWorker(args: readonly string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stderr.write(`${WORKER_USAGE}\n`);
    return;
  }
  const worker = await startWorkerFromCli(parseWorkerArgs(args));
  process.stderr.write(`troupe worker ${worker.id} ready\n`);
  const stop = async (): Promise<void> => {
    try {
      await worker.close();
    } finally {
      process.exit();
    }
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = args.length === 0 ? 1 : 0;
    return;
  }
  if (args[0] === 'worker') return runWorker(args.slice(1));
  const options = parseCliArgs(args);
  const orchestrator = await loadOrchestrator(options.configPath);
  const serving = await serveMcp(orchestrator, { transport: options.transport });
  if (serving.url) process.stderr.write(`troupe MCP server at ${serving.url}\n`);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await serving.close();
      await orchestrator.shutdown();
    } finally {
      // Nothing is left to serve: do not wait on handles a config may have left open.
      process.exit();
    }
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  if (options.transport === 'stdio') process.stdin.once('end', () => void stop());
}

main().catch((error: unknown) => {
  const data = toErrorData(error);
  process.stderr.write(`troupe: ${data.code === 'UNKNOWN' ? '' : `${data.code}: `}${data.message}\n`);
  process.exitCode = 1;
});
