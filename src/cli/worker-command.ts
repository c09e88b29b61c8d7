/**
 * `troupe worker --redis URL --config ./troupe.config.ts [--concurrency n]`:
 * runs a distributed worker until SIGINT/SIGTERM. The config module's
 * default export is the OrchestratorConfig the coordinator uses (or a
 * function returning it); an optional `setupWorker(worker)` export registers
 * the worker's tools.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { ConfigError } from '../protocols/errors/errors.js';
import type { OrchestratorConfig } from '../orchestrator/config.js';
import { createWorker } from '../orchestrator/worker.js';
import type { TroupeWorker } from '../orchestrator/worker.js';
import { importModule, isOrchestratorConfig } from './mcp-options.js';

export const WORKER_USAGE = `Usage: troupe worker --redis <redis://host:port> --config <file> [--concurrency <n>]

Runs workflow tasks dispatched by a coordinator (new Orchestrator({ distributed }))
until SIGINT or SIGTERM. The config module's default export is the
OrchestratorConfig (or a function returning it); an optional
setupWorker(worker) export registers tools on the worker.`;

export interface WorkerCliOptions {
  readonly redis: string;
  readonly configPath: string;
  readonly concurrency: number;
}

/** Reads the arguments after `worker`. @throws ConfigError naming what is wrong. */
export function parseWorkerArgs(args: readonly string[]): WorkerCliOptions {
  let redis: string | undefined;
  let configPath: string | undefined;
  let concurrency = 1;
  for (let index = 0; index < args.length; index += 2) {
    const flag = args[index];
    const value = args[index + 1];
    if (flag !== '--redis' && flag !== '--config' && flag !== '--concurrency') throw new ConfigError('arguments', `unknown option "${flag ?? ''}"`);
    if (value === undefined || value.startsWith('--')) throw new ConfigError(flag, 'needs a value');
    if (flag === '--redis') redis = value;
    else if (flag === '--config') configPath = value;
    else {
      concurrency = Number(value);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError('--concurrency', 'must be a whole number ≥ 1');
    }
  }
  if (redis === undefined || !/^rediss?:\/\//.test(redis)) throw new ConfigError('--redis', 'is required: a redis:// URL');
  if (configPath === undefined) throw new ConfigError('--config', 'is required');
  return { redis, configPath, concurrency };
}

/** Loads the config module and starts the worker. */
export async function startWorkerFromCli(options: WorkerCliOptions): Promise<TroupeWorker> {
  const loaded = await importModule(pathToFileURL(resolve(options.configPath)).href);
  const get = (key: string): unknown => (typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, key) : undefined);
  let exported = get('default');
  if (typeof exported === 'function') exported = await Reflect.apply(exported, undefined, []);
  const config: OrchestratorConfig = exported === undefined ? {} : isOrchestratorConfig(exported) ? exported : {};
  if (exported !== undefined && !isOrchestratorConfig(exported)) throw new ConfigError('--config', 'the default export is not an OrchestratorConfig');
  const worker = await createWorker({ redis: options.redis, config, concurrency: options.concurrency });
  const setup = get('setupWorker');
  if (typeof setup === 'function') await Reflect.apply(setup, undefined, [worker]);
  return worker;
}
