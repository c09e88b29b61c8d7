/**
 * Call claims: before a worker makes a model call it claims `call:<key>`
 * with SET NX and a fencing token, so two workers never make one call at
 * once (BullMQ may run a job twice at once after a lock renewal fails). The
 * claim expires after its TTL unless renewed, so a dead worker's claim frees
 * itself; a holder that lost its claim has its later writes refused.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.js';

/** Takes the claim when free: returns a new fencing token, or 0 when held. */
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return token
`;

/** Gives a claim up when it still holds the token. */
const UNCLAIM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Renews a claim when it still holds the token. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** Claims on model calls by call key. */
export class CallClaims {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly ttlMs: number;

  constructor(redis: Redis, keys: RedisKeys, ttlMs = 30_000) {
    this.#redis = redis;
    this.#keys = keys;
    this.ttlMs = ttlMs;
  }

  /** The claim's fencing token, or 0 when another holder has it. */
  async claim(callKey: string): Promise<number> {
    return Number(await this.#redis.eval(CLAIM, 2, this.#keys.call(callKey), this.#keys.fence(), String(this.ttlMs)));
  }

  /** Whether `token` still holds the claim. */
  async holds(callKey: string, token: number): Promise<boolean> {
    return (await this.#redis.get(this.#keys.call(callKey))) === String(token);
  }

  /** Extends the claim; false when it was lost. */
  async renew(callKey: string, token: number): Promise<boolean> {
    return Number(await this.#redis.eval(RENEW, 1, this.#keys.call(callKey), String(token), String(this.ttlMs))) === 1;
  }

  /** Gives the claim up (no-op when it already passed to another holder). */
  async release(callKey: string, token: number): Promise<void> {
    await this.#redis.eval(UNCLAIM, 1, this.#keys.call(callKey), String(token));
  }
}
