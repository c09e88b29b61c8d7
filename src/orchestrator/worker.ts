/**
 * A distributed worker: a process that takes workflow tasks from the
 * coordinator's BullMQ queue and runs them with the same OrchestratorConfig.
 * Templates arrive with each task; tools and custom providers are code and
 * must be registered on every worker (a task that needs a tool this worker
 * lacks fails with ToolNotOnWorkerError). Workers report which task they run
 * on the events channel (the coordinator re-emits it as `worker.task`), and
 * forward their model-call and budget events there (distributed/worker-events.ts), and
 * stop a task when its run is cancelled, including runs cancelled before
 * this worker joined. Every model call with a call key goes through the call
 * memo (src/distributed/call-memo.ts): a task that runs again after its
 * worker died is served the responses already recorded.
 */
import { toErrorData, CancelledError, ToolNotOnWorkerError } from '../protocols/errors/errors.js';
import type { AgentTemplate } from '../protocols/agent.js';
import { isZodTool } from '../agents/tools.js';
import type { AgentTool, JsonSchemaTool, ZodTool } from '../agents/tools.js';
import type { OrchestratorConfig } from './config.js';
import { distributedNames, loadDistributed, processId, quiet } from '../distributed/coordinator.js';
import { Orchestrator } from './orchestrator.js';
import { decodeTaskJob, encodeTaskAnswer } from '../distributed/task-job.js';
import { callMemoInterceptor } from '../distributed/call-memo.js';
import { redisKeys } from '../distributed/keys.js';
import { RedisBudgetStore } from '../distributed/redis-budget-store.js';
import type { TaskJobAnswer, TaskJobData } from '../distributed/task-job.js';
import { forwardWorkerEvents } from '../distributed/worker-events.js';
import { RedisArtifactStorage } from '../distributed/redis-artifact-storage.js';
import { wantsRedisArtifacts } from '../distributed/shared-artifacts.js';

export interface CreateWorkerOptions {
  /** `redis://host:port`, the coordinator's. */
  readonly redis: string;
  /** The same OrchestratorConfig the coordinator uses (its `distributed` field is ignored here). */
  readonly config?: OrchestratorConfig;
  /** Tasks this worker runs at once (default 1). */
  readonly concurrency?: number;
  /** Queue name (default: `config.distributed.queue`, else `troupe`). */
  readonly queue?: string;
  /**
   * How long a job's lock lives without renewal, in ms (default 30,000): a
   * worker that dies holds its job that long before another worker takes it.
   */
  readonly lockDurationMs?: number;
}

/** A running worker. */
export interface TroupeWorker {
  readonly id: string;
  /** Registers a tool (code: every worker registers its own). */
  registerTool<TInput>(tool: ZodTool<TInput> | JsonSchemaTool | AgentTool<TInput>): this;
  /** Registers a template here too (templates registered on the coordinator arrive with each task anyway). */
  registerTemplate(name: string, template: AgentTemplate): this;
  /** Stops taking jobs, lets the running ones finish, and closes its connections. */
  close(): Promise<void>;
}

/** An orchestrator that runs single tasks of runs coordinated elsewhere. */
class WorkerOrchestrator extends Orchestrator {
  run(data: TaskJobData, signal: AbortSignal) {
    return this.runTaskHere({ workflowId: data.workflowId, spec: data.spec, dependencyOutputs: data.dependencyOutputs, signal });
  }

  /** A tool the task's agent needs that this worker has not registered, if any. */
  missingTool(data: TaskJobData): string | undefined {
    const template = data.templates[data.spec.template ?? data.spec.agentId] ?? this.runtime.templates.get(data.spec.template ?? data.spec.agentId);
    return (template?.tools ?? []).find((name) => !this.runtime.tools.has(name));
  }

  adopt(templates: Readonly<Record<string, AgentTemplate>>): void {
    for (const [name, template] of Object.entries(templates)) {
      if (this.runtime.templates.get(name) !== template) this.registerTemplate(name, template);
    }
  }
}

/**
 * Starts a worker on the coordinator's queue.
 *
 * @example
 * ```ts
 * const worker = await createWorker({ redis: 'redis://127.0.0.1:6379', config, concurrency: 4 });
 * worker.registerTool(webSearch);
 * process.on('SIGTERM', () => void worker.close());
 * ```
 */
export async function createWorker(options: CreateWorkerOptions): Promise<TroupeWorker> {
  const { bull, Redis } = await loadDistributed();
  const { distributed, ...config } = options.config ?? {};
  const queue = options.queue ?? distributed?.queue ?? 'troupe';
  const names = distributedNames(queue);
  const id = processId('worker');
  // Connects on its first command: a config refused below leaves no connection behind.
  const publisher = quiet(new Redis(options.redis, { maxRetriesPerRequest: null, lazyConnect: true }));
  // Journaled calls are made once across workers: served from the memo, claimed, recorded under the claim's token.
  const memo = callMemoInterceptor(publisher, redisKeys(queue), { claimTtlMs: options.lockDurationMs ?? 30_000, holder: id });
  // Cost limits hold across workers: reservations live in Redis, shared by every worker of the queue.
  const limits = {
    ...(config.maxCostPerAgentCents === undefined ? {} : { maxCostPerAgentCents: config.maxCostPerAgentCents }),
    ...(config.totalCostLimitCents === undefined ? {} : { totalCostLimitCents: config.totalCostLimitCents }),
  };
  let budgetStore: RedisBudgetStore;
  let orchestrator: WorkerOrchestrator;
  try {
    budgetStore = new RedisBudgetStore(publisher, redisKeys(queue), { limits, ownerTtlMs: options.lockDurationMs ?? 30_000 });
    // Shared context on (no storage named): artifacts live in Redis, shared with the coordinator and every worker.
    const artifactStorage = wantsRedisArtifacts(config) ? new RedisArtifactStorage(publisher, redisKeys(queue)) : undefined;
    orchestrator = new WorkerOrchestrator(config, { interceptors: [memo], budgetStore, ...(artifactStorage ? { artifactStorage } : {}) });
  } catch (error) {
    publisher.disconnect();
    throw error;
  }
  const subscriber = quiet(new Redis(options.redis, { maxRetriesPerRequest: null }));
  /** Running tasks by run, so a cancel message reaches them. */
  const running = new Map<string, Set<AbortController>>();
  await subscriber.subscribe(names.cancelChannel);
  subscriber.on('message', (_channel: string, workflowId: string) => {
    for (const controller of running.get(workflowId) ?? []) controller.abort(new CancelledError('the workflow was cancelled'));
  });
  // The last publish on the events channel: a task's answer waits for it, so its events reach Redis before its result.
  let lastPublish: Promise<unknown> = Promise.resolve();
  const publish = (message: string): void => {
    lastPublish = publisher.publish(names.eventsChannel, message).catch(() => undefined);
  };
  // Model-call and budget events reach the coordinator's hub (metrics, dashboard), tagged with this worker's id.
  const stopForwarding = forwardWorkerEvents(orchestrator.events, id, publish);
  const report = (data: TaskJobData, status: 'started' | 'finished', costCents?: number): void => {
    publish(JSON.stringify({ workerId: id, workflowId: data.workflowId, agentId: data.spec.agentId, status, costCents }));
  };

  const answer = async (text: unknown): Promise<TaskJobAnswer> => {
    if (typeof text !== 'string') return { ok: false, workerId: id, error: toErrorData(new Error('not a troupe task job')) };
    const data = decodeTaskJob(text);
    if ((await publisher.exists(names.cancelledKey(data.workflowId))) === 1) {
      return { ok: false, workerId: id, error: toErrorData(new CancelledError('the workflow was cancelled')) };
    }
    const missing = orchestrator.missingTool(data);
    if (missing !== undefined) return { ok: false, workerId: id, error: toErrorData(new ToolNotOnWorkerError(data.spec.agentId, missing, id)) };
    orchestrator.adopt(data.templates);
    const controller = new AbortController();
    const set = running.get(data.workflowId) ?? new Set<AbortController>();
    set.add(controller);
    running.set(data.workflowId, set);
    report(data, 'started');
    try {
      const result = await orchestrator.run(data, controller.signal);
      report(data, 'finished', result.costCents);
      // One connection keeps commands in order: once the last publish is acknowledged, every earlier one is too.
      await lastPublish;
      return { ok: true, workerId: id, result };
    } finally {
      set.delete(controller);
      if (set.size === 0) running.delete(data.workflowId);
    }
  };

  const workerConnection = quiet(new Redis(options.redis, { maxRetriesPerRequest: null }));
  const worker = new bull.Worker(
    queue,
    async (job) => {
      const data: unknown = job.data;
      const text = typeof data === 'object' && data !== null ? Reflect.get(data, 'task') : undefined;
      try {
        return encodeTaskAnswer(await answer(text));
      } catch (error) {
        return encodeTaskAnswer({ ok: false, workerId: id, error: toErrorData(error) });
      }
    },
    {
      connection: workerConnection,
      concurrency: options.concurrency ?? 1,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: Math.max(500, Math.floor((options.lockDurationMs ?? 30_000) / 2)),
    },
  );
  // BullMQ reports a lost lock or a dropped connection here; the job itself moves on (another worker takes it).
  worker.on('error', (error: Error) => orchestrator.logger.warn('worker queue error', { workerId: id, errorMessage: error.message }));
  try {
    await worker.waitUntilReady();
  } catch (error) {
    // Redis refused the worker (a bad URL's auth, say): close everything opened so far.
    await Promise.allSettled([worker.close(true), orchestrator.shutdown()]);
    stopForwarding();
    budgetStore.stop();
    for (const client of [publisher, subscriber, workerConnection]) client.disconnect();
    throw error;
  }

  const handle: TroupeWorker = {
    id,
    registerTool(tool) {
      if (isZodTool(tool)) orchestrator.registerTool(tool);
      else orchestrator.registerTool(tool);
      return handle;
    },
    registerTemplate(name, template) {
      orchestrator.registerTemplate(name, template);
      return handle;
    },
    async close() {
      await worker.close();
      stopForwarding();
      await orchestrator.shutdown();
      budgetStore.stop();
      publisher.disconnect();
      subscriber.disconnect();
      workerConnection.disconnect();
    },
  };
  return handle;
}
