/**
 * The coordinator's budget view: its own in-process ledger (calls it makes
 * itself) plus the shared books in Redis that every worker reserves and
 * settles in. `refresh` reads the books; `snapshot` is synchronous (the
 * dashboard and `orchestrator.budget`-style readers need one) and merges the
 * live ledger with the books as last read. The coordinator refreshes after
 * every task answer and every forwarded model-call or budget event, so the
 * view trails Redis by at most one read.
 */
import { DistributedUnavailableError } from '../protocols/errors/errors.js';
import type { AgentBudgetSnapshot, BudgetLedger, BudgetSnapshot } from '../model/budget.js';

/** A budget view: a synchronous snapshot, and a fresh one read from where the books live. */
export interface BudgetView {
  snapshot(): BudgetSnapshot;
  refresh(): Promise<BudgetSnapshot>;
}

/** Two snapshots as one: amounts and counts added, closed limits united. */
export function mergeBudgets(local: BudgetSnapshot, shared: BudgetSnapshot): BudgetSnapshot {
  const perAgent: Record<string, AgentBudgetSnapshot> = { ...shared.perAgent };
  for (const [agentId, mine] of Object.entries(local.perAgent)) {
    const theirs = perAgent[agentId];
    perAgent[agentId] = theirs
      ? { spentCents: theirs.spentCents + mine.spentCents, reservedCents: theirs.reservedCents + mine.reservedCents }
      : mine;
  }
  return {
    totalSpentCents: local.totalSpentCents + shared.totalSpentCents,
    totalReservedCents: local.totalReservedCents + shared.totalReservedCents,
    perAgent,
    limits: local.limits,
    openReservations: local.openReservations + shared.openReservations,
    overruns: { count: local.overruns.count + shared.overruns.count, cents: local.overruns.cents + shared.overruns.cents },
    closed: {
      total: local.closed.total || shared.closed.total,
      agents: [...new Set([...shared.closed.agents, ...local.closed.agents])].sort(),
    },
    evictedAgents: local.evictedAgents,
  };
}

/** How long `refresh` waits for the shared books by default. */
export const DEFAULT_READ_TIMEOUT_MS = 5_000;

/** `reading`, or a DistributedUnavailableError once `timeoutMs` passed first. */
function withDeadline(reading: Promise<BudgetSnapshot>, timeoutMs: number): Promise<BudgetSnapshot> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DistributedUnavailableError(`the shared budget books did not answer within ${timeoutMs} ms (is Redis reachable?)`)),
      timeoutMs,
    );
  });
  return Promise.race([reading, late]).finally(() => clearTimeout(timer));
}

/** The view over the ledger and the shared books. */
export class CoordinatorBudget implements BudgetView {
  readonly #ledger: BudgetLedger;
  readonly #read: () => Promise<BudgetSnapshot>;
  #books: BudgetSnapshot | undefined;
  #reading: Promise<BudgetSnapshot> | undefined;
  /** The one read queued behind the current one. */
  #next: Promise<BudgetSnapshot> | undefined;

  /**
   * `read` reads the shared books (RedisBudgetStore.books); a read that has
   * not answered within `readTimeoutMs` (Redis out of reach) fails with
   * DistributedUnavailableError instead of waiting for the reconnect.
   */
  constructor(ledger: BudgetLedger, read: () => Promise<BudgetSnapshot>, readTimeoutMs = DEFAULT_READ_TIMEOUT_MS) {
    this.#ledger = ledger;
    this.#read = () => withDeadline(read(), readTimeoutMs);
  }

  /** The ledger, live, plus the books as last read (none read yet: the ledger alone). */
  snapshot(): BudgetSnapshot {
    const local = this.#ledger.snapshot();
    return this.#books ? mergeBudgets(local, this.#books) : local;
  }

  /**
   * Reads the books and returns the merged view. Calls while a read is under
   * way share one further read, so a burst of events costs at most two.
   */
  refresh(): Promise<BudgetSnapshot> {
    if (this.#reading) {
      // A read under way may have started before what the caller wants counted: queue one more, shared.
      this.#next ??= this.#reading
        .catch(() => undefined)
        .then(() => {
          this.#next = undefined;
          return this.refresh();
        });
      return this.#next;
    }
    this.#reading = this.#read()
      .then((books) => {
        this.#books = books;
        return this.snapshot();
      })
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }

  /** A refresh whose failure (Redis unreachable) leaves the last read in place. */
  refreshQuietly(): void {
    this.refresh().catch(() => undefined);
  }
}
