/**
 * The model boundary: the gateway every model call crosses (budget, journal,
 * events, tracing, provider) and the budget ledger that holds cost limits.
 */
export { budgetInterceptor } from './budget-interceptor.js';
export { BudgetLedger, estimateWorstCaseCents } from './budget.js';
export type {
  AgentBudgetSnapshot,
  BudgetLimits,
  BudgetSnapshot,
  Reservation,
  ReservationOutcome,
} from './budget.js';
export { eventsInterceptor } from './events-interceptor.js';
export { createModelGateway } from './gateway.js';
export type { GatewayOptions } from './gateway.js';
export { composeModelCall } from './interceptor-chain.js';
export { journalInterceptor } from './journal-interceptor.js';
export type { CallRecorder } from './journal-interceptor.js';
export { callProvider } from './provider-call.js';
export { ProviderRegistry, defaultProviderName } from './provider-registry.js';
export type { BuiltInProviderName } from './provider-registry.js';
export { notePartialCharge, partialChargeOf } from './partial-charge.js';
export type { PartialCharge } from './partial-charge.js';
export { streamCall } from './stream-call.js';
export type { StreamCallContext } from './stream-call.js';
