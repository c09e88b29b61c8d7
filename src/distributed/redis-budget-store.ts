/**
 * A BudgetStore on Redis, shared by every worker: totals and per-agent
 * accounts in one hash, open reservations in another (keyed by call key),
 * each reservation tied to its owner's liveness key. Lua scripts check and
 * hold in one step, so no interleaving of processes reserves past a limit.
 *
 * An owner renews its liveness key while it runs; once the key has expired
 * (the process died, or lost Redis past the lease) its open reservations are
 * charged in full, never released, by the next script that runs. Spent can
 * then never pass a limit: what a dead owner may have spent is counted as the
 * most it could have spent.
 *
 * Amounts are whole micro-cents, like the in-process ledger.
 */
import type { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { MICRO_PER_CENT } from '../protocols/cents.js';
import { BudgetExceededError, BudgetOverrunError, ConfigError } from '../protocols/errors/errors.js';
import type { BudgetLimitName } from '../protocols/errors/errors.js';
import type { AgentBudgetSnapshot, BudgetLimits, BudgetSnapshot, ReservationOutcome, SettleOptions } from '../model/budget.js';
import type { BudgetHold, BudgetRequest, BudgetStore } from '../model/budget-store.js';
import type { RedisKeys } from './keys.js';

/**
 * Charges in full every open reservation whose owner's liveness key is gone.
 * KEYS[1] budget, KEYS[2] reservations; ARGV[1] the owner key prefix.
 */
const SWEEP = `
local function sweep(budget, reservations, ownerPrefix)
  local entries = redis.call('HGETALL', reservations)
  for i = 1, #entries, 2 do
    local id = entries[i]
    local owner, agent, micro = string.match(entries[i + 1], '^([^|]*)|([^|]*)|(%d+)$')
    if owner and redis.call('EXISTS', ownerPrefix .. owner) == 0 then
      micro = tonumber(micro)
      redis.call('HINCRBY', budget, 'reserved', 0 - micro)
      redis.call('HINCRBY', budget, 'spent', micro)
      redis.call('HINCRBY', budget, 'a:' .. agent .. ':reserved', 0 - micro)
      redis.call('HINCRBY', budget, 'a:' .. agent .. ':spent', micro)
      redis.call('HINCRBY', budget, 'dead', 1)
      redis.call('HDEL', reservations, id)
    end
  end
end
`;

/**
 * KEYS: budget, reservations, owner key. ARGV: owner key prefix, owner, agent,
 * micro, id, per-agent limit ('' none), total limit ('' none), owner ttl ms.
 * Replies { 'ok', id } or { error, spent, reserved }.
 */
const RESERVE = `${SWEEP}
sweep(KEYS[1], KEYS[2], ARGV[1])
local agent, micro = ARGV[3], tonumber(ARGV[4])
local function num(field) return tonumber(redis.call('HGET', KEYS[1], field) or '0') end
local agentSpent, agentReserved = num('a:' .. agent .. ':spent'), num('a:' .. agent .. ':reserved')
local spent, reserved = num('spent'), num('reserved')
if ARGV[6] ~= '' then
  if redis.call('HGET', KEYS[1], 'a:' .. agent .. ':closed') then return { 'overrun:maxCostPerAgentCents', tostring(agentSpent), tostring(agentReserved) } end
  if agentSpent + agentReserved + micro > tonumber(ARGV[6]) then return { 'exceeded:maxCostPerAgentCents', tostring(agentSpent), tostring(agentReserved) } end
end
if ARGV[7] ~= '' then
  if redis.call('HGET', KEYS[1], 'closed') then return { 'overrun:totalCostLimitCents', tostring(spent), tostring(reserved) } end
  if spent + reserved + micro > tonumber(ARGV[7]) then return { 'exceeded:totalCostLimitCents', tostring(spent), tostring(reserved) } end
end
local id = ARGV[5]
if redis.call('HEXISTS', KEYS[2], id) == 1 then id = id .. '#' .. redis.call('HINCRBY', KEYS[1], 'seq', 1) end
redis.call('HSET', KEYS[2], id, ARGV[2] .. '|' .. agent .. '|' .. micro)
redis.call('HINCRBY', KEYS[1], 'reserved', micro)
redis.call('HINCRBY', KEYS[1], 'a:' .. agent .. ':reserved', micro)
redis.call('SET', KEYS[3], '1', 'PX', ARGV[8])
return { 'ok', id }
`;

/**
 * KEYS: budget, reservations. ARGV: owner key prefix, id, actual micro ('' to
 * release), overrun flag, agent, reserved micro, per-agent limited, total limited.
 * Replies { status, charged micro }: 'settled', 'released', or 'charged' when
 * the reservation had already been charged in full (its owner was taken for dead).
 */
const CLOSE = `${SWEEP}
local id, agent, reservedMicro = ARGV[2], ARGV[5], tonumber(ARGV[6])
local open = redis.call('HGET', KEYS[2], id)
if not open then
  -- Charged in full already: only an actual cost above the reservation adds to it.
  if ARGV[3] ~= '' and tonumber(ARGV[3]) > reservedMicro then
    local extra = tonumber(ARGV[3]) - reservedMicro
    redis.call('HINCRBY', KEYS[1], 'spent', extra)
    redis.call('HINCRBY', KEYS[1], 'a:' .. agent .. ':spent', extra)
    if ARGV[7] == '1' then redis.call('HSET', KEYS[1], 'a:' .. agent .. ':closed', '1') end
    if ARGV[8] == '1' then redis.call('HSET', KEYS[1], 'closed', '1') end
    return { 'charged', tostring(tonumber(ARGV[3])) }
  end
  return { 'charged', tostring(reservedMicro) }
end
redis.call('HDEL', KEYS[2], id)
redis.call('HINCRBY', KEYS[1], 'reserved', 0 - reservedMicro)
redis.call('HINCRBY', KEYS[1], 'a:' .. agent .. ':reserved', 0 - reservedMicro)
if ARGV[3] == '' then return { 'released', '0' } end
local actual = tonumber(ARGV[3])
redis.call('HINCRBY', KEYS[1], 'spent', actual)
redis.call('HINCRBY', KEYS[1], 'a:' .. agent .. ':spent', actual)
if actual > reservedMicro or ARGV[4] == '1' then
  redis.call('HINCRBY', KEYS[1], 'overruns', 1)
  redis.call('HINCRBY', KEYS[1], 'overrunMicro', math.max(0, actual - reservedMicro))
  if ARGV[7] == '1' then redis.call('HSET', KEYS[1], 'a:' .. agent .. ':closed', '1') end
  if ARGV[8] == '1' then redis.call('HSET', KEYS[1], 'closed', '1') end
end
sweep(KEYS[1], KEYS[2], ARGV[1])
return { 'settled', tostring(actual) }
`;

function toMicro(cents: number): number {
  return Math.round(cents * MICRO_PER_CENT);
}

function toCents(micro: number): number {
  return micro / MICRO_PER_CENT;
}

function limitMicro(limit: number | undefined, field: BudgetLimitName): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isFinite(limit) || limit <= 0) throw new ConfigError(field, 'must be a positive number of cents');
  const micro = toMicro(limit);
  return toCents(micro) > limit ? micro - 1 : micro;
}

/** A BudgetSnapshot of the budget hash's fields (`a:<agent>:spent|reserved|closed` per agent). */
function booksOf(fields: Record<string, string>, open: number, limits: BudgetLimits): BudgetSnapshot {
  const micro = (field: string): number => Number(fields[field] ?? 0);
  const perAgent: Record<string, AgentBudgetSnapshot> = {};
  const closedAgents: string[] = [];
  for (const field of Object.keys(fields)) {
    const match = /^a:(.*):(spent|reserved|closed)$/.exec(field);
    const agentId = match?.[1];
    if (agentId === undefined) continue;
    if (match?.[2] === 'closed') {
      closedAgents.push(agentId);
      continue;
    }
    perAgent[agentId] ??= { spentCents: toCents(micro(`a:${agentId}:spent`)), reservedCents: toCents(micro(`a:${agentId}:reserved`)) };
  }
  return {
    totalSpentCents: toCents(micro('spent')),
    totalReservedCents: toCents(micro('reserved')),
    perAgent,
    limits: { ...limits },
    openReservations: open,
    overruns: { count: micro('overruns'), cents: toCents(micro('overrunMicro')) },
    closed: { total: fields.closed !== undefined, agents: closedAgents.sort() },
    evictedAgents: { count: 0, spentCents: 0 },
  };
}

function replyStrings(reply: unknown): string[] {
  return Array.isArray(reply) ? reply.map((entry) => String(entry)) : [];
}

export interface RedisBudgetStoreOptions {
  readonly limits: BudgetLimits;
  /** How long this client's reservations outlive its last heartbeat, in ms (default 10,000). */
  readonly ownerTtlMs?: number;
  /** This client's owner token (default: a random id). */
  readonly owner?: string;
}

/** The books as Redis holds them, in cents. */
export interface RedisBudgetSnapshot {
  readonly totalSpentCents: number;
  readonly totalReservedCents: number;
  readonly openReservations: number;
  /** Reservations charged in full because their owner died. */
  readonly chargedForDeadOwners: number;
  readonly overruns: number;
}

export class RedisBudgetStore implements BudgetStore {
  readonly kind = 'redis';
  readonly owner: string;
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #perAgent: number | undefined;
  readonly #total: number | undefined;
  readonly #ttlMs: number;
  readonly #limits: BudgetLimits;
  #timer: NodeJS.Timeout | undefined;

  /** @throws ConfigError when a limit is not a positive number. */
  constructor(redis: Redis, keys: RedisKeys, options: RedisBudgetStoreOptions) {
    this.#redis = redis;
    this.#keys = keys;
    this.#limits = options.limits;
    this.#perAgent = limitMicro(options.limits.maxCostPerAgentCents, 'maxCostPerAgentCents');
    this.#total = limitMicro(options.limits.totalCostLimitCents, 'totalCostLimitCents');
    this.#ttlMs = options.ownerTtlMs ?? 10_000;
    this.owner = options.owner ?? nanoid(12);
  }

  get isLimited(): boolean {
    return this.#perAgent !== undefined || this.#total !== undefined;
  }

  /** Keeps this owner alive (its reservations open) until {@link stop}. */
  #heartbeat(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#redis.set(this.#keys.budgetOwner(this.owner), '1', 'PX', this.#ttlMs).catch(() => {
        // Redis unreachable: past the TTL this owner's reservations are charged in full, which is safe.
      });
    }, Math.max(10, Math.floor(this.#ttlMs / 3)));
    this.#timer.unref();
  }

  /** Stops the heartbeat: once the TTL passes, this owner's open reservations are charged in full. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async reserve(request: BudgetRequest): Promise<BudgetHold> {
    const { agentId, requestedCents } = request;
    if (!Number.isFinite(requestedCents) || requestedCents < 0) {
      throw new RangeError(`requestedCents must be a finite number of cents >= 0, got ${String(requestedCents)}`);
    }
    const micro = toMicro(requestedCents);
    this.#heartbeat();
    const reply = replyStrings(
      await this.#redis.eval(
        RESERVE,
        3,
        this.#keys.budget(),
        this.#keys.budgetReservations(),
        this.#keys.budgetOwner(this.owner),
        this.#keys.budgetOwner(''),
        this.owner,
        agentId,
        String(micro),
        request.callKey ?? nanoid(12),
        this.#perAgent === undefined ? '' : String(this.#perAgent),
        this.#total === undefined ? '' : String(this.#total),
        String(this.#ttlMs),
      ),
    );
    const [status = '', first = '0', second = '0'] = reply;
    if (status === 'ok') return this.#hold(first, agentId, micro);
    const [kind, limit] = status.split(':');
    const field: BudgetLimitName = limit === 'maxCostPerAgentCents' ? 'maxCostPerAgentCents' : 'totalCostLimitCents';
    const limitCents = field === 'maxCostPerAgentCents' ? this.#limits.maxCostPerAgentCents ?? 0 : this.#limits.totalCostLimitCents ?? 0;
    if (kind === 'overrun') {
      throw new BudgetOverrunError(field, { agentId, limitCents, spentCents: toCents(Number(first)), overrunCents: 0 });
    }
    throw new BudgetExceededError(field, {
      agentId,
      limitCents,
      spentCents: toCents(Number(first)),
      reservedCents: toCents(Number(second)),
      requestedCents,
    });
  }

  #hold(id: string, agentId: string, micro: number): BudgetHold {
    let outcome: Promise<ReservationOutcome> | undefined;
    const close = (actualMicro: number | undefined, exceededRequest: boolean): Promise<ReservationOutcome> => {
      outcome ??= this.#close(id, agentId, micro, actualMicro, exceededRequest);
      return outcome;
    };
    return {
      agentId,
      reservedCents: toCents(micro),
      settle: (actualCents: number, options: SettleOptions = {}) => {
        if (!Number.isFinite(actualCents) || actualCents < 0) {
          return Promise.reject(new RangeError(`actualCents must be a finite number of cents >= 0, got ${String(actualCents)}`));
        }
        return close(toMicro(actualCents), options.exceededRequest === true);
      },
      release: () => close(undefined, false),
    };
  }

  async #close(id: string, agentId: string, micro: number, actualMicro: number | undefined, exceededRequest: boolean): Promise<ReservationOutcome> {
    const reply = replyStrings(
      await this.#redis.eval(
        CLOSE,
        2,
        this.#keys.budget(),
        this.#keys.budgetReservations(),
        this.#keys.budgetOwner(''),
        id,
        actualMicro === undefined ? '' : String(actualMicro),
        exceededRequest ? '1' : '0',
        agentId,
        String(micro),
        this.#perAgent === undefined ? '0' : '1',
        this.#total === undefined ? '0' : '1',
      ),
    );
    const [status = '', charged = '0'] = reply;
    const chargedMicro = Number(charged);
    const overrun = actualMicro !== undefined && (actualMicro > micro || exceededRequest);
    const closedLimits: BudgetLimitName[] = overrun
      ? [...(this.#perAgent === undefined ? [] : ['maxCostPerAgentCents' as const]), ...(this.#total === undefined ? [] : ['totalCostLimitCents' as const])]
      : [];
    if (status === 'released') return { status: 'released', chargedCents: 0, overrunCents: 0, closedLimits: [] };
    return {
      status: 'settled',
      chargedCents: toCents(chargedMicro),
      overrunCents: actualMicro === undefined ? 0 : toCents(Math.max(0, actualMicro - micro)),
      closedLimits,
    };
  }

  /**
   * The shared books as a BudgetSnapshot: every client's spend and open
   * reservations, in all and per agent, with this store's limits.
   */
  async books(): Promise<BudgetSnapshot> {
    const [fields, open] = await Promise.all([this.#redis.hgetall(this.#keys.budget()), this.#redis.hlen(this.#keys.budgetReservations())]);
    return booksOf(fields, open, this.#limits);
  }

  /** The shared books (every client's), in cents. */
  async snapshot(): Promise<RedisBudgetSnapshot> {
    const [fields, open] = await Promise.all([
      this.#redis.hmget(this.#keys.budget(), 'spent', 'reserved', 'dead', 'overruns'),
      this.#redis.hlen(this.#keys.budgetReservations()),
    ]);
    const [spent, reserved, dead, overruns] = fields.map((value) => Number(value ?? 0));
    return {
      totalSpentCents: toCents(spent ?? 0),
      totalReservedCents: toCents(reserved ?? 0),
      openReservations: open,
      chargedForDeadOwners: dead ?? 0,
      overruns: overruns ?? 0,
    };
  }
}
