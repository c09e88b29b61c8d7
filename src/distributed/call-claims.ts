/**
 * Call claims: before a worker makes a model call it claims `call:<key>`
 * with SET NX and a fencing token, so two workers never make one call at
 * once (BullMQ may run a job twice at once after a lock renewal fails). The
 * claim expires after its TTL unless renewed, so a dead worker's claim frees
 * itself; a holder that lost its claim has its later writes refused.
 *
 * Every claim granted is appended to the claim log (`calls:claims`, the
 * last {@link CLAIM_LOG_LENGTH} grants): `<callKey> <token> <holder>`, in the
 * order Redis granted them, so who held which call when can be audited.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.js';

/** Grants kept in the claim log (older ones are trimmed). */
export const CLAIM_LOG_LENGTH = 10_000;

/** Takes the claim when free: returns a new fencing token, or 0 when held. KEYS: claim, fence, log. ARGV: ttl, callKey, holder. */
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
redis.call('RPUSH', KEYS[3], ARGV[2] .. ' ' .. token .. ' ' .. ARGV[3])
redis.call('LTRIM', KEYS[3], -${CLAIM_LOG_LENGTH}, -1)
return token
`;

/** One grant of the claim log. */
export interface ClaimGrant {
  readonly callKey: string;
  readonly token: number;
  readonly holder: string;
}

/** Parses the claim log's entries (`<callKey> <token> <holder>`; the holder has no spaces, the token is a number). */
export function parseClaimLog(entries: readonly string[]): ClaimGrant[] {
  return entries.flatMap((entry) => {
    const match = /^(.*) (\d+) (\S+)$/.exec(entry);
    return match?.[1] && match[2] && match[3] ? [{ callKey: match[1], token: Number(match[2]), holder: match[3] }] : [];
  });
}

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
  /** Who claims (a worker id), as the claim log names it. */
  readonly holder: string;

  constructor(redis: Redis, keys: RedisKeys, ttlMs = 30_000, holder = 'anonymous') {
    this.#redis = redis;
    this.#keys = keys;
    this.ttlMs = ttlMs;
    this.holder = holder.replace(/\s/g, '_');
  }

  /** The claim's fencing token, or 0 when another holder has it. */
  async claim(callKey: string): Promise<number> {
    const keys = this.#keys;
    return Number(await this.#redis.eval(CLAIM, 3, keys.call(callKey), keys.fence(), keys.claimLog(), String(this.ttlMs), callKey, this.holder));
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
