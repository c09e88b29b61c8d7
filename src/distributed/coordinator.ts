/**
 * The distributed coordinator: the orchestrator process that runs the
 * workflow actor and dispatches each task as a BullMQ job on Redis, then
 * waits for a worker's answer. BullMQ and ioredis are loaded on first use,
 * so single-process users never load them.
 *
 * Cancellation reaches workers two ways: a message on the cancel channel for
 * workers running the task now, and a key per cancelled run that a worker
 * checks before it starts a job (workers that join late).
 */
import { nanoid } from 'nanoid';
import { DistributedUnavailableError, fromErrorData, ShutDownError } from '../protocols/errors/errors.js';
import type { EventHub } from '../protocols/events.js';
import type { AgentTemplate } from '../protocols/agent.js';
import type { TaskResult } from '../protocols/task.js';
import type { TaskRunRequest } from '../runs/task-runner.js';
import { decodeTaskAnswer, encodeTaskJob, taskJobId } from './task-job.js';
import { redisKeys } from './keys.js';
import { RedisJournalStorage } from './redis-journal-storage.js';
import { decodeWorkerEvent, emitWorkerEvent } from './worker-events.js';
import type { BudgetLedger } from '../model/budget.js';
import { CoordinatorBudget } from './coordinator-budget.js';
import { RedisBudgetStore } from './redis-budget-store.js';

/** The `distributed` setting. */
export interface DistributedSetting {
  /** `redis://host:port` of the Redis every process shares. */
  readonly redis: string;
  /** BullMQ queue name, also the namespace of troupe's keys (default `troupe`). */
  readonly queue: string;
  /** Lifetime of the coordinator's lease on a run without renewal, in ms (default 10,000). */
  readonly leaseTtlMs: number;
}

/** Channel and key names a coordinator and its workers share. */
export function distributedNames(queue: string) {
  return {
    cancelChannel: `troupe:${queue}:cancel`,
    eventsChannel: `troupe:${queue}:events`,
    cancelledKey: (workflowId: string) => `troupe:${queue}:cancelled:${workflowId}`,
  };
}

type BullModule = typeof import('bullmq');
type Connection = import('ioredis').Redis;

interface Wiring {
  readonly bull: BullModule;
  readonly queue: import('bullmq').Queue;
  readonly queueEvents: import('bullmq').QueueEvents;
  readonly publisher: Connection;
  readonly subscriber: Connection;
  /** The shared budget books every worker reserves in (read only here). */
  readonly books: RedisBudgetStore;
  /** Every client this coordinator opened (BullMQ does not close connections it was given). */
  readonly connections: readonly Connection[];
}

/**
 * A client whose connection errors are not thrown as unhandled events:
 * ioredis reconnects by itself, and the call that needed Redis fails with the error.
 */
export function quiet<T extends { on(event: 'error', listener: (error: unknown) => void): unknown }>(client: T): T {
  client.on('error', () => undefined);
  return client;
}

/** Loads bullmq and ioredis, or explains what is missing. */
export async function loadDistributed(): Promise<{ bull: BullModule; Redis: typeof import('ioredis').Redis }> {
  try {
    const [bull, ioredis] = await Promise.all([import('bullmq'), import('ioredis')]);
    return { bull, Redis: ioredis.Redis };
  } catch (error) {
    throw new DistributedUnavailableError('the distributed mode needs the bullmq and ioredis packages (npm install bullmq ioredis)', error);
  }
}

export class Coordinator {
  readonly setting: DistributedSetting;
  readonly #templates: ReadonlyMap<string, AgentTemplate>;
  readonly #events: EventHub;
  readonly #ledger: BudgetLedger;
  #wiring: Promise<Wiring> | undefined;
  #closed = false;
  /** This coordinator's ledger plus the workers' books in Redis. */
  readonly budget: CoordinatorBudget;

  constructor(setting: DistributedSetting, templates: ReadonlyMap<string, AgentTemplate>, events: EventHub, ledger: BudgetLedger) {
    this.setting = setting;
    this.#templates = templates;
    this.#events = events;
    this.#ledger = ledger;
    this.budget = new CoordinatorBudget(ledger, async () => (await this.#wire()).books.books());
  }

  #wire(): Promise<Wiring> {
    // Closed: open nothing more (a late budget refresh or dispatch must not reconnect).
    if (this.#closed) return Promise.reject(new ShutDownError());
    this.#wiring ??= (async () => {
      const { bull, Redis } = await loadDistributed();
      const connection = { url: this.setting.redis };
      const queueConnection = quiet(new Redis(this.setting.redis, { maxRetriesPerRequest: null }));
      const eventsConnection = quiet(new Redis(connection.url, { maxRetriesPerRequest: null }));
      const queue = new bull.Queue(this.setting.queue, { connection: queueConnection });
      const queueEvents = new bull.QueueEvents(this.setting.queue, { connection: eventsConnection });
      await queueEvents.waitUntilReady();
      const publisher = quiet(new Redis(this.setting.redis, { maxRetriesPerRequest: null }));
      const subscriber = quiet(new Redis(this.setting.redis, { maxRetriesPerRequest: null }));
      const names = distributedNames(this.setting.queue);
      await subscriber.subscribe(names.eventsChannel);
      subscriber.on('message', (_channel: string, message: string) => this.#onWorkerEvent(message));
      const books = new RedisBudgetStore(publisher, redisKeys(this.setting.queue), { limits: this.#ledger.snapshot().limits });
      return { bull, queue, queueEvents, publisher, subscriber, books, connections: [queueConnection, eventsConnection, publisher, subscriber] };
    })();
    return this.#wiring;
  }

  /** Re-emits what workers report: which worker runs which task, and their model-call and budget events. */
  #onWorkerEvent(message: string): void {
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch {
      return;
    }
    const forwarded = decodeWorkerEvent(value);
    if (forwarded) {
      emitWorkerEvent(this.#events, forwarded);
      // A call settled (or was refused) on a worker: the budget view reads the books again.
      this.budget.refreshQuietly();
      return;
    }
    const get = (key: string): unknown => (typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined);
    const [workerId, workflowId, agentId, status] = [get('workerId'), get('workflowId'), get('agentId'), get('status')];
    if (typeof workerId !== 'string' || typeof workflowId !== 'string' || typeof agentId !== 'string') return;
    if (status !== 'started' && status !== 'finished') return;
    const costCents = get('costCents');
    this.#events.emit('worker.task', {
      workerId,
      workflowId,
      agentId,
      status,
      ...(typeof costCents === 'number' ? { costCents } : {}),
    });
  }

  /**
   * Runs a task on a worker: adds it as a job (the same id for the same task
   * of the same run) and waits for its answer.
   * @throws the worker's typed error (ToolNotOnWorkerError, say), or CancelledError once the signal aborts.
   */
  async dispatch(request: TaskRunRequest): Promise<TaskResult> {
    const wiring = await this.#wire();
    const templates: Record<string, AgentTemplate> = {};
    for (const [name, template] of this.#templates) templates[name] = template;
    const jobId = taskJobId(request.workflowId, request.spec.agentId);
    const names = distributedNames(this.setting.queue);
    const onAbort = () => {
      void wiring.publisher.set(names.cancelledKey(request.workflowId), '1', 'EX', 86_400).catch(() => undefined);
      void wiring.publisher.publish(names.cancelChannel, request.workflowId).catch(() => undefined);
    };
    if (request.signal?.aborted) onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const data = encodeTaskJob({
        workflowId: request.workflowId,
        spec: request.spec,
        dependencyOutputs: request.dependencyOutputs ?? {},
        templates,
      });
      const existing = await wiring.queue.getJob(jobId);
      // A job left from an earlier attempt of this run (a resumed coordinator): reuse its answer, or wait for it.
      const job = existing ?? (await wiring.queue.add('task', { task: data }, { jobId, removeOnComplete: { age: 3600 }, removeOnFail: { age: 3600 }, attempts: 3 }));
      const answer = decodeTaskAnswer(await job.waitUntilFinished(wiring.queueEvents));
      this.budget.refreshQuietly();
      if (!answer.ok) throw fromErrorData(answer.error);
      return answer.result;
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes the queue and connections (jobs in Redis stay for workers or a successor). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#wiring) return;
    const wiring = await this.#wiring.catch(() => undefined);
    if (!wiring) return;
    await Promise.allSettled([wiring.queueEvents.close(), wiring.queue.close()]);
    for (const client of wiring.connections) client.disconnect();
  }
}

/**
 * The coordinator's journal in Redis (the default in distributed mode): each
 * run's lines appended under this process's lease, so a new coordinator
 * resumes the run from Redis once the dead one's lease has expired.
 */
export function distributedJournal(url: string, queue: string, leaseTtlMs: number): { storage: RedisJournalStorage; close: () => Promise<void> } {
  // Connected on the journal's first use: a coordinator whose config is refused, or that never journals, opens no connection.
  const connect = () => loadDistributed().then(({ Redis }) => quiet(new Redis(url, { maxRetriesPerRequest: null })));
  const storage = new RedisJournalStorage(connect, redisKeys(queue), { owner: processId('coordinator'), leaseTtlMs });
  return {
    storage,
    close: async () => {
      const client = storage.opened();
      if (!client) return;
      await storage.closeAll();
      const redis = await client.catch(() => undefined);
      redis?.disconnect();
    },
  };
}

/** A fresh id for a worker or coordinator process. */
export function processId(kind: 'worker' | 'coordinator'): string {
  return `${kind}-${process.pid}-${nanoid(6)}`;
}

/** Whether a config (not yet validated) asks for distributed mode. */
export function hasDistributed(config: unknown): boolean {
  return typeof config === 'object' && config !== null && Reflect.get(config, 'distributed') !== undefined;
}

/**
 * The coordinator's journal: in Redis, when the config is distributed and
 * names no other journal storage (nor turns journaling off); else undefined.
 * A config that is not an object is left to config validation.
 */
export function coordinatorJournal(config: unknown): ReturnType<typeof distributedJournal> | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const distributed: unknown = Reflect.get(config, 'distributed');
  const journal: unknown = Reflect.get(config, 'journal');
  if (typeof distributed !== 'object' || distributed === null || (journal !== undefined && journal !== true)) return undefined;
  const redis: unknown = Reflect.get(distributed, 'redis');
  if (typeof redis !== 'string') return undefined;
  const queue: unknown = Reflect.get(distributed, 'queue');
  const leaseTtlMs: unknown = Reflect.get(distributed, 'leaseTtlMs');
  return distributedJournal(redis, typeof queue === 'string' ? queue : 'troupe', typeof leaseTtlMs === 'number' ? leaseTtlMs : 10_000);
}
