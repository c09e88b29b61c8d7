/**
 * An ArtifactStorage on Redis, shared by the coordinator and every worker:
 * the same versions, lineage, kept versions and access times as the fs
 * storage (permissions, version limits and TTL stay the context actor's
 * policy). A commit is a compare-and-set on the version: a script writes
 * version n + 1 only while the artifact is at n, so of N processes writing
 * with the same `expectedVersion` exactly one succeeds and the others get
 * VersionConflictError.
 */
import type { Redis } from 'ioredis';
import { VersionConflictError } from '../protocols/errors/errors.js';
import type { ArtifactModification } from '../protocols/artifact.js';
import type { ArtifactRecord, ArtifactStorage, VersionCommit } from '../storage/artifact-storage.js';
import { parseModification } from '../storage/fs-artifacts.js';
import { stringifySafe } from '../storage/superjson-safe.js';
import type { RedisKeys } from './keys.js';

/**
 * KEYS: versions, kept, mods, body, access. ARGV: id, version, keptJSON,
 * modification line, body, accessed-at, body key prefix, pruned versions...
 */
const COMMIT = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if current ~= tonumber(ARGV[2]) - 1 then return redis.error_reply('CONFLICT ' .. current) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('RPUSH', KEYS[3], ARGV[4])
redis.call('SET', KEYS[4], ARGV[5])
local accessed = tonumber(redis.call('HGET', KEYS[5], ARGV[1]) or '0')
if tonumber(ARGV[6]) > accessed then redis.call('HSET', KEYS[5], ARGV[1], ARGV[6]) end
for i = 8, #ARGV do redis.call('DEL', ARGV[7] .. ARGV[i]) end
return 1
`;

/** KEYS: access. ARGV: pairs of id, at. Keeps the latest access time. */
const TOUCH = `
for i = 1, #ARGV, 2 do
  local accessed = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > accessed then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
`;

function keptOf(text: string | null): number[] {
  if (text === null) return [];
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((entry): entry is number => typeof entry === 'number') : [];
}

export class RedisArtifactStorage implements ArtifactStorage {
  readonly kind = 'redis';
  readonly #connect: () => Promise<Redis>;
  #client: Promise<Redis> | undefined;
  readonly #keys: RedisKeys;
  /** Reads noted by touch, written by flush. */
  readonly #touched = new Map<string, number>();

  /** `redis` may be a function that opens the client: it is called on first use (`open`). */
  constructor(redis: Redis | (() => Promise<Redis>), keys: RedisKeys) {
    this.#connect = typeof redis === 'function' ? redis : () => Promise.resolve(redis);
    this.#keys = keys;
  }

  #redis(): Promise<Redis> {
    this.#client ??= this.#connect();
    return this.#client;
  }

  /** The client if it was ever opened (for closing it); never opens one. */
  opened(): Promise<Redis> | undefined {
    return this.#client;
  }

  #modsKey(artifactId: string): string {
    return `${this.#keys.prefix}artifact:${artifactId}:mods`;
  }

  async open(): Promise<void> {
    await (await this.#redis()).ping();
  }

  async get(artifactId: string): Promise<ArtifactRecord | undefined> {
    const results = await (await this.#redis())
      .multi()
      .hget(this.#keys.artifactVersions(), artifactId)
      .hget(this.#keys.artifactKept(), artifactId)
      .lrange(this.#modsKey(artifactId), 0, -1)
      .hget(this.#keys.artifactAccess(), artifactId)
      .exec();
    if (!results) return undefined;
    const [version, kept, mods, accessed] = results.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    if (typeof version !== 'string') return undefined;
    const modifications: ArtifactModification[] = [];
    for (const line of Array.isArray(mods) ? mods : []) {
      const modification = typeof line === 'string' ? parseModification(line) : undefined;
      if (modification) modifications.push(modification);
    }
    const local = this.#touched.get(artifactId) ?? 0;
    return {
      artifactId,
      version: Number(version),
      keptVersions: keptOf(typeof kept === 'string' ? kept : null),
      modifications,
      lastAccessedAt: Math.max(Number(typeof accessed === 'string' ? accessed : 0), local),
    };
  }

  async list(): Promise<Iterable<ArtifactRecord>> {
    const ids = await (await this.#redis()).hkeys(this.#keys.artifactVersions());
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((record): record is ArtifactRecord => record !== undefined);
  }

  async readBody(artifactId: string, version: number): Promise<string | undefined> {
    return (await (await this.#redis()).get(this.#keys.artifactBody(artifactId, version))) ?? undefined;
  }

  /** @throws VersionConflictError when another process committed this version first. */
  async commit(commit: VersionCommit): Promise<void> {
    const { artifactId, modification } = commit;
    const current = await (await this.#redis()).hget(this.#keys.artifactKept(), artifactId);
    const pruned = new Set(commit.pruneVersions);
    const kept = [...keptOf(current).filter((version) => !pruned.has(version)), modification.version];
    try {
      await (await this.#redis()).eval(
        COMMIT,
        5,
        this.#keys.artifactVersions(),
        this.#keys.artifactKept(),
        this.#modsKey(artifactId),
        this.#keys.artifactBody(artifactId, modification.version),
        this.#keys.artifactAccess(),
        artifactId,
        String(modification.version),
        JSON.stringify(kept),
        stringifySafe(modification),
        commit.body,
        String(modification.timestamp.getTime()),
        `${this.#keys.prefix}artifact:${artifactId}:v`,
        ...commit.pruneVersions.map(String),
      );
    } catch (error) {
      const match = error instanceof Error ? /^(?:ERR )?CONFLICT (\d+)/.exec(error.message) : null;
      if (match) throw new VersionConflictError(artifactId, modification.version - 1, Number(match[1]));
      throw error;
    }
  }

  async remove(artifactId: string): Promise<void> {
    const kept = keptOf(await (await this.#redis()).hget(this.#keys.artifactKept(), artifactId));
    await (await this.#redis())
      .multi()
      .hdel(this.#keys.artifactVersions(), artifactId)
      .hdel(this.#keys.artifactKept(), artifactId)
      .hdel(this.#keys.artifactAccess(), artifactId)
      .del(this.#modsKey(artifactId), ...kept.map((version) => this.#keys.artifactBody(artifactId, version)))
      .exec();
    this.#touched.delete(artifactId);
  }

  touch(artifactId: string, at: number): void {
    if (at > (this.#touched.get(artifactId) ?? 0)) this.#touched.set(artifactId, at);
  }

  async flush(): Promise<void> {
    if (this.#touched.size === 0) return;
    const pairs = [...this.#touched].flatMap(([id, at]) => [id, String(at)]);
    this.#touched.clear();
    await (await this.#redis()).eval(TOUCH, 1, this.#keys.artifactAccess(), ...pairs);
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
