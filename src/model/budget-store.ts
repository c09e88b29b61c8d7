/**
 * The BudgetStore port: where the budget link reserves and settles a model
 * call's cost. Async so the books can live outside the process (Redis, for
 * workers on several machines); the in-process ledger is the default store.
 *
 * The promise a store keeps is the ledger's: `spent + reserved` never passes
 * a limit through a reservation, whatever the interleaving of the calls (and,
 * for a shared store, of the processes).
 */
import type { BudgetLedger, Reservation, ReservationOutcome, SettleOptions } from './budget.js';

/** What a reservation is asked for. */
export interface BudgetRequest {
  readonly agentId: string;
  readonly requestedCents: number;
  /** The call's deterministic key, when it has one (a shared store keys its reservations by it). */
  readonly callKey?: string;
}

/** A hold on part of the budget for one call. Close it once with `settle` or `release`; later closes return the first outcome. */
export interface BudgetHold {
  readonly agentId: string;
  /** The amount held, in cents. */
  readonly reservedCents: number;
  /** Replaces the hold with the call's actual cost (see {@link Reservation.settle}). */
  settle(actualCents: number, options?: SettleOptions): Promise<ReservationOutcome>;
  /** Frees the hold without charging anything. */
  release(): Promise<ReservationOutcome>;
}

/** Where reservations are held and settled. */
export interface BudgetStore {
  /** `memory` for the in-process ledger, or a shared store's name. */
  readonly kind: string;
  /** Whether any limit is set (with none, a model of unknown price may be called). */
  readonly isLimited: boolean;
  /**
   * Holds `requestedCents`, or rejects with BudgetExceededError / BudgetOverrunError
   * as {@link BudgetLedger.reserve} throws them.
   */
  reserve(request: BudgetRequest): Promise<BudgetHold>;
}

/** The in-process ledger's hold: its sync outcome, as an already-settled promise. */
class LedgerHold implements BudgetHold {
  readonly agentId: string;
  readonly reservedCents: number;
  readonly #reservation: Reservation;

  constructor(reservation: Reservation) {
    this.#reservation = reservation;
    this.agentId = reservation.agentId;
    this.reservedCents = reservation.reservedCents;
  }

  settle(actualCents: number, options?: SettleOptions): Promise<ReservationOutcome> {
    try {
      return Promise.resolve(this.#reservation.settle(actualCents, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  release(): Promise<ReservationOutcome> {
    return Promise.resolve(this.#reservation.release());
  }
}

/**
 * The in-process ledger as a BudgetStore (the default). The ledger's reserve
 * stays synchronous inside, so concurrent calls in one process can never
 * together reserve past a limit.
 *
 * @example
 * ```ts
 * const store = ledgerBudgetStore(new BudgetLedger({ totalCostLimitCents: 100 }));
 * const hold = await store.reserve({ agentId: 'writer', requestedCents: 1.5 });
 * await hold.settle(0.4);
 * ```
 */
export function ledgerBudgetStore(ledger: BudgetLedger): BudgetStore {
  return {
    kind: 'memory',
    get isLimited() {
      return ledger.isLimited;
    },
    reserve(request) {
      try {
        return Promise.resolve(new LedgerHold(ledger.reserve(request)));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

/** Whether a value is a BudgetStore rather than a BudgetLedger. */
export function isBudgetStore(value: BudgetLedger | BudgetStore): value is BudgetStore {
  return 'kind' in value && typeof value.kind === 'string';
}
