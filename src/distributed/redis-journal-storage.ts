/**
 * A JournalStorage on Redis: one list of lines per run, a set of run ids,
 * and summaries beside them. Appends are fenced: while this storage holds a
 * run's lease (the coordinator), its appends carry the lease's token, and a
 * worker's model-call lines carry its call claim's token; a script refuses a
 * stale token's line (FencedError), so a paused or partitioned holder cannot
 * write after its successor took over. An append resolves once Redis has
 * acknowledged it (with `appendonly yes` and `appendfsync always`, once it is
 * on disk: see docs/distributed.md).
 */
import type { Redis } from 'ioredis';
import { FencedError } from '../protocols/errors/errors.js';
import type { JournalStorage } from '../storage/journal-storage.js';
import type { RedisKeys } from './keys.js';
import { FENCE_CHECK, isFencedReply, RedisLease } from './lease.js';
import type { Fence } from './lease.js';

/**
 * KEYS: fence, journal, index, byte counter; ARGV: token, line, workflowId.
 * A torn last line cannot happen: RPUSH is whole. The counter adds the line's
 * bytes and its newline (a Lua string's length is its byte count), so
 * `size` never reads the log.
 */
// ARGV: fence token, workflowId, then the lines, pushed in order in one step (a group commit's batch).
const APPEND = `${FENCE_CHECK}
local bytes = 0
for i = 3, #ARGV do
  redis.call('RPUSH', KEYS[2], ARGV[i])
  bytes = bytes + #ARGV[i] + 1
end
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('INCRBY', KEYS[4], bytes)
return 1
`;

export interface RedisJournalStorageOptions {
  /** Names this process as a lease owner (unique per process). */
  readonly owner: string;
  /** How long a run's lease lives unless renewed, in ms (default 10,000). */
  readonly leaseTtlMs?: number;
  /**
   * Take each run's lease on its first append (the coordinator, default
   * true). A worker passes false: its lines carry call-claim fences instead.
   */
  readonly leaseRuns?: boolean;
}

export class RedisJournalStorage implements JournalStorage {
  readonly #connect: () => Promise<Redis>;
  #client: Promise<Redis> | undefined;
  readonly #keys: RedisKeys;
  readonly #owner: string;
  readonly #ttlMs: number;
  readonly #leaseRuns: boolean;
  readonly #leases = new Map<string, RedisLease>();

  /**
   * `redis` may be a function that opens the client: it is called on the
   * first operation, so a storage that is never used never connects.
   */
  constructor(redis: Redis | (() => Promise<Redis>), keys: RedisKeys, options: RedisJournalStorageOptions) {
    this.#connect = typeof redis === 'function' ? redis : () => Promise.resolve(redis);
    this.#keys = keys;
    this.#owner = options.owner;
    this.#ttlMs = options.leaseTtlMs ?? 10_000;
    this.#leaseRuns = options.leaseRuns ?? true;
  }

  /** The client, opened on first use (a client that fails to load is reported by the call that needed it). */
  #redis(): Promise<Redis> {
    this.#client ??= this.#connect();
    return this.#client;
  }

  /** The client if it was ever opened (for closing it); never opens one. */
  opened(): Promise<Redis> | undefined {
    return this.#client;
  }

  /**
   * Takes the run's lease (waiting up to `waitMs` while another process holds
   * it: a successor coordinator waits for a dead one's lease to expire).
   * @throws FencedError when it is still held after `waitMs`.
   */
  async leaseRun(workflowId: string, waitMs = 0): Promise<RedisLease> {
    const held = this.#leases.get(workflowId);
    if (held && !held.lost) return held;
    const lease = new RedisLease(await this.#redis(), this.#keys, `run:${workflowId}`, this.#owner, this.#ttlMs);
    await lease.acquire(waitMs);
    this.#leases.set(workflowId, lease);
    return lease;
  }

  /** The lease this storage holds on a run, if any. */
  leaseOf(workflowId: string): RedisLease | undefined {
    return this.#leases.get(workflowId);
  }

  async append(workflowId: string, line: string): Promise<void> {
    await this.appendMany(workflowId, [line]);
  }

  /** Appends lines in order, in one script call under the run's lease. */
  async appendMany(workflowId: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    let fence: Fence | undefined;
    if (this.#leaseRuns) {
      // A successor (a resumed run) waits for a dead coordinator's lease to expire.
      const lease = await this.leaseRun(workflowId, this.#ttlMs * 2);
      fence = { key: lease.key, token: lease.token };
    }
    await this.#appendFenced(workflowId, lines, fence);
  }

  /**
   * Appends a line guarded by `fence` (none: unguarded).
   * @throws FencedError when the fence's token is stale.
   */
  async appendFenced(workflowId: string, line: string, fence: Fence | undefined): Promise<void> {
    await this.#appendFenced(workflowId, [line], fence);
  }

  async #appendFenced(workflowId: string, lines: readonly string[], fence: Fence | undefined): Promise<void> {
    const redis = await this.#redis();
    try {
      await redis.eval(
        APPEND,
        4,
        fence?.key ?? this.#keys.lease(`run:${workflowId}`),
        this.#keys.journal(workflowId),
        this.#keys.journalIndex(),
        this.#keys.journalBytes(workflowId),
        fence === undefined ? '' : String(fence.token),
        workflowId,
        ...lines,
      );
    } catch (error) {
      if (isFencedReply(error)) throw new FencedError(`the journal of ${workflowId}`, fence?.token ?? 0);
      throw error;
    }
  }

  async read(workflowId: string): Promise<string | undefined> {
    const redis = await this.#redis();
    const lines = await redis.lrange(this.#keys.journal(workflowId), 0, -1);
    if (lines.length === 0) return (await redis.sismember(this.#keys.journalIndex(), workflowId)) === 1 ? '' : undefined;
    return `${lines.join('\n')}\n`;
  }

  async list(): Promise<string[]> {
    return (await this.#redis()).smembers(this.#keys.journalIndex());
  }

  /** Gives up the run's lease (the run finished or was abandoned here). */
  close(workflowId: string): void {
    const lease = this.#leases.get(workflowId);
    this.#leases.delete(workflowId);
    lease?.release().catch(() => {
      // Unreachable Redis: the lease expires by itself.
    });
  }

  async remove(workflowId: string): Promise<void> {
    await (await this.#redis())
      .multi()
      .del(this.#keys.journal(workflowId), this.#keys.journalSummary(workflowId), this.#keys.journalBytes(workflowId))
      .srem(this.#keys.journalIndex(), workflowId)
      .exec();
  }

  /** The log's length in bytes from the counter the appends keep (one GET; the log itself is not read). */
  async size(workflowId: string): Promise<number | undefined> {
    const redis = await this.#redis();
    const [bytes, listed] = await Promise.all([redis.get(this.#keys.journalBytes(workflowId)), redis.sismember(this.#keys.journalIndex(), workflowId)]);
    if (bytes !== null) return Number(bytes);
    if (listed !== 1) return undefined;
    // A log written before the counter existed: count it once, then keep the counter.
    const text = (await this.read(workflowId)) ?? '';
    const size = Buffer.byteLength(text);
    await redis.set(this.#keys.journalBytes(workflowId), String(size), 'NX');
    return size;
  }

  async readSummary(workflowId: string): Promise<string | undefined> {
    return (await (await this.#redis()).get(this.#keys.journalSummary(workflowId))) ?? undefined;
  }

  async writeSummary(workflowId: string, text: string): Promise<void> {
    await (await this.#redis()).set(this.#keys.journalSummary(workflowId), text);
  }

  /** Releases every lease this storage holds. */
  async closeAll(): Promise<void> {
    const leases = [...this.#leases.values()];
    this.#leases.clear();
    await Promise.allSettled(leases.map((lease) => lease.release()));
  }
}
