/**
 * Artifacts in process memory: for tests, benchmarks and throwaway runs.
 * Bodies are kept in their serialised form, so every read decodes a fresh copy.
 */
import type { ArtifactRecord, ArtifactStorage, MutableArtifactRecord, VersionCommit } from './artifact-storage.js';
import { applyCommit, assertNextVersion } from './artifact-storage.js';

interface MemoryArtifact {
  readonly record: MutableArtifactRecord;
  readonly bodies: Map<number, string>;
}

/**
 * An {@link ArtifactStorage} that keeps everything in a Map and forgets it on exit.
 *
 * @example
 * ```ts
 * const store = new SharedContextStore({ storage: new MemoryArtifactStorage(), agentPermissions: { '*': ['read', 'write'] } });
 * ```
 */
export class MemoryArtifactStorage implements ArtifactStorage {
  readonly kind = 'memory';
  readonly #artifacts = new Map<string, MemoryArtifact>();

  async open(): Promise<void> {}

  async get(artifactId: string): Promise<ArtifactRecord | undefined> {
    return this.#artifacts.get(artifactId)?.record;
  }

  async list(): Promise<Iterable<ArtifactRecord>> {
    return [...this.#artifacts.values()].map((artifact) => artifact.record);
  }

  async readBody(artifactId: string, version: number): Promise<string | undefined> {
    return this.#artifacts.get(artifactId)?.bodies.get(version);
  }

  async commit(commit: VersionCommit): Promise<void> {
    const existing = this.#artifacts.get(commit.artifactId);
    assertNextVersion(existing?.record, commit);
    const bodies = existing?.bodies ?? new Map<number, string>();
    bodies.set(commit.modification.version, commit.body);
    for (const version of commit.pruneVersions) bodies.delete(version);
    this.#artifacts.set(commit.artifactId, { record: applyCommit(existing?.record, commit), bodies });
  }

  async remove(artifactId: string): Promise<void> {
    this.#artifacts.delete(artifactId);
  }

  touch(artifactId: string, at: number): void {
    const record = this.#artifacts.get(artifactId)?.record;
    if (record && at > record.lastAccessedAt) record.lastAccessedAt = at;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
