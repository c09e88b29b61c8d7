/**
 * The coordinator side of distributed mode, around one orchestrator's
 * runtime: the Redis journal (when the config names no other), the Redis
 * artifact storage (shared context on, no storage named), the task
 * dispatch hook, the budget view over the workers' books, and the
 * Coordinator itself, created once the runtime exists. Without
 * `distributed` in the config, every part is absent and nothing is loaded.
 *
 * Config validation happens in createRuntime, after these parts were made:
 * their Redis clients open only on first use, and
 * {@link DistributedWiring.abandon} closes any that did when validation
 * fails, so a refused config leaves no connection open.
 */
import { ShutDownError } from '../protocols/errors/errors.js';
import type { BudgetSnapshot } from '../model/budget.js';
import { Coordinator, coordinatorJournal, hasDistributed } from '../distributed/coordinator.js';
import type { BudgetView } from '../distributed/coordinator-budget.js';
import { coordinatorArtifacts } from '../distributed/shared-artifacts.js';
import type { OrchestratorConfig } from './config.js';
import type { Runtime, RuntimeHooks } from './runtime.js';
import { ledgerView } from './runtime.js';

export class DistributedWiring {
  /** The config to build the runtime from (with the Redis journal storage, when it applies). */
  readonly config: OrchestratorConfig;
  /** The runtime hooks of distributed mode (none without `distributed`). */
  readonly hooks: Pick<RuntimeHooks, 'dispatchTask' | 'budgetView' | 'artifactStorage'>;
  readonly #journal: ReturnType<typeof coordinatorJournal>;
  readonly #artifacts: ReturnType<typeof coordinatorArtifacts>;
  #coordinator: Coordinator | undefined;
  #runtime: Runtime | undefined;

  constructor(config: OrchestratorConfig) {
    const journal = coordinatorJournal(config);
    this.#journal = journal;
    const artifacts = coordinatorArtifacts(config);
    this.#artifacts = artifacts;
    this.config = journal ? { ...config, journal: { storage: journal.storage } } : config;
    const view: BudgetView = {
      snapshot: () => this.#view().snapshot(),
      refresh: () => this.#view().refresh(),
    };
    this.hooks = hasDistributed(config)
      ? {
          dispatchTask: (request) => (this.#coordinator ? this.#coordinator.dispatch(request) : Promise.reject(new ShutDownError())),
          budgetView: view,
          ...(artifacts ? { artifactStorage: artifacts.storage } : {}),
        }
      : {};
  }

  #view(): BudgetView {
    if (this.#coordinator) return this.#coordinator.budget;
    if (this.#runtime) return ledgerView(this.#runtime.budget);
    return { snapshot: () => emptyBudget(), refresh: () => Promise.resolve(emptyBudget()) };
  }

  /** Starts the coordinator over the built runtime; shutdown closes it, the journal's client and the artifacts' client. */
  attach(runtime: Runtime): void {
    this.#runtime = runtime;
    const setting = runtime.config.distributed;
    if (setting) {
      const coordinator = new Coordinator(setting, runtime.templates, runtime.events, runtime.budget);
      this.#coordinator = coordinator;
      runtime.disposers.push(() => coordinator.close());
    }
    const journal = this.#journal;
    if (journal) runtime.disposers.push(() => journal.close());
    // Disposers run after the context store closed (and flushed into the storage).
    const artifacts = this.#artifacts;
    if (artifacts) runtime.disposers.push(() => artifacts.close());
  }

  /** The runtime was never built (the config was refused): close what was opened for it. */
  abandon(): void {
    this.#journal?.close().catch(() => undefined);
    this.#artifacts?.close().catch(() => undefined);
  }
}

/** The view before any runtime exists (never read in practice: monitoring starts after construction). */
function emptyBudget(): BudgetSnapshot {
  return {
    totalSpentCents: 0,
    totalReservedCents: 0,
    perAgent: {},
    limits: {},
    openReservations: 0,
    overruns: { count: 0, cents: 0 },
    closed: { total: false, agents: [] },
    evictedAgents: { count: 0, spentCents: 0 },
  };
}
