/**
 * Leases with fencing tokens on Redis. A lease is a hash `{ owner, token }`
 * that expires unless renewed; taking a free (or expired) lease draws a new
 * token from a counter that only grows. Every write guarded by a lease
 * carries its token, and a script refuses it unless the lease still holds
 * that token: a holder that paused past its lease (GC, partition) and woke
 * up after a successor took over can no longer write.
 */
import type { Redis } from 'ioredis';
import { FencedError } from '../protocols/errors/errors.js';
import type { RedisKeys } from './keys.js';

/** Takes the lease when free or already ours; returns the token, or 0 when another owner holds it. */
const ACQUIRE = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('HGET', KEYS[1], 'token'))
end
if owner then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return token
`;

/** Renews the lease when it still holds the token; 1 renewed, 0 lost. */
const RENEW = `
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** Gives the lease up when it still holds the token. */
const RELEASE = `
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The Lua guard a fenced write script starts with: KEYS[1] is the fence (a
 * lease hash, or a call claim string), ARGV[1] its token ('' for none).
 * Replies with the error `FENCED` when the token no longer holds it.
 */
export const FENCE_CHECK = `
if ARGV[1] ~= '' then
  local kind = redis.call('TYPE', KEYS[1]).ok
  local held = false
  if kind == 'hash' then held = redis.call('HGET', KEYS[1], 'token') elseif kind == 'string' then held = redis.call('GET', KEYS[1]) end
  if held ~= ARGV[1] then return redis.error_reply('FENCED stale fencing token') end
end
`;

/** A write's fence: the lease or claim key and the token the writer holds. */
export interface Fence {
  readonly key: string;
  readonly token: number;
}

/** Whether an error from a script is the fence's refusal. */
export function isFencedReply(error: unknown): boolean {
  return error instanceof Error && /^(ERR )?FENCED\b/.test(error.message);
}

/** A lease one process holds on a resource, kept alive by a timer until released. */
export class RedisLease {
  readonly resource: string;
  readonly owner: string;
  readonly ttlMs: number;
  readonly #redis: Redis;
  readonly #key: string;
  #token = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Set once a renewal found the lease taken by another owner. */
  lost = false;

  constructor(redis: Redis, keys: RedisKeys, resource: string, owner: string, ttlMs: number) {
    this.#redis = redis;
    this.resource = resource;
    this.owner = owner;
    this.ttlMs = ttlMs;
    this.#key = keys.lease(resource);
    this.#fenceKey = keys.fence();
  }

  readonly #fenceKey: string;

  /** The lease's Redis key (fenced scripts take it as KEYS[1]). */
  get key(): string {
    return this.#key;
  }

  /** The fencing token while held, 0 before. */
  get token(): number {
    return this.#token;
  }

  /**
   * Takes the lease (waits while another owner holds it, up to `waitMs`) and renews it every third of its TTL.
   * @throws FencedError when another owner still holds it after `waitMs`.
   */
  async acquire(waitMs = 0): Promise<number> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const token = Number(await this.#redis.eval(ACQUIRE, 2, this.#key, this.#fenceKey, this.owner, String(this.ttlMs)));
      if (token > 0) {
        this.#token = token;
        this.lost = false;
        this.#keepAlive();
        return token;
      }
      if (Date.now() >= deadline) throw new FencedError(this.resource, 0, 'another process holds the lease');
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, this.ttlMs / 4)));
    }
  }

  #keepAlive(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#redis
        .eval(RENEW, 1, this.#key, String(this.#token), String(this.ttlMs))
        .then((renewed) => {
          if (Number(renewed) !== 1) {
            this.lost = true;
            this.#stop();
          }
        })
        .catch(() => {
          // Redis unreachable for a moment: the next renewal tries again; past the TTL the fence refuses our writes.
        });
    }, Math.max(10, Math.floor(this.ttlMs / 3)));
    this.#timer.unref();
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops renewing without giving the lease up (tests: a holder that pauses past its TTL). */
  pause(): void {
    this.#stop();
  }

  /** Gives the lease up (a successor may take it at once). */
  async release(): Promise<void> {
    this.#stop();
    if (this.#token === 0) return;
    await this.#redis.eval(RELEASE, 1, this.#key, String(this.#token));
  }
}
