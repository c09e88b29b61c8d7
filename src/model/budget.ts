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
 * Amounts are kept internally as whole micro-cents (1e-6 ¢), so sums and limit
 * comparisons are exact integer arithmetic: ten thousand settles of 0.0001¢
 * add up to exactly 1¢, with no float drift. Safe integers give a range of
 * about 9·10⁹ cents ($90 million).
 */
import { BudgetExceededError, ConfigError } from '../protocols/errors.js';
import type { BudgetLimitName } from '../protocols/errors.js';
import { effectiveThinkingBudget, estimateRequestTokens } from '../protocols/model.js';
import type { ModelRequest } from '../protocols/model.js';
import type { ModelPrice } from '../protocols/pricing.js';

/** Micro-cents per cent: the ledger's internal integer unit. */
const MICRO_PER_CENT = 1_000_000;

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

/** How a reservation ended. */
export interface ReservationOutcome {
  readonly status: 'settled' | 'released';
  /** What the ledger recorded as spent for this reservation, in cents (0 when released). */
  readonly chargedCents: number;
  /** How far the actual cost passed the reservation, in cents (0 unless the estimate was too low). */
  readonly overrunCents: number;
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
   * reported as an overrun. A second call, or a call after `release`, changes
   * nothing and returns the first outcome.
   */
  settle(actualCents: number): ReservationOutcome;
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
  /** Settles whose actual cost passed their reservation, and by how much in all. */
  readonly overruns: { readonly count: number; readonly cents: number };
}

interface AgentAccount {
  spentMicro: number;
  reservedMicro: number;
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
  private readonly close: (actualMicro: number | undefined) => ReservationOutcome;

  constructor(agentId: string, reservedMicro: number, close: (actualMicro: number | undefined) => ReservationOutcome) {
    this.agentId = agentId;
    this.reservedCents = toCents(reservedMicro);
    this.close = close;
  }

  get status(): Reservation['status'] {
    return this.outcome?.status ?? 'open';
  }

  settle(actualCents: number): ReservationOutcome {
    if (this.outcome) return this.outcome;
    requireAmount(actualCents, 'actualCents');
    this.outcome = this.close(toMicro(actualCents));
    return this.outcome;
  }

  release(): ReservationOutcome {
    if (this.outcome) return this.outcome;
    this.outcome = this.close(undefined);
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
  private readonly accounts = new Map<string, AgentAccount>();
  private totalSpentMicro = 0;
  private totalReservedMicro = 0;
  private open = 0;
  private overrunCount = 0;
  private overrunMicro = 0;

  /** @throws ConfigError when a limit is not a positive finite number. */
  constructor(limits: BudgetLimits = {}) {
    this.perAgentLimitMicro = checkLimit(limits.maxCostPerAgentCents, 'maxCostPerAgentCents');
    this.totalLimitMicro = checkLimit(limits.totalCostLimitCents, 'totalCostLimitCents');
    this.limits = {
      ...(limits.maxCostPerAgentCents === undefined ? {} : { maxCostPerAgentCents: limits.maxCostPerAgentCents }),
      ...(limits.totalCostLimitCents === undefined ? {} : { totalCostLimitCents: limits.totalCostLimitCents }),
    };
  }

  /** Whether any limit is set (with none, reservations only keep the books). */
  get isLimited(): boolean {
    return this.perAgentLimitMicro !== undefined || this.totalLimitMicro !== undefined;
  }

  /**
   * Holds `requestedCents` for a call by `agentId`, or throws if the hold would
   * take the agent's `spent + reserved` past `maxCostPerAgentCents` (checked
   * first) or everyone's past `totalCostLimitCents`. Synchronous on purpose:
   * see the module comment.
   *
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
    const account = this.accounts.get(agentId) ?? { spentMicro: 0, reservedMicro: 0 };

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
    this.accounts.set(agentId, account);
    this.totalReservedMicro += requestedMicro;
    this.open += 1;

    return new LedgerReservation(agentId, requestedMicro, (actualMicro) => {
      account.reservedMicro -= requestedMicro;
      this.totalReservedMicro -= requestedMicro;
      this.open -= 1;
      if (actualMicro === undefined) return { status: 'released', chargedCents: 0, overrunCents: 0 };
      account.spentMicro += actualMicro;
      this.totalSpentMicro += actualMicro;
      const overrunMicro = Math.max(0, actualMicro - requestedMicro);
      if (overrunMicro > 0) {
        this.overrunCount += 1;
        this.overrunMicro += overrunMicro;
      }
      return { status: 'settled', chargedCents: toCents(actualMicro), overrunCents: toCents(overrunMicro) };
    });
  }

  /** Cents spent by `agentId`, or by everyone when no agent is named. */
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
    for (const [agentId, account] of this.accounts) {
      perAgent[agentId] = { spentCents: toCents(account.spentMicro), reservedCents: toCents(account.reservedMicro) };
    }
    return {
      totalSpentCents: toCents(this.totalSpentMicro),
      totalReservedCents: toCents(this.totalReservedMicro),
      perAgent,
      limits: { ...this.limits },
      openReservations: this.open,
      overruns: { count: this.overrunCount, cents: toCents(this.overrunMicro) },
    };
  }
}

/** Whether any part of the request asks the provider to write a prompt cache. */
function marksCache(request: Pick<ModelRequest, 'system' | 'messages'>): boolean {
  if (typeof request.system !== 'string' && request.system?.some((block) => block.cache === true)) return true;
  return request.messages.some(
    (message) =>
      typeof message.content !== 'string' &&
      message.content.some((block) => block.type === 'text' && block.cache === true),
  );
}

/**
 * The most a request can cost, in cents, to reserve before the call: its
 * estimated input tokens with none of them read from cache, plus `maxTokens`
 * and the thinking budget it is sent with (at least MIN_THINKING_BUDGET_TOKENS) at the output price. When the request marks a
 * cacheable prefix, input is priced at the dearer of the input and cache-write
 * prices (Anthropic bills cache writes at 1.25× input).
 *
 * Input tokens are estimated from text (about 4 characters a token), so text
 * that tokenizes worse than that (code, non-English) can cost more than this;
 * the ledger then records an overrun.
 *
 * @example
 * ```ts
 * const cents = estimateWorstCaseCents(request, requirePrice(request.model));
 * const hold = ledger.reserve({ agentId, requestedCents: cents });
 * ```
 */
export function estimateWorstCaseCents(request: ModelRequest, price: ModelPrice): number {
  const inputTokens = estimateRequestTokens(request);
  const inputPrice = marksCache(request)
    ? Math.max(price.inputCentsPerMTok, price.cacheWriteCentsPerMTok)
    : price.inputCentsPerMTok;
  const outputTokens = request.maxTokens + effectiveThinkingBudget(request);
  return (inputTokens * inputPrice + outputTokens * price.outputCentsPerMTok) / 1_000_000;
}
