/**
 * The shared context store's contract: artifacts, their lineage, the events the
 * context actor accepts and the replies it sends. Plain data only: every value
 * here round-trips through superjson, so it can cross actor boundaries.
 */
import type { AnyActorRef } from 'xstate';
import {
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  fromErrorData,
  InvalidArtifactIdError,
  PermissionDeniedError,
  TroupeError,
  VersionConflictError,
} from './errors/errors.js';
import type { ArtifactOperation, ErrorData } from './errors/errors.js';

/** Free-form, superjson-serialisable metadata. `tags` (an array of strings) is used by `listArtifacts`. */
export type ArtifactMetadata = Readonly<Record<string, unknown>>;

/** One write in an artifact's history. Kept for every version, even pruned ones. */
export interface ArtifactModification {
  readonly agentId: string;
  readonly version: number;
  readonly timestamp: Date;
  readonly metadata: ArtifactMetadata;
  /** Bytes of the version's serialised form (content and metadata). */
  readonly sizeBytes: number;
}

/** Who created an artifact and every write since, oldest first (the first entry is the creation). */
export interface ArtifactLineage {
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly modifications: readonly ArtifactModification[];
}

/** One version of an artifact as a reader receives it: a copy, safe to mutate. */
export interface Artifact {
  readonly artifactId: string;
  readonly version: number;
  readonly content: unknown;
  readonly metadata: ArtifactMetadata;
  /** When the artifact (version 1) was created. */
  readonly createdAt: Date;
  /** When this version was written. */
  readonly updatedAt: Date;
  /** Present when asked for with `includeLineage`. */
  readonly lineage?: ArtifactLineage;
}

/** What a successful write returns. */
export interface StoredArtifactReceipt {
  readonly artifactId: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly sizeBytes: number;
  /** Versions removed by this write to respect the version limit. */
  readonly prunedVersions: readonly number[];
}

/** An artifact's latest version in a listing. */
export interface ArtifactSummary {
  readonly artifactId: string;
  readonly version: number;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly metadata: ArtifactMetadata;
  readonly tags: readonly string[];
}

/** A version that is still kept. */
export interface ArtifactVersionInfo {
  readonly version: number;
  readonly agentId: string;
  readonly timestamp: Date;
  readonly metadata: ArtifactMetadata;
  readonly sizeBytes: number;
}

export interface DeletedArtifactReceipt {
  readonly artifactId: string;
  /** The version the artifact was at when deleted. */
  readonly version: number;
}

/** Decides whether an agent may perform an operation. Implemented by `context/permissions.ts`. */
export interface ArtifactPermissionPolicy {
  allows(agentId: string, operation: ArtifactOperation): boolean;
}

/** The store (or its context actor) was closed; nothing was done. */
export class StoreClosedError extends TroupeError {
  constructor() {
    super('SHUT_DOWN', 'The shared context store has been closed');
  }
}

interface RequestBase {
  readonly requestId: string;
  /** Actor to answer with a {@link ContextReplyEvent}; the reply is also emitted (`actor.on`). */
  readonly replyTo?: AnyActorRef;
}

/** Write a new version. `body` is the superjson form of `{ content, metadata }` (see `encodeArtifactWrite`). */
export interface ContextStoreRequest extends RequestBase {
  readonly type: 'context.store';
  readonly artifactId: string;
  readonly agentId: string;
  readonly body: string;
  /** superjson form of the metadata, kept in the lineage. */
  readonly metadata: string;
  readonly expectedVersion?: number;
}

export interface ContextGetRequest extends RequestBase {
  readonly type: 'context.get';
  readonly artifactId: string;
  readonly agentId: string;
  readonly includeLineage?: boolean;
  readonly version?: number;
}

export interface ContextListRequest extends RequestBase {
  readonly type: 'context.list';
  readonly agentId: string;
  readonly tags?: readonly string[];
}

export interface ContextListVersionsRequest extends RequestBase {
  readonly type: 'context.listVersions';
  readonly artifactId: string;
  readonly agentId: string;
}

export interface ContextDeleteRequest extends RequestBase {
  readonly type: 'context.delete';
  readonly artifactId: string;
  readonly agentId: string;
}

/** Remove expired artifacts now and persist access times. */
export interface ContextSweepRequest extends RequestBase {
  readonly type: 'context.sweep';
}

/** Finish queued work, flush and close the storage; later requests get a {@link StoreClosedError}. */
export interface ContextCloseRequest extends RequestBase {
  readonly type: 'context.close';
}

export type ContextRequest =
  | ContextStoreRequest
  | ContextGetRequest
  | ContextListRequest
  | ContextListVersionsRequest
  | ContextDeleteRequest
  | ContextSweepRequest
  | ContextCloseRequest;

export type ContextOutcome =
  | { readonly ok: true; readonly kind: 'store'; readonly value: StoredArtifactReceipt }
  | { readonly ok: true; readonly kind: 'get'; readonly value: Artifact }
  | { readonly ok: true; readonly kind: 'list'; readonly value: readonly ArtifactSummary[] }
  | { readonly ok: true; readonly kind: 'listVersions'; readonly value: readonly ArtifactVersionInfo[] }
  | { readonly ok: true; readonly kind: 'delete'; readonly value: DeletedArtifactReceipt }
  | { readonly ok: true; readonly kind: 'sweep'; readonly value: readonly string[] }
  | { readonly ok: true; readonly kind: 'close'; readonly value: null }
  | { readonly ok: false; readonly error: ErrorData };

/** The context actor's answer to one request, correlated by `requestId`. */
export interface ContextReplyEvent {
  readonly type: 'context.reply';
  readonly requestId: string;
  readonly outcome: ContextOutcome;
}

const detail = (data: ErrorData, key: string): unknown => data.details?.[key];
const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
const count = (value: unknown): number => (typeof value === 'number' ? value : -1);
const isOperation = (value: unknown): value is ArtifactOperation =>
  value === 'read' || value === 'write' || value === 'delete';

/**
 * Rebuilds the typed error of a failed context request, so callers can use
 * `instanceof PermissionDeniedError` etc. `artifactId` fills in what the plain
 * data does not carry (an invalid id is not echoed back in full).
 */
export function artifactErrorFromData(data: ErrorData, artifactId = ''): TroupeError {
  const id = text(detail(data, 'artifactId'), artifactId);
  switch (data.code) {
    case 'PERMISSION_DENIED': {
      const operation = detail(data, 'operation');
      if (isOperation(operation)) return new PermissionDeniedError(text(detail(data, 'agentId'), ''), operation, id);
      break;
    }
    case 'VERSION_CONFLICT':
      return new VersionConflictError(id, count(detail(data, 'expectedVersion')), count(detail(data, 'actualVersion')));
    case 'ARTIFACT_NOT_FOUND': {
      const version = detail(data, 'version');
      return new ArtifactNotFoundError(id, typeof version === 'number' ? version : undefined);
    }
    case 'INVALID_ARTIFACT_ID':
      return new InvalidArtifactIdError(artifactId, text(detail(data, 'reason'), data.message));
    case 'ARTIFACT_TOO_LARGE':
      return new ArtifactTooLargeError(id, count(detail(data, 'bytes')), count(detail(data, 'limitBytes')));
    case 'SHUT_DOWN':
      if (data.name === 'StoreClosedError') return new StoreClosedError();
      break;
    default:
      break;
  }
  return fromErrorData(data);
}
