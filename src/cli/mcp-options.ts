/**
 * The `troupe` command line: `troupe mcp --config ./troupe.config.ts
 * [--port 8931] [--host 127.0.0.1]`, and loading the config module, whose
 * default export is an OrchestratorConfig, an Orchestrator, or a function
 * (async or not) returning an Orchestrator.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../protocols/errors/errors.js';
import { orchestratorConfigSchema } from '../orchestrator/config.js';
import type { OrchestratorConfig } from '../orchestrator/config.js';
import { Orchestrator } from '../orchestrator/orchestrator.js';
import type { ServeMcpOptions } from '../mcp-server/serve-mcp.js';

export const USAGE = `Usage: troupe mcp --config <file> [--port <n>] [--host <address>]

Serves a troupe orchestrator to MCP clients: over stdio, or over HTTP at
http://<host>:<port>/mcp with --port (host 127.0.0.1 unless --host).
The config module's default export is an OrchestratorConfig, an
Orchestrator, or a function returning one. A .ts config needs tsx installed
(or a Node that runs TypeScript).`;

export interface CliOptions {
  readonly command: 'mcp';
  readonly configPath: string;
  readonly transport: ServeMcpOptions['transport'];
}

/** Reads the arguments after the program name. @throws ConfigError naming what is wrong. */
export function parseCliArgs(args: readonly string[]): CliOptions {
  const [command, ...rest] = args;
  if (command !== 'mcp') throw new ConfigError('command', `unknown command "${command ?? ''}" (expected "mcp")`);
  let configPath: string | undefined;
  let port: number | undefined;
  let host: string | undefined;
  for (let index = 0; index < rest.length; index++) {
    const flag = rest[index];
    const value = rest[index + 1];
    if (flag !== '--config' && flag !== '--port' && flag !== '--host') throw new ConfigError('arguments', `unknown option "${flag ?? ''}"`);
    if (value === undefined || value.startsWith('--')) throw new ConfigError(flag, 'needs a value');
    index++;
    if (flag === '--config') configPath = value;
    else if (flag === '--host') host = value;
    else {
      port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError('--port', 'must be an integer from 0 to 65535');
    }
  }
  if (configPath === undefined) throw new ConfigError('--config', 'is required');
  if (host !== undefined && port === undefined) throw new ConfigError('--host', 'needs --port (HTTP)');
  const transport: ServeMcpOptions['transport'] = port === undefined ? 'stdio' : { port, ...(host === undefined ? {} : { host }) };
  return { command: 'mcp', configPath, transport };
}

export function isOrchestratorConfig(value: unknown): value is OrchestratorConfig {
  return orchestratorConfigSchema.safeParse(value).success;
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
}

/** Imports the module; a .ts file Node cannot load is retried through tsx when it is installed. */
export async function importModule(url: string): Promise<unknown> {
  try {
    return await import(url);
  } catch (error) {
    if (errorCode(error) !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const tsx = await import('tsx/esm/api').catch(() => undefined);
    if (!tsx) throw new ConfigError('--config', 'is a TypeScript file: install tsx, or write the config as .js/.mjs');
    tsx.register();
    // A new URL: Node remembers the failed load of the first one.
    return import(`${url}?tsx`);
  }
}

/**
 * The orchestrator a config module describes.
 * @throws ConfigError when the module's default export is none of the accepted shapes.
 */
export async function loadOrchestrator(configPath: string): Promise<Orchestrator> {
  const loaded = await importModule(pathToFileURL(resolve(configPath)).href);
  const exported: unknown = typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, 'default') : undefined;
  if (exported instanceof Orchestrator) return exported;
  if (typeof exported === 'function') {
    const made: unknown = await Reflect.apply(exported, undefined, []);
    if (made instanceof Orchestrator) return made;
    throw new ConfigError('--config', 'the default export is a function that did not return an Orchestrator');
  }
  if (exported === undefined) throw new ConfigError('--config', 'the module has no default export');
  // new Orchestrator names the first bad field; the guard only decides that this is the config shape.
  if (isOrchestratorConfig(exported)) return new Orchestrator(exported);
  const parsed = orchestratorConfigSchema.safeParse(exported);
  throw new ConfigError('--config', `the default export is not an OrchestratorConfig: ${parsed.error?.issues[0]?.message ?? 'invalid'}`);
}
