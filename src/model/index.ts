/**
 * The model boundary: the gateway every model call crosses (budget, journal,
 * events, tracing, provider) and the budget ledger that holds cost limits.
 */
export { BudgetLedger, estimateWorstCaseCents } from './budget.js';
export type {
  AgentBudgetSnapshot,
  BudgetLimits,
  BudgetSnapshot,
  Reservation,
  ReservationOutcome,
} from './budget.js';
export { createModelGateway } from './gateway.js';
export type { CallRecorder, GatewayOptions } from './gateway.js';
export { ProviderRegistry, defaultProviderName } from './provider-registry.js';
export type { BuiltInProviderName } from './provider-registry.js';
