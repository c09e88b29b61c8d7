/**
 * The context actor: owns every shared artifact. Requests queue in its context
 * and run one batch at a time in a `fromPromise` worker that handles them one
 * after another, so a read-check-write (permissions, expectedVersion, version
 * limits) can never interleave with another writer. Each request is answered
 * with a `context.reply` correlated by `requestId`: emitted (for the host's
 * `actor.on`) and, when the request names one, sent to `replyTo`.
 *
 * opening → ready (idle ⇄ working) → closed; a storage that fails to open → failed.
 */
import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import type { AnyActorRef } from 'xstate';
import type {
  Artifact,
  ArtifactLineage,
  ArtifactPermissionPolicy,
  ArtifactSummary,
  ArtifactVersionInfo,
  ContextDeleteRequest,
  ContextGetRequest,
  ContextListRequest,
  ContextListVersionsRequest,
  ContextOutcome,
  ContextReplyEvent,
  ContextRequest,
  ContextStoreRequest,
  DeletedArtifactReceipt,
  StoredArtifactReceipt,
} from '../protocols/artifact.js';
import { StoreClosedError } from '../protocols/artifact.js';
import {
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  PermissionDeniedError,
  toErrorData,
  VersionConflictError,
} from '../protocols/errors/errors.js';
import type { ArtifactOperation, ErrorData } from '../protocols/errors/errors.js';
import { copyValue, decodeArtifactVersion, decodeMetadata, tagsOf } from '../storage/artifact-codec.js';
import { assertArtifactId } from '../storage/artifact-id.js';
import type { ArtifactRecord, ArtifactStorage } from '../storage/artifact-storage.js';

/** The policy the context actor enforces; resolved from the store's options. */
export interface ContextLimits {
  /** Keep old versions (up to `maxVersionsPerArtifact`); when false only the latest is kept. */
  readonly enableVersioning: boolean;
  readonly maxVersionsPerArtifact: number;
  /** Largest accepted version body (serialised content and metadata), in bytes. */
  readonly maxArtifactBytes: number;
  /** Artifacts neither written nor read for this long are removed; undefined: never. */
  readonly ttlMs: number | undefined;
}

/** What the context machine is bound to when created. */
export interface ContextServices {
  readonly storage: ArtifactStorage;
  readonly permissions: ArtifactPermissionPolicy;
  readonly limits: ContextLimits;
  /** Epoch milliseconds; injectable for tests. */
  now(): number;
}

export interface ContextActorContext {
  /**
   * Requests waiting for the worker, in chunks of at most {@link QUEUE_CHUNK}:
   * appending copies one chunk and the list of chunks, never the whole queue,
   * so a burst of N requests costs O(N·(N/QUEUE_CHUNK + QUEUE_CHUNK)), not O(N²).
   */
  readonly queue: readonly (readonly ContextRequest[])[];
  /** Requests the worker is handling now, in order. */
  readonly batch: readonly ContextRequest[];
  /** Why requests are refused (storage failed to open, or the actor is closed). */
  readonly refusal: ErrorData | null;
  /** Requests answered so far. */
  readonly answered: number;
}

/** Requests per queue chunk. */
export const QUEUE_CHUNK = 256;

function appendRequest(
  queue: readonly (readonly ContextRequest[])[],
  request: ContextRequest,
): readonly (readonly ContextRequest[])[] {
  const last = queue.at(-1);
  if (!last || last.length >= QUEUE_CHUNK) return [...queue, [request]];
  return [...queue.slice(0, -1), [...last, request]];
}

interface BatchOutput {
  /** One outcome per request of the batch, in order. */
  readonly outcomes: readonly ContextOutcome[];
  readonly closed: boolean;
  /** Why the worker itself failed: the answer to requests it has no outcome for. */
  readonly failure?: ErrorData;
}

function requirePermission(services: ContextServices, agentId: string, operation: ArtifactOperation, artifactId: string): void {
  if (!services.permissions.allows(agentId, operation)) throw new PermissionDeniedError(agentId, operation, artifactId);
}

function isExpired(services: ContextServices, record: ArtifactRecord, now: number): boolean {
  const { ttlMs } = services.limits;
  return ttlMs !== undefined && now - record.lastAccessedAt >= ttlMs;
}

/** The artifact's record, after removing it if it has expired (the TTL check on access). */
async function liveRecord(services: ContextServices, artifactId: string, now: number): Promise<ArtifactRecord | undefined> {
  const record = await services.storage.get(artifactId);
  if (!record || !isExpired(services, record, now)) return record;
  await services.storage.remove(artifactId);
  return undefined;
}

/** The modification that wrote `version` (versions are 1-based and gapless). */
function modificationOf(record: ArtifactRecord, version: number) {
  const modification = record.modifications[version - 1];
  if (!modification) throw new ArtifactNotFoundError(record.artifactId, version);
  return modification;
}

function lineageOf(record: ArtifactRecord): ArtifactLineage {
  const creation = modificationOf(record, 1);
  return { createdBy: creation.agentId, createdAt: new Date(creation.timestamp), modifications: copyValue([...record.modifications]) };
}

async function storeArtifact(services: ContextServices, request: ContextStoreRequest): Promise<StoredArtifactReceipt> {
  const { artifactId, agentId, expectedVersion } = request;
  assertArtifactId(artifactId);
  requirePermission(services, agentId, 'write', artifactId);
  const now = services.now();
  const current = await liveRecord(services, artifactId, now);
  const currentVersion = current?.version ?? 0;
  if (expectedVersion !== undefined && expectedVersion !== currentVersion) {
    throw new VersionConflictError(artifactId, expectedVersion, currentVersion);
  }
  const sizeBytes = Buffer.byteLength(request.body, 'utf8');
  if (sizeBytes > services.limits.maxArtifactBytes) {
    throw new ArtifactTooLargeError(artifactId, sizeBytes, services.limits.maxArtifactBytes);
  }
  const { enableVersioning, maxVersionsPerArtifact } = services.limits;
  const keep = enableVersioning ? maxVersionsPerArtifact : 1;
  const kept = current?.keptVersions ?? [];
  // The new version takes one of the `keep` places: drop the oldest beyond the rest.
  const pruneVersions = kept.slice(0, Math.max(0, kept.length - (keep - 1)));
  const version = currentVersion + 1;
  const timestamp = new Date(now);
  const createdAt = current ? new Date(modificationOf(current, 1).timestamp) : new Date(now);
  const modification = { agentId, version, timestamp, metadata: decodeMetadata(request.metadata), sizeBytes };
  await services.storage.commit({ artifactId, modification, body: request.body, pruneVersions });
  return { artifactId, version, createdAt, updatedAt: new Date(now), sizeBytes, prunedVersions: pruneVersions };
}

async function getArtifact(services: ContextServices, request: ContextGetRequest): Promise<Artifact> {
  const { artifactId, agentId } = request;
  assertArtifactId(artifactId);
  requirePermission(services, agentId, 'read', artifactId);
  const now = services.now();
  const record = await liveRecord(services, artifactId, now);
  if (!record) throw new ArtifactNotFoundError(artifactId);
  const version = request.version ?? record.version;
  const body = record.keptVersions.includes(version) ? await services.storage.readBody(artifactId, version) : undefined;
  if (body === undefined) throw new ArtifactNotFoundError(artifactId, version);
  const { content, metadata } = decodeArtifactVersion(body);
  services.storage.touch(artifactId, now);
  return {
    artifactId,
    version,
    content,
    metadata,
    createdAt: new Date(modificationOf(record, 1).timestamp),
    updatedAt: new Date(modificationOf(record, version).timestamp),
    ...(request.includeLineage ? { lineage: lineageOf(record) } : {}),
  };
}

async function listArtifacts(services: ContextServices, request: ContextListRequest): Promise<ArtifactSummary[]> {
  requirePermission(services, request.agentId, 'read', '*');
  const now = services.now();
  const wanted = request.tags ?? [];
  const expired: string[] = [];
  const summaries: ArtifactSummary[] = [];
  for (const record of await services.storage.list()) {
    if (isExpired(services, record, now)) {
      expired.push(record.artifactId);
      continue;
    }
    const latest = modificationOf(record, record.version);
    const tags = tagsOf(latest.metadata);
    if (!wanted.every((tag) => tags.includes(tag))) continue;
    const creation = modificationOf(record, 1);
    summaries.push({
      artifactId: record.artifactId,
      version: record.version,
      createdBy: creation.agentId,
      createdAt: new Date(creation.timestamp),
      updatedAt: new Date(latest.timestamp),
      metadata: copyValue(latest.metadata),
      tags,
    });
  }
  for (const artifactId of expired) await services.storage.remove(artifactId);
  return summaries.sort((a, b) => (a.artifactId < b.artifactId ? -1 : a.artifactId > b.artifactId ? 1 : 0));
}

async function listVersions(services: ContextServices, request: ContextListVersionsRequest): Promise<ArtifactVersionInfo[]> {
  const { artifactId, agentId } = request;
  assertArtifactId(artifactId);
  requirePermission(services, agentId, 'read', artifactId);
  const record = await liveRecord(services, artifactId, services.now());
  if (!record) throw new ArtifactNotFoundError(artifactId);
  return record.keptVersions.map((version) => {
    const modification = modificationOf(record, version);
    return {
      version,
      agentId: modification.agentId,
      timestamp: new Date(modification.timestamp),
      metadata: copyValue(modification.metadata),
      sizeBytes: modification.sizeBytes,
    };
  });
}

async function deleteArtifact(services: ContextServices, request: ContextDeleteRequest): Promise<DeletedArtifactReceipt> {
  const { artifactId, agentId } = request;
  assertArtifactId(artifactId);
  requirePermission(services, agentId, 'delete', artifactId);
  const record = await liveRecord(services, artifactId, services.now());
  if (!record) throw new ArtifactNotFoundError(artifactId);
  const { version } = record;
  await services.storage.remove(artifactId);
  return { artifactId, version };
}

/** Removes every expired artifact and persists access times; returns the removed ids. */
async function sweepExpired(services: ContextServices): Promise<string[]> {
  const now = services.now();
  const expired: string[] = [];
  for (const record of await services.storage.list()) {
    if (isExpired(services, record, now)) expired.push(record.artifactId);
  }
  for (const artifactId of expired) await services.storage.remove(artifactId);
  await services.storage.flush();
  return expired.sort();
}

/** Handles one request; never throws: a failure becomes the outcome. */
async function handle(services: ContextServices, request: ContextRequest): Promise<ContextOutcome> {
  try {
    switch (request.type) {
      case 'context.store':
        return { ok: true, kind: 'store', value: await storeArtifact(services, request) };
      case 'context.get':
        return { ok: true, kind: 'get', value: await getArtifact(services, request) };
      case 'context.list':
        return { ok: true, kind: 'list', value: await listArtifacts(services, request) };
      case 'context.listVersions':
        return { ok: true, kind: 'listVersions', value: await listVersions(services, request) };
      case 'context.delete':
        return { ok: true, kind: 'delete', value: await deleteArtifact(services, request) };
      case 'context.sweep':
        return { ok: true, kind: 'sweep', value: await sweepExpired(services) };
      case 'context.close':
        await services.storage.close();
        return { ok: true, kind: 'close', value: null };
    }
  } catch (error) {
    return { ok: false, error: toErrorData(error) };
  }
}

async function runBatch(services: ContextServices, batch: readonly ContextRequest[]): Promise<BatchOutput> {
  const outcomes: ContextOutcome[] = [];
  let closed = false;
  for (const request of batch) {
    if (closed) {
      outcomes.push({ ok: false, error: toErrorData(new StoreClosedError()) });
      continue;
    }
    const outcome = await handle(services, request);
    outcomes.push(outcome);
    closed = request.type === 'context.close';
  }
  return { outcomes, closed };
}

const CLOSED: ErrorData = toErrorData(new StoreClosedError());

/** What `enqueueActions` hands an action: enough to emit and send. */
interface ReplyQueue {
  emit(event: ContextReplyEvent): void;
  sendTo(target: AnyActorRef, event: ContextReplyEvent): void;
}

/** Emits the reply to a request and, when it names one, sends it to `replyTo`. */
function reply(enqueue: ReplyQueue, request: ContextRequest, outcome: ContextOutcome): void {
  const event: ContextReplyEvent = { type: 'context.reply', requestId: request.requestId, outcome };
  enqueue.emit(event);
  if (request.replyTo) enqueue.sendTo(request.replyTo, event);
}

/**
 * Creates the context machine bound to its storage, permission policy, limits and clock.
 *
 * @example
 * ```ts
 * const machine = createContextMachine({ storage: new MemoryArtifactStorage(), permissions, limits, now: Date.now });
 * const context = createActor(machine).start();
 * context.on('context.reply', (reply) => console.log(reply.requestId, reply.outcome));
 * context.send({ type: 'context.get', requestId: 'r1', artifactId: 'report', agentId: 'reviewer' });
 * ```
 */
export function createContextMachine(services: ContextServices) {
  return setup({
    types: {
      context: {} as ContextActorContext,
      events: {} as ContextRequest,
      emitted: {} as ContextReplyEvent,
    },
    actors: {
      openStorage: fromPromise<void>(() => services.storage.open()),
      runBatch: fromPromise<BatchOutput, readonly ContextRequest[]>(({ input }) => runBatch(services, input)),
    },
    actions: {
      enqueue: assign({ queue: ({ context, event }) => appendRequest(context.queue, event) }),
      takeBatch: assign({ batch: ({ context }) => context.queue.flat(), queue: [] }),
      /** Answers the batch with the worker's outcomes. */
      answerBatch: enqueueActions(({ context, enqueue }, output: BatchOutput) => {
        context.batch.forEach((request, index) => {
          const outcome = output.outcomes[index] ?? { ok: false, error: output.failure ?? CLOSED };
          reply(enqueue, request, outcome);
        });
        enqueue.assign({ batch: [], answered: context.answered + context.batch.length });
      }),
      /** Answers the queued requests with the refusal (on entering `failed` or `closed`). */
      refuseQueued: enqueueActions(({ context, enqueue }) => {
        const queued = context.queue.flat();
        for (const request of queued) reply(enqueue, request, { ok: false, error: context.refusal ?? CLOSED });
        enqueue.assign({ queue: [], answered: context.answered + queued.length });
      }),
      /** Answers a request that arrives in `failed` or `closed` with the refusal. */
      refuseRequest: enqueueActions(({ context, event, enqueue }) => {
        reply(enqueue, event, { ok: false, error: context.refusal ?? CLOSED });
        enqueue.assign({ answered: context.answered + 1 });
      }),
    },
    guards: {
      hasQueued: ({ context }) => context.queue.length > 0,
    },
  }).createMachine({
    id: 'context',
    context: { queue: [], batch: [], refusal: null, answered: 0 },
    initial: 'opening',
    // Requests arriving while opening or working wait their turn.
    on: { 'context.*': { actions: 'enqueue' } },
    states: {
      opening: {
        invoke: {
          src: 'openStorage',
          onDone: 'ready',
          onError: { target: 'failed', actions: assign({ refusal: ({ event }) => toErrorData(event.error) }) },
        },
      },
      ready: {
        initial: 'idle',
        states: {
          idle: { always: { guard: 'hasQueued', target: 'working' } },
          working: {
            entry: 'takeBatch',
            invoke: {
              src: 'runBatch',
              input: ({ context }) => context.batch,
              onDone: [
                {
                  guard: ({ event }) => event.output.closed,
                  target: '#context.closed',
                  actions: { type: 'answerBatch', params: ({ event }) => event.output },
                },
                { target: 'idle', actions: { type: 'answerBatch', params: ({ event }) => event.output } },
              ],
              // runBatch turns every request's failure into its outcome, so only a bug in it lands here.
              onError: {
                target: 'idle',
                actions: {
                  type: 'answerBatch',
                  params: ({ event }) => ({ outcomes: [], closed: false, failure: toErrorData(event.error) }),
                },
              },
            },
          },
        },
      },
      failed: { entry: 'refuseQueued', on: { 'context.*': { actions: 'refuseRequest' } } },
      closed: {
        entry: [assign({ refusal: CLOSED }), 'refuseQueued'],
        on: { 'context.*': { actions: 'refuseRequest' } },
      },
    },
  });
}
