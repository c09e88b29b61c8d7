/**
 * SharedContextStore: the public face of the context actor. Each method sends
 * one request event and resolves with the actor's correlated reply; the actor
 * does the work, one request at a time. Content is encoded (superjson) when
 * the method is called, so later changes to the caller's object do not leak in.
 */
import { resolve } from 'node:path';
import { createActor } from 'xstate';
import type { Actor, InspectionEvent, Observer } from 'xstate';
import { z } from 'zod';
import { createContextMachine } from '../actors/context.js';
import type { ContextLimits } from '../actors/context.js';
import { artifactErrorFromData, StoreClosedError } from '../protocols/artifact.js';
import type {
  Artifact,
  ArtifactMetadata,
  ArtifactSummary,
  ArtifactVersionInfo,
  ContextOutcome,
  ContextReplyEvent,
  ContextRequest,
  DeletedArtifactReceipt,
  StoredArtifactReceipt,
} from '../protocols/artifact.js';
import type { ArtifactOperation } from '../protocols/errors/errors.js';
import { ConfigError } from '../protocols/errors/errors.js';
import { encodeArtifactWrite } from '../storage/artifact-codec.js';
import type { ArtifactStorage } from '../storage/artifact-storage.js';
import { FsArtifactStorage } from '../storage/fs-artifacts.js';
import { MemoryArtifactStorage } from '../storage/memory-artifacts.js';
import { createArtifactScrubber } from './artifact-secrets.js';
import type { ArtifactScrubber } from './artifact-secrets.js';
import { configErrorFrom } from '../util/config-errors.js';
import { notOneOf } from '../util/config-errors.js';
import { PermissionTable } from './permissions.js';
import type { AgentPermissions } from './permissions.js';

/** Options of `new SharedContextStore(...)`; every field is optional. See docs/context-store.md. */
export interface SharedContextStoreOptions {
  /** Directory of the fs storage (artifacts go in `<workspacePath>/artifacts/`). Default `.troupe`. */
  readonly workspacePath?: string;
  /** Keep up to `maxVersionsPerArtifact` versions; when false a write replaces. Default true. */
  readonly enableVersioning?: boolean;
  /** Versions kept per artifact, the oldest pruned first. Default 10. */
  readonly maxVersionsPerArtifact?: number;
  /** Remove artifacts neither written nor read for `ttlHours`. Default false. */
  readonly autoCleanup?: boolean;
  /** Default 24. */
  readonly ttlHours?: number;
  /** How often the cleanup timer sweeps, with autoCleanup. Default 60. */
  readonly cleanupIntervalSeconds?: number;
  /** Operations by agent id or `*` pattern; see `PermissionTable` for precedence. */
  readonly agentPermissions?: AgentPermissions;
  /** What agents matched by no entry may do. Default: nothing. */
  readonly defaultPermissions?: readonly ArtifactOperation[];
  /** Largest serialised version (content and metadata) accepted, in bytes. Default 10 MiB. */
  readonly maxArtifactBytes?: number;
  /** `fs` (default), `memory`, or any {@link ArtifactStorage}. */
  readonly storage?: 'fs' | 'memory' | ArtifactStorage;
  /** Epoch milliseconds; inject to control time in tests. Default `Date.now`. */
  readonly clock?: () => number;
  /** An XState inspection observer (e.g. the Stately inspector's). */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /**
   * Secret values (API keys) cut out of every write: content, metadata and id
   * (an id's secret becomes `REDACTED`, on reads too). `ANTHROPIC_API_KEY` and
   * `OPENAI_API_KEY` are always included. Values under 8 characters are ignored.
   */
  readonly secrets?: readonly (string | undefined)[];
}

export interface StoreArtifactOptions {
  readonly artifactId: string;
  /** Any superjson-serialisable value. */
  readonly content: unknown;
  readonly metadata?: ArtifactMetadata;
  readonly agentId: string;
  /** Write only if the artifact is at this version (0: only if it does not exist). */
  readonly expectedVersion?: number;
}

export interface GetArtifactOptions {
  readonly artifactId: string;
  readonly agentId: string;
  readonly includeLineage?: boolean;
  /** A kept version; default the latest. */
  readonly version?: number;
}

const optionsSchema = z.object({
  workspacePath: z.string().min(1).default('.troupe'),
  enableVersioning: z.boolean().default(true),
  maxVersionsPerArtifact: z.number().int().min(1).max(1_000_000).default(10),
  autoCleanup: z.boolean().default(false),
  ttlHours: z.number().positive().finite().default(24),
  cleanupIntervalSeconds: z.number().positive().max(2_147_483).default(60),
  maxArtifactBytes: z.number().int().positive().default(10 * 1024 * 1024),
});

type SuccessOutcome = Extract<ContextOutcome, { ok: true }>;
type ContextRequestBody = ContextRequest extends infer R ? (R extends ContextRequest ? Omit<R, 'requestId'> : never) : never;

interface PendingRequest {
  settle(outcome: ContextOutcome): void;
}

function storageFrom(option: SharedContextStoreOptions['storage'], workspacePath: string): ArtifactStorage {
  if (option === 'memory') return new MemoryArtifactStorage();
  if (option === undefined || option === 'fs') return new FsArtifactStorage({ workspacePath: resolve(workspacePath) });
  // A misspelt name must not pass for a storage object.
  if (typeof option !== 'object' || option === null) throw notOneOf('storage', option, ['fs', 'memory'], ['an ArtifactStorage']);
  return option;
}

/**
 * Versioned, permissioned artifacts shared between agents, on disk by default.
 *
 * @example
 * ```ts
 * const store = new SharedContextStore({
 *   workspacePath: '/tmp/agent_workspace',
 *   maxVersionsPerArtifact: 5,
 *   agentPermissions: { researcher: ['read', 'write'], reviewer: ['read'], supervisor: ['read', 'write', 'delete'] },
 * });
 * await store.storeArtifact({ artifactId: 'market_analysis', content: { data: 1 }, metadata: { tags: ['finance'] }, agentId: 'researcher' });
 * const artifact = await store.getArtifact({ artifactId: 'market_analysis', agentId: 'reviewer', includeLineage: true });
 * console.log(artifact.lineage?.createdBy); // 'researcher'
 * await store.close();
 * ```
 */
/** A typed error unless `options` is an object whose agentId (and artifactId, but for listArtifacts) are strings. */
function refusedOptions(options: unknown, method: string): ConfigError | undefined {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return new ConfigError(method, 'needs an options object ({ artifactId, agentId, ... })');
  }
  for (const field of ['agentId', 'artifactId'] as const) {
    const value: unknown = Reflect.get(options, field);
    if (field === 'artifactId' && method === 'listArtifacts') continue;
    if (typeof value !== 'string') return new ConfigError(`${method}.${field}`, 'must be a string');
  }
  return undefined;
}

export class SharedContextStore {
  /** The context actor, for inspection. */
  readonly actorRef: Actor<ReturnType<typeof createContextMachine>>;
  /** The storage in use (`kind` is `fs`, `memory` or a custom name). */
  readonly storage: ArtifactStorage;
  readonly #pending = new Map<string, PendingRequest>();
  readonly #scrubber: ArtifactScrubber;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  #nextRequest = 0;
  #closing: Promise<void> | undefined;

  /** @throws ConfigError naming the first bad option. */
  constructor(options: SharedContextStoreOptions = {}) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) throw configErrorFrom(parsed.error, '', options, optionsSchema);
    const resolved = parsed.data;
    const permissions = new PermissionTable(options);
    const limits: ContextLimits = {
      enableVersioning: resolved.enableVersioning,
      maxVersionsPerArtifact: resolved.maxVersionsPerArtifact,
      maxArtifactBytes: resolved.maxArtifactBytes,
      ttlMs: resolved.autoCleanup ? resolved.ttlHours * 3_600_000 : undefined,
    };
    this.#scrubber = createArtifactScrubber([...(options.secrets ?? []), process.env.ANTHROPIC_API_KEY, process.env.OPENAI_API_KEY]);
    this.storage = storageFrom(options.storage, resolved.workspacePath);
    const machine = createContextMachine({ storage: this.storage, permissions, limits, now: options.clock ?? Date.now });
    this.actorRef = createActor(machine, { systemId: 'context', ...(options.inspect ? { inspect: options.inspect } : {}) });
    this.actorRef.on('context.reply', (reply: ContextReplyEvent) => {
      const pending = this.#pending.get(reply.requestId);
      this.#pending.delete(reply.requestId);
      pending?.settle(reply.outcome);
    });
    this.actorRef.start();
    if (resolved.autoCleanup) {
      this.#timer = setInterval(() => {
        this.sweepExpired().catch(() => undefined);
      }, resolved.cleanupIntervalSeconds * 1000);
      // The sweep must not keep the process alive.
      this.#timer.unref();
    }
  }

  /** Writes a new version. @throws PermissionDeniedError, VersionConflictError, ArtifactTooLargeError, InvalidArtifactIdError */
  storeArtifact(options: StoreArtifactOptions): Promise<StoredArtifactReceipt> {
    const refused = refusedOptions(options, 'storeArtifact');
    if (refused) return Promise.reject(refused);
    const { agentId, expectedVersion } = options;
    const artifactId = this.#id(options.artifactId);
    let encoded: { body: string; metadata: string };
    try {
      encoded = this.#scrubber.write(encodeArtifactWrite(options.content, options.metadata ?? {}));
    } catch (error) {
      return Promise.reject(error);
    }
    const request: ContextRequestBody = {
      type: 'context.store',
      artifactId,
      agentId,
      ...encoded,
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
    };
    return this.#send(request, (outcome) => (outcome.kind === 'store' ? outcome.value : undefined), artifactId);
  }

  /** Reads a version (default the latest) as a copy. @throws PermissionDeniedError, ArtifactNotFoundError */
  getArtifact(options: GetArtifactOptions): Promise<Artifact> {
    const refused = refusedOptions(options, 'getArtifact');
    if (refused) return Promise.reject(refused);
    const { agentId, includeLineage, version } = options;
    const artifactId = this.#id(options.artifactId);
    const request: ContextRequestBody = {
      type: 'context.get',
      artifactId,
      agentId,
      ...(includeLineage === undefined ? {} : { includeLineage }),
      ...(version === undefined ? {} : { version }),
    };
    return this.#send(request, (outcome) => (outcome.kind === 'get' ? outcome.value : undefined), artifactId);
  }

  /** Artifacts (latest versions) tagged with every one of `tags`, by id. Needs read permission. */
  listArtifacts(options: { readonly agentId: string; readonly tags?: readonly string[] }): Promise<readonly ArtifactSummary[]> {
    const refused = refusedOptions(options, 'listArtifacts');
    if (refused) return Promise.reject(refused);
    const request: ContextRequestBody = {
      type: 'context.list',
      agentId: options.agentId,
      ...(options.tags === undefined ? {} : { tags: [...options.tags] }),
    };
    return this.#send(request, (outcome) => (outcome.kind === 'list' ? outcome.value : undefined), '*');
  }

  /** The kept versions of an artifact, oldest first. */
  listVersions(options: { readonly artifactId: string; readonly agentId: string }): Promise<readonly ArtifactVersionInfo[]> {
    const refused = refusedOptions(options, 'listVersions');
    if (refused) return Promise.reject(refused);
    const artifactId = this.#id(options.artifactId);
    const request: ContextRequestBody = { type: 'context.listVersions', agentId: options.agentId, artifactId };
    return this.#send(request, (outcome) => (outcome.kind === 'listVersions' ? outcome.value : undefined), artifactId);
  }

  /** Removes an artifact with all its versions and lineage. @throws PermissionDeniedError, ArtifactNotFoundError */
  deleteArtifact(options: { readonly artifactId: string; readonly agentId: string }): Promise<DeletedArtifactReceipt> {
    const refused = refusedOptions(options, 'deleteArtifact');
    if (refused) return Promise.reject(refused);
    const artifactId = this.#id(options.artifactId);
    const request: ContextRequestBody = { type: 'context.delete', agentId: options.agentId, artifactId };
    return this.#send(request, (outcome) => (outcome.kind === 'delete' ? outcome.value : undefined), artifactId);
  }

  /** Removes expired artifacts now (the timer does this with autoCleanup); returns their ids. */
  sweepExpired(): Promise<readonly string[]> {
    return this.#send({ type: 'context.sweep' }, (outcome) => (outcome.kind === 'sweep' ? outcome.value : undefined));
  }

  /** Finishes queued work, stops the timer and the actor. Idempotent; later calls reject with StoreClosedError. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    if (this.#timer) clearInterval(this.#timer);
    const closing = this.#send({ type: 'context.close' }, (outcome) => (outcome.kind === 'close' ? outcome.value : undefined));
    this.#closing = closing.then(
      () => {
        this.actorRef.stop();
      },
      (error: unknown) => {
        this.actorRef.stop();
        // A storage that never opened has nothing to close.
        if (this.actorRef.getSnapshot().matches('failed')) return;
        throw error;
      },
    );
    return this.#closing;
  }

  /** The id as stored: secrets replaced (a non-string is left for the actor to refuse). */
  #id(artifactId: string): string {
    return typeof artifactId === 'string' ? this.#scrubber.id(artifactId) : artifactId;
  }

  #send<T>(
    request: ContextRequestBody,
    pick: (outcome: SuccessOutcome) => T | undefined,
    artifactId = '',
  ): Promise<T> {
    if (this.#closing) return Promise.reject(new StoreClosedError());
    const requestId = `r${++this.#nextRequest}`;
    return new Promise<T>((resolvePromise, reject) => {
      this.#pending.set(requestId, {
        settle: (outcome) => {
          if (!outcome.ok) return reject(artifactErrorFromData(outcome.error, artifactId));
          const value = pick(outcome);
          if (value === undefined) return reject(new Error(`Context actor answered ${request.type} with ${outcome.kind}`));
          resolvePromise(value);
        },
      });
      this.actorRef.send({ ...request, requestId });
    });
  }
}
