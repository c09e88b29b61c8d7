/**
 * The port between the context actor and where artifacts live. A storage keeps
 * an in-memory index of every artifact's record (lineage, kept versions, access
 * time) and the version bodies; the memory storage keeps bodies in a Map, the
 * fs storage in files. Policy (permissions, version limits, TTL, sizes) is the
 * context actor's job, never the storage's: it only does what it is told, and
 * only one call at a time, because the actor serialises them. Every read is
 * async so a networked storage (Redis) can implement the port; the in-process
 * storages answer from their index at once.
 */
import type { ArtifactModification } from '../protocols/artifact.js';

/** Everything known about one artifact except its version bodies. */
export interface ArtifactRecord {
  readonly artifactId: string;
  /** Latest version; versions run 1, 2, 3... without gaps. */
  readonly version: number;
  /** Versions whose bodies are kept, ascending; always ends with `version`. */
  readonly keptVersions: readonly number[];
  /** Every write ever made, ascending by version (index i is version i + 1). */
  readonly modifications: readonly ArtifactModification[];
  /** Epoch ms of the last write or read. */
  readonly lastAccessedAt: number;
}

/** One write, decided by the context actor. */
export interface VersionCommit {
  readonly artifactId: string;
  /** `modification.version` is the record's version + 1, or 1 for a new artifact. */
  readonly modification: ArtifactModification;
  /** The version body (superjson of `{ content, metadata }`). */
  readonly body: string;
  /** Kept versions whose bodies to drop once the write is committed. */
  readonly pruneVersions: readonly number[];
}

/**
 * Where the context actor keeps artifacts. Calls never overlap (the actor
 * awaits each before the next). A failed call leaves the index unchanged.
 */
export interface ArtifactStorage {
  /** `fs`, `memory`, or a custom storage's name (shown in benchmarks and errors). */
  readonly kind: string;
  /** Loads the index (and cleans up after a crash). Called once, before anything else. */
  open(): Promise<void>;
  /** The record of an artifact, or undefined. Read-only: do not keep it across writes. */
  get(artifactId: string): Promise<ArtifactRecord | undefined>;
  /** Every record, in no particular order. */
  list(): Promise<Iterable<ArtifactRecord>>;
  /** A kept version's body, or undefined when that version is not kept. */
  readBody(artifactId: string, version: number): Promise<string | undefined>;
  /** Durably records a new version, then drops `pruneVersions`. */
  commit(commit: VersionCommit): Promise<void>;
  /** Removes an artifact and its whole history. */
  remove(artifactId: string): Promise<void>;
  /** Notes a read at `at` (epoch ms). May be persisted lazily, by {@link flush}. */
  touch(artifactId: string, at: number): void;
  /** Persists what {@link touch} deferred. */
  flush(): Promise<void>;
  /** Flushes and releases resources; no call follows. */
  close(): Promise<void>;
}

/** A storage's own, mutable form of a record; it hands out {@link ArtifactRecord} views of it. */
export interface MutableArtifactRecord {
  readonly artifactId: string;
  version: number;
  keptVersions: number[];
  modifications: ArtifactModification[];
  lastAccessedAt: number;
}

/** Throws unless `commit` is the next version of `record` (or version 1 of a new artifact). */
export function assertNextVersion(record: ArtifactRecord | undefined, commit: VersionCommit): void {
  const expected = (record?.version ?? 0) + 1;
  if (commit.modification.version !== expected) {
    throw new Error(
      `Commit of version ${commit.modification.version} of "${commit.artifactId}" must be version ${expected}`,
    );
  }
}

/**
 * Applies a committed write to the index (in place: appending to the lineage
 * stays O(1) however long it grows). Shared so every storage indexes alike.
 */
export function applyCommit(record: MutableArtifactRecord | undefined, commit: VersionCommit): MutableArtifactRecord {
  const { modification } = commit;
  const target: MutableArtifactRecord = record ?? {
    artifactId: commit.artifactId,
    version: 0,
    keptVersions: [],
    modifications: [],
    lastAccessedAt: 0,
  };
  if (commit.pruneVersions.length > 0) {
    const pruned = new Set(commit.pruneVersions);
    target.keptVersions = target.keptVersions.filter((version) => !pruned.has(version));
  }
  target.keptVersions.push(modification.version);
  target.modifications.push(modification);
  target.version = modification.version;
  target.lastAccessedAt = Math.max(target.lastAccessedAt, modification.timestamp.getTime());
  return target;
}
