/**
 * Artifacts on disk, under `<workspacePath>/artifacts/`:
 *
 * ```
 * artifacts/<artifactId>/lineage.log    one superjson line per committed write (append-only)
 * artifacts/<artifactId>/v<N>.json      body of kept version N (superjson of { content, metadata })
 * artifacts/<artifactId>/accessed.json  last read time, written lazily (TTL)
 * ```
 *
 * A write is committed when its lineage line is durable. Before that line is
 * appended, the version body is written atomically (temp file in the same
 * directory, fsync, rename, fsync the directory), so a committed line always
 * names a complete body. On open, whatever a crash left behind is cleaned up:
 * temp files, a torn last lineage line, bodies newer than the last committed
 * line, and half-deleted artifacts.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSafe, stringifySafe } from './superjson-safe.js';
import type { ArtifactModification } from '../protocols/artifact.js';
import { InvalidArtifactIdError, WorkspaceLockedError } from '../protocols/errors/errors.js';
import { isMetadataRecord } from './artifact-codec.js';
import { artifactIdProblem, assertArtifactId } from './artifact-id.js';
import type { ArtifactRecord, ArtifactStorage, MutableArtifactRecord, VersionCommit } from './artifact-storage.js';
import { applyCommit, assertNextVersion } from './artifact-storage.js';
import { appendDurably, fsyncDirectory, isMissingFile, writeFileAtomic } from './fs-durable.js';
import { acquireWorkspaceLock } from './workspace-lock.js';
import type { WorkspaceLock } from './workspace-lock.js';

const LINEAGE_FILE = 'lineage.log';
const ACCESSED_FILE = 'accessed.json';
const VERSION_FILE = /^v([1-9]\d*)\.json$/;

const versionFile = (version: number): string => `v${version}.json`;

export interface FsArtifactStorageOptions {
  /** The workspace; artifacts live in its `artifacts/` directory. */
  readonly workspacePath: string;
}

/** Parses one lineage line; undefined when it is not a complete modification. */
export function parseModification(line: string): ArtifactModification | undefined {
  let value: unknown;
  try {
    value = parseSafe(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (key: string): unknown => Reflect.get(value, key);
  const [agentId, version, timestamp, metadata, sizeBytes] = ['agentId', 'version', 'timestamp', 'metadata', 'sizeBytes'].map(field);
  if (typeof agentId !== 'string' || typeof version !== 'number' || typeof sizeBytes !== 'number') return undefined;
  if (!(timestamp instanceof Date) || !isMetadataRecord(metadata)) return undefined;
  return { agentId, version, timestamp, metadata, sizeBytes };
}

/**
 * The longest valid prefix of a lineage log: complete lines of versions 1, 2, 3...
 * A torn or corrupt tail (a crash mid-append) ends the prefix.
 */
function parseLineage(text: string): { modifications: ArtifactModification[]; validBytes: number } {
  const modifications: ArtifactModification[] = [];
  let offset = 0;
  for (;;) {
    const end = text.indexOf('\n', offset);
    if (end < 0) break;
    const modification = parseModification(text.slice(offset, end));
    if (!modification || modification.version !== modifications.length + 1) break;
    modifications.push(modification);
    offset = end + 1;
  }
  return { modifications, validBytes: Buffer.byteLength(text.slice(0, offset)) };
}

/**
 * The default {@link ArtifactStorage}: one directory per artifact, crash-safe writes.
 * One store at a time may own a workspace: it holds `<workspacePath>/workspace.lock`
 * (see workspace-lock.ts) from construction until `close`.
 *
 * @example
 * ```ts
 * const store = new SharedContextStore({ storage: new FsArtifactStorage({ workspacePath: '.troupe' }) });
 * ```
 */
export class FsArtifactStorage implements ArtifactStorage {
  readonly kind = 'fs';
  /** `<workspacePath>/artifacts`. */
  readonly directory: string;
  readonly #workspacePath: string;
  readonly #records = new Map<string, MutableArtifactRecord>();
  /** Byte length of each lineage log, to undo a failed append. */
  readonly #lineageBytes = new Map<string, number>();
  /** Artifacts read since their access time was last written. */
  readonly #touched = new Set<string>();
  /** Ids by their lower-case form: on a case-insensitive file system `Doc` and `doc` are one directory. */
  readonly #byFoldedId = new Map<string, string>();

  /** The workspace's exclusive lock, held from construction (or open) until close. */
  #lock: WorkspaceLock | undefined;

  /** @throws WorkspaceLockedError when another live store or process holds the workspace. */
  constructor(options: FsArtifactStorageOptions) {
    this.#workspacePath = options.workspacePath;
    this.directory = join(options.workspacePath, 'artifacts');
    try {
      this.#lock = acquireWorkspaceLock(options.workspacePath);
    } catch (error) {
      if (error instanceof WorkspaceLockedError) throw error;
      // Any other failure (the path is a file, no permission) is retried, and reported, by open().
    }
  }

  async open(): Promise<void> {
    this.#lock ??= acquireWorkspaceLock(this.#workspacePath);
    try {
      await mkdir(this.directory, { recursive: true });
      await fsyncDirectory(this.#workspacePath);
      for (const entry of await readdir(this.directory, { withFileTypes: true })) {
        // Names starting with "." are never artifact ids: temp files and half-deleted artifacts.
        if (entry.name.startsWith('.')) {
          await rm(join(this.directory, entry.name), { recursive: true, force: true });
        } else if (entry.isDirectory() && artifactIdProblem(entry.name) === undefined) {
          await this.#load(entry.name);
        }
      }
    } catch (error) {
      // A store that failed to open is never closed: let the workspace go now.
      this.#releaseLock();
      throw error;
    }
  }

  async get(artifactId: string): Promise<ArtifactRecord | undefined> {
    return this.#records.get(artifactId);
  }

  async list(): Promise<Iterable<ArtifactRecord>> {
    // A copy: the caller may remove artifacts while it walks the list.
    return [...this.#records.values()];
  }

  async readBody(artifactId: string, version: number): Promise<string | undefined> {
    const record = this.#records.get(artifactId);
    if (!record || !record.keptVersions.includes(version)) return undefined;
    try {
      return await readFile(join(this.#pathOf(artifactId), versionFile(version)), 'utf8');
    } catch (error) {
      if (isMissingFile(error)) return undefined;
      throw error;
    }
  }

  async commit(commit: VersionCommit): Promise<void> {
    const existing = this.#records.get(commit.artifactId);
    assertNextVersion(existing, commit);
    const directory = this.#pathOf(commit.artifactId);
    if (!existing) {
      const other = this.#byFoldedId.get(commit.artifactId.toLowerCase());
      // Refused before the cleanup below, which would otherwise delete the other artifact's directory (macOS, Windows).
      if (other !== undefined) {
        throw new InvalidArtifactIdError(commit.artifactId, `differs only in letter case from the existing artifact "${other}"`);
      }
      // Anything here is left from a write that failed earlier in this session.
      await rm(directory, { recursive: true, force: true });
      await mkdir(directory);
      await fsyncDirectory(this.directory);
    }
    await writeFileAtomic(directory, versionFile(commit.modification.version), commit.body);
    const lineagePath = join(directory, LINEAGE_FILE);
    const before = this.#lineageBytes.get(commit.artifactId) ?? 0;
    const line = `${stringifySafe(commit.modification)}\n`;
    try {
      await appendDurably(lineagePath, line, { newFile: !existing });
    } catch (error) {
      // Undo a partial append, so the next committed line does not follow garbage.
      await truncate(lineagePath, before).catch(() => undefined);
      throw error;
    }
    this.#lineageBytes.set(commit.artifactId, before + Buffer.byteLength(line));
    this.#records.set(commit.artifactId, applyCommit(existing, commit));
    this.#byFoldedId.set(commit.artifactId.toLowerCase(), commit.artifactId);
    // Pruned bodies left behind by a crash here are removed on the next open.
    for (const version of commit.pruneVersions) {
      await unlink(join(directory, versionFile(version))).catch(() => undefined);
    }
  }

  async remove(artifactId: string): Promise<void> {
    const trash = join(this.directory, `.trash-${randomUUID()}`);
    try {
      // A rename is atomic: the artifact is either whole or gone, never half-deleted.
      await rename(this.#pathOf(artifactId), trash);
      await fsyncDirectory(this.directory);
    } catch (error) {
      if (!isMissingFile(error)) throw error;
    }
    this.#records.delete(artifactId);
    if (this.#byFoldedId.get(artifactId.toLowerCase()) === artifactId) this.#byFoldedId.delete(artifactId.toLowerCase());
    this.#lineageBytes.delete(artifactId);
    this.#touched.delete(artifactId);
    await rm(trash, { recursive: true, force: true });
  }

  touch(artifactId: string, at: number): void {
    const record = this.#records.get(artifactId);
    if (!record || at <= record.lastAccessedAt) return;
    record.lastAccessedAt = at;
    this.#touched.add(artifactId);
  }

  async flush(): Promise<void> {
    for (const artifactId of [...this.#touched]) {
      const record = this.#records.get(artifactId);
      if (record) {
        await writeFileAtomic(
          this.#pathOf(artifactId),
          ACCESSED_FILE,
          JSON.stringify({ lastAccessedAt: record.lastAccessedAt }),
        );
      }
      this.#touched.delete(artifactId);
    }
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.#releaseLock();
    }
  }

  #releaseLock(): void {
    this.#lock?.release();
    this.#lock = undefined;
  }

  /** The directory of a (validated) artifact id: never outside `directory`. */
  #pathOf(artifactId: string): string {
    return join(this.directory, assertArtifactId(artifactId));
  }

  async #load(artifactId: string): Promise<void> {
    const directory = join(this.directory, artifactId);
    const lineagePath = join(directory, LINEAGE_FILE);
    let text = '';
    try {
      text = await readFile(lineagePath, 'utf8');
    } catch (error) {
      if (!isMissingFile(error)) throw error;
    }
    const { modifications, validBytes } = parseLineage(text);
    const last = modifications.at(-1);
    if (!last) {
      // Created, but its first write never committed.
      await rm(directory, { recursive: true, force: true });
      return;
    }
    if (validBytes < Buffer.byteLength(text)) await truncate(lineagePath, validBytes);
    const keptVersions: number[] = [];
    let lastAccessedAt = last.timestamp.getTime();
    for (const name of await readdir(directory)) {
      const match = VERSION_FILE.exec(name);
      const version = match?.[1] === undefined ? undefined : Number(match[1]);
      if (name.startsWith('.') || (version !== undefined && version > last.version)) {
        await rm(join(directory, name), { force: true });
      } else if (version !== undefined) {
        keptVersions.push(version);
      } else if (name === ACCESSED_FILE) {
        lastAccessedAt = Math.max(lastAccessedAt, await readAccessedAt(join(directory, name)));
      }
    }
    keptVersions.sort((a, b) => a - b);
    this.#lineageBytes.set(artifactId, validBytes);
    this.#records.set(artifactId, { artifactId, version: last.version, keptVersions, modifications, lastAccessedAt });
    this.#byFoldedId.set(artifactId.toLowerCase(), artifactId);
  }
}

/** The persisted read time, or 0 when the file is unreadable (it is only a hint). */
async function readAccessedAt(path: string): Promise<number> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof value === 'object' && value !== null && 'lastAccessedAt' in value) {
      return typeof value.lastAccessedAt === 'number' ? value.lastAccessedAt : 0;
    }
  } catch {
    // Torn or missing: fall back to the last write time.
  }
  return 0;
}
