/**
 * Cost control: a ledger of money spent and money held for calls in flight,
 * checked against a per-agent limit and a total limit.
 *
 * A model call first reserves its worst-case cost ({@link estimateWorstCaseCents}),
 * then settles the reservation with what the call really cost, or releases it
 * when the call failed. {@link BudgetLedger.reserve} is synchronous: it checks
 * and records the hold in one step with no `await` in between, and JavaScript
 * runs one piece of code at a time, so any number of concurrent calls cannot
 * together reserve past a limit. Whatever interleaving the calls' awaits take,
 * `spent + reserved <= limit` holds after every reserve, and settling with an
 * actual cost no larger than the reservation keeps it.
 *
 * A provider that reports more tokens than its request allowed (a buggy or
 * hostile server) makes a call cost more than its reservation. The ledger
 * charges what was reported, and closes the limits the call was held against:
 * every later reservation on them throws {@link BudgetOverrunError}, so spend
 * passes a limit by at most the overruns of the calls already in flight.
 *
 * The ledger keeps one account per agent id; idle accounts past
 * `maxAgentAccounts` are dropped, least recently used first, while the totals
 * stay exact (see {@link BudgetLedgerOptions}).
 *
 * Amounts are kept internally as whole micro-cents (1e-6 ¢), so sums and limit
 * comparisons are exact integer arithmetic: ten thousand settles of 0.0001¢
 * add up to exactly 1¢, with no float drift. Safe integers give a range of
 * about 9·10⁹ cents ($90 million).
 */
import { MICRO_PER_CENT } from '../protocols/cents.js';
import { BudgetExceededError, BudgetOverrunError, ConfigError } from '../protocols/errors/errors.js';
import type { BudgetLimitName } from '../protocols/errors/errors.js';

// The worst case a call reserves lives with the token bound it is built on.
export { estimateWorstCaseCents } from './token-bound.js';

/** Idle per-agent accounts a ledger keeps by default. */
export const DEFAULT_MAX_AGENT_ACCOUNTS = 10_000;

/** Rounds cents to whole micro-cents. Monotonic, so `a <= b` implies `toMicro(a) <= toMicro(b)`. */
function toMicro(cents: number): number {
  return Math.round(cents * MICRO_PER_CENT);
}

function toCents(micro: number): number {
  return micro / MICRO_PER_CENT;
}

function requireAmount(cents: number, name: string): void {
  if (!Number.isFinite(cents) || cents < 0) {
    throw new RangeError(`${name} must be a finite number of cents >= 0, got ${String(cents)}`);
  }
}

/** The limits a ledger enforces. An absent limit is no limit. */
export interface BudgetLimits {
  /** Most any one agent may spend, in cents. */
  readonly maxCostPerAgentCents?: number;
  /** Most all agents together may spend, in cents. */
  readonly totalCostLimitCents?: number;
}

/** How much a ledger remembers. */
export interface BudgetLedgerOptions {
  /**
   * Most per-agent accounts kept while idle (no open reservation), default
   * {@link DEFAULT_MAX_AGENT_ACCOUNTS}. Past it the least recently used idle
   * account is dropped: its spend stays in the totals (and in
   * `snapshot().evictedAgents`), but an agent id that comes back starts a fresh
   * `maxCostPerAgentCents` allowance. Accounts closed by an overrun are never
   * dropped. `Infinity` keeps every account.
   */
  readonly maxAgentAccounts?: number;
}

/** How a reservation ended. */
export interface ReservationOutcome {
  readonly status: 'settled' | 'released';
  /** What the ledger recorded as spent for this reservation, in cents (0 when released). */
  readonly chargedCents: number;
  /** How far the actual cost passed the reservation, in cents (0 unless the estimate was too low). */
  readonly overrunCents: number;
  /** The limits this settle closed (an overrun closes the limits the call was held against). */
  readonly closedLimits: readonly BudgetLimitName[];
}

/** What a settle knows beyond the cost. */
export interface SettleOptions {
  /**
   * The provider reported more tokens than the request allowed: an overrun
   * even when the cost still fits the reservation.
   */
  readonly exceededRequest?: boolean;
}

/** A hold on part of the budget for one model call. Close it exactly once with `settle` or `release`. */
export interface Reservation {
  readonly agentId: string;
  /** The amount held, in cents (as recorded, to the micro-cent). */
  readonly reservedCents: number;
  /** `open` until settled or released. */
  readonly status: 'open' | 'settled' | 'released';
  /**
   * Replaces the hold with the call's actual cost and frees the rest. An actual
   * cost above the reservation is recorded in full (the money was spent) and
   * reported as an overrun, which closes the limits the call was held against.
   * A second call, or a call after `release`, changes nothing and returns the
   * first outcome.
   */
  settle(actualCents: number, options?: SettleOptions): ReservationOutcome;
  /** Frees the hold without charging anything (the call failed or was aborted). Idempotent like `settle`. */
  release(): ReservationOutcome;
}

/** Spent and held amounts of one agent, in cents. */
export interface AgentBudgetSnapshot {
  readonly spentCents: number;
  readonly reservedCents: number;
}

/** The whole ledger as plain data. */
export interface BudgetSnapshot {
  readonly totalSpentCents: number;
  readonly totalReservedCents: number;
  readonly perAgent: Record<string, AgentBudgetSnapshot>;
  readonly limits: BudgetLimits;
  /** Reservations neither settled nor released yet. */
  readonly openReservations: number;
  /** Settles whose actual cost passed their reservation (or whose tokens passed the request's), and by how much in all. */
  readonly overruns: { readonly count: number; readonly cents: number };
  /** Limits closed by an overrun: the total limit, and the agents whose per-agent limit is closed. */
  readonly closed: { readonly total: boolean; readonly agents: readonly string[] };
  /** Idle accounts dropped past `maxAgentAccounts`; their spend is in the totals. */
  readonly evictedAgents: { readonly count: number; readonly spentCents: number };
}

interface AgentAccount {
  spentMicro: number;
  reservedMicro: number;
  openReservations: number;
  /** Closed by an overrun: no further reservation under the per-agent limit. */
  closed: boolean;
}

function checkLimit(limit: number | undefined, field: BudgetLimitName): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isFinite(limit) || limit <= 0) throw new ConfigError(field, 'must be a positive number of cents');
  // Round a limit down, never up: the ledger must not admit a fraction of a micro-cent past it.
  const micro = toMicro(limit);
  return toCents(micro) > limit ? micro - 1 : micro;
}

/** A reservation bound to the ledger that made it; closing goes through `close`. */
class LedgerReservation implements Reservation {
  readonly agentId: string;
  readonly reservedCents: number;
  private outcome: ReservationOutcome | undefined;
  private readonly close: (actualMicro: number | undefined, exceededRequest: boolean) => ReservationOutcome;

  constructor(
    agentId: string,
    reservedMicro: number,
    close: (actualMicro: number | undefined, exceededRequest: boolean) => ReservationOutcome,
  ) {
    this.agentId = agentId;
    this.reservedCents = toCents(reservedMicro);
    this.close = close;
  }

  get status(): Reservation['status'] {
    return this.outcome?.status ?? 'open';
  }

  settle(actualCents: number, options: SettleOptions = {}): ReservationOutcome {
    if (this.outcome) return this.outcome;
    requireAmount(actualCents, 'actualCents');
    this.outcome = this.close(toMicro(actualCents), options.exceededRequest === true);
    return this.outcome;
  }

  release(): ReservationOutcome {
    if (this.outcome) return this.outcome;
    this.outcome = this.close(undefined, false);
    return this.outcome;
  }
}

/**
 * Tracks spending against `maxCostPerAgentCents` and `totalCostLimitCents`.
 * A limit means: the ledger never lets `spent + reserved` pass it through a
 * reservation. Only an overrun (a call that cost more than its reservation)
 * can push `spent` above a limit, and it is counted in `snapshot().overruns`.
 *
 * @example
 * ```ts
 * const ledger = new BudgetLedger({ maxCostPerAgentCents: 100, totalCostLimitCents: 1000 });
 * const hold = ledger.reserve({ agentId: 'researcher', requestedCents: estimateWorstCaseCents(request, price) });
 * try {
 *   const response = await provider.complete(request);
 *   hold.settle(costOfUsage(response.usage, price));
 * } catch (error) {
 *   hold.release();
 *   throw error;
 * }
 * ```
 */
export class BudgetLedger {
  private readonly limits: BudgetLimits;
  private readonly perAgentLimitMicro: number | undefined;
  private readonly totalLimitMicro: number | undefined;
  private readonly maxAgentAccounts: number;
  /** Accounts in least-recently-used order (a Map iterates in insertion order; a use re-inserts). */
  private readonly accounts = new Map<string, AgentAccount>();
  private totalSpentMicro = 0;
  private totalReservedMicro = 0;
  private open = 0;
  private overrunCount = 0;
  private overrunMicro = 0;
  private totalClosed = false;
  private evictedCount = 0;
  private evictedSpentMicro = 0;

  /** @throws ConfigError when a limit is not a positive finite number, or `maxAgentAccounts` not a whole number ≥ 1. */
  constructor(limits: BudgetLimits = {}, options: BudgetLedgerOptions = {}) {
    this.perAgentLimitMicro = checkLimit(limits.maxCostPerAgentCents, 'maxCostPerAgentCents');
    this.totalLimitMicro = checkLimit(limits.totalCostLimitCents, 'totalCostLimitCents');
    this.limits = {
      ...(limits.maxCostPerAgentCents === undefined ? {} : { maxCostPerAgentCents: limits.maxCostPerAgentCents }),
      ...(limits.totalCostLimitCents === undefined ? {} : { totalCostLimitCents: limits.totalCostLimitCents }),
    };
    const max = options.maxAgentAccounts ?? DEFAULT_MAX_AGENT_ACCOUNTS;
    if (!(max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max >= 1))) {
      throw new ConfigError('maxAgentAccounts', 'must be a whole number ≥ 1 (or Infinity)');
    }
    this.maxAgentAccounts = max;
  }

  /** Whether any limit is set (with none, reservations only keep the books). */
  get isLimited(): boolean {
    return this.perAgentLimitMicro !== undefined || this.totalLimitMicro !== undefined;
  }

  /**
   * Holds `requestedCents` for a call by `agentId`, or throws if the hold would
   * take the agent's `spent + reserved` past `maxCostPerAgentCents` (checked
   * first) or everyone's past `totalCostLimitCents`, or if an overrun closed
   * one of those limits. Synchronous on purpose: see the module comment.
   *
   * @throws BudgetOverrunError naming the limit an earlier overrun closed.
   * @throws BudgetExceededError naming the limit, with the spent and reserved figures it was checked against.
   * @example
   * ```ts
   * const hold = ledger.reserve({ agentId: 'writer', requestedCents: 1.5 });
   * hold.settle(0.4); // 0.4¢ spent, 1.1¢ freed
   * ```
   */
  reserve(request: { readonly agentId: string; readonly requestedCents: number }): Reservation {
    const { agentId, requestedCents } = request;
    requireAmount(requestedCents, 'requestedCents');
    const requestedMicro = toMicro(requestedCents);
    const account = this.accounts.get(agentId) ?? { spentMicro: 0, reservedMicro: 0, openReservations: 0, closed: false };

    if (this.perAgentLimitMicro !== undefined && account.closed) {
      throw new BudgetOverrunError('maxCostPerAgentCents', {
        agentId,
        limitCents: toCents(this.perAgentLimitMicro),
        spentCents: toCents(account.spentMicro),
        overrunCents: toCents(this.overrunMicro),
      });
    }
    if (this.totalLimitMicro !== undefined && this.totalClosed) {
      throw new BudgetOverrunError('totalCostLimitCents', {
        agentId,
        limitCents: toCents(this.totalLimitMicro),
        spentCents: toCents(this.totalSpentMicro),
        overrunCents: toCents(this.overrunMicro),
      });
    }
    if (
      this.perAgentLimitMicro !== undefined &&
      account.spentMicro + account.reservedMicro + requestedMicro > this.perAgentLimitMicro
    ) {
      throw new BudgetExceededError('maxCostPerAgentCents', {
        agentId,
        limitCents: toCents(this.perAgentLimitMicro),
        spentCents: toCents(account.spentMicro),
        reservedCents: toCents(account.reservedMicro),
        requestedCents,
      });
    }
    if (
      this.totalLimitMicro !== undefined &&
      this.totalSpentMicro + this.totalReservedMicro + requestedMicro > this.totalLimitMicro
    ) {
      throw new BudgetExceededError('totalCostLimitCents', {
        agentId,
        limitCents: toCents(this.totalLimitMicro),
        spentCents: toCents(this.totalSpentMicro),
        reservedCents: toCents(this.totalReservedMicro),
        requestedCents,
      });
    }

    account.reservedMicro += requestedMicro;
    account.openReservations += 1;
    this.accounts.delete(agentId);
    this.accounts.set(agentId, account);
    this.totalReservedMicro += requestedMicro;
    this.open += 1;

    return new LedgerReservation(agentId, requestedMicro, (actualMicro, exceededRequest) => {
      account.reservedMicro -= requestedMicro;
      account.openReservations -= 1;
      this.totalReservedMicro -= requestedMicro;
      this.open -= 1;
      if (actualMicro === undefined) {
        this.evictIdle();
        return { status: 'released', chargedCents: 0, overrunCents: 0, closedLimits: [] };
      }
      account.spentMicro += actualMicro;
      this.totalSpentMicro += actualMicro;
      const overrunMicro = Math.max(0, actualMicro - requestedMicro);
      const closedLimits: BudgetLimitName[] = [];
      if (overrunMicro > 0 || exceededRequest) {
        this.overrunCount += 1;
        this.overrunMicro += overrunMicro;
        // Fail closed: the reservation that guarded these limits was no bound.
        if (this.perAgentLimitMicro !== undefined) {
          account.closed = true;
          closedLimits.push('maxCostPerAgentCents');
        }
        if (this.totalLimitMicro !== undefined) {
          this.totalClosed = true;
          closedLimits.push('totalCostLimitCents');
        }
      }
      this.evictIdle();
      return { status: 'settled', chargedCents: toCents(actualMicro), overrunCents: toCents(overrunMicro), closedLimits };
    });
  }

  /** Drops least recently used idle accounts past `maxAgentAccounts` (their spend stays in the totals). */
  private evictIdle(): void {
    if (this.accounts.size <= this.maxAgentAccounts) return;
    for (const [agentId, account] of this.accounts) {
      if (this.accounts.size <= this.maxAgentAccounts) return;
      if (account.openReservations > 0 || account.closed) continue;
      this.accounts.delete(agentId);
      this.evictedCount += 1;
      this.evictedSpentMicro += account.spentMicro;
    }
  }

  /** Cents spent by `agentId` (0 once its idle account was dropped), or by everyone when no agent is named. */
  spentCents(agentId?: string): number {
    if (agentId === undefined) return toCents(this.totalSpentMicro);
    return toCents(this.accounts.get(agentId)?.spentMicro ?? 0);
  }

  /** Cents held by open reservations of `agentId`, or of everyone when no agent is named. */
  reservedCents(agentId?: string): number {
    if (agentId === undefined) return toCents(this.totalReservedMicro);
    return toCents(this.accounts.get(agentId)?.reservedMicro ?? 0);
  }

  /** Everything the ledger knows, as plain data (safe to put in metrics or a journal). */
  snapshot(): BudgetSnapshot {
    const perAgent: Record<string, AgentBudgetSnapshot> = {};
    const closedAgents: string[] = [];
    for (const [agentId, account] of this.accounts) {
      perAgent[agentId] = { spentCents: toCents(account.spentMicro), reservedCents: toCents(account.reservedMicro) };
      if (account.closed) closedAgents.push(agentId);
    }
    return {
      totalSpentCents: toCents(this.totalSpentMicro),
      totalReservedCents: toCents(this.totalReservedMicro),
      perAgent,
      limits: { ...this.limits },
      openReservations: this.open,
      overruns: { count: this.overrunCount, cents: toCents(this.overrunMicro) },
      closed: { total: this.totalClosed, agents: closedAgents },
      evictedAgents: { count: this.evictedCount, spentCents: toCents(this.evictedSpentMicro) },
    };
  }
}
