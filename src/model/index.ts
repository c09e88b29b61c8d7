/**
 * The model boundary: the gateway every model call crosses (budget, journal,
 * events, tracing, provider) and the budget ledger that holds cost limits.
 */
export { isBudgetStore, ledgerBudgetStore } from './budget-store.js';
export type { BudgetHold, BudgetRequest, BudgetStore } from './budget-store.js';
export { BudgetLedger, DEFAULT_MAX_AGENT_ACCOUNTS } from './budget.js';
export type {
  AgentBudgetSnapshot,
  BudgetLedgerOptions,
  BudgetLimits,
  BudgetSnapshot,
  Reservation,
  ReservationOutcome,
  SettleOptions,
} from './budget.js';
export { createModelGateway } from './gateway.js';
export type { GatewayOptions } from './gateway.js';
export { notePartialCharge, partialChargeOf } from './partial-charge.js';
export type { PartialCharge } from './partial-charge.js';
export { ProviderRegistry, defaultProviderName, selectedProviderName } from './provider-registry.js';
export type {
  BuiltInProviderName,
  ProviderBlocks,
  ProviderConnectionSettings,
  ProviderRegistrySettings,
} from './provider-registry.js';
export { malformedResponse } from './response-check.js';
export { RunSpend } from './run-spend.js';
export type { TaskSpend } from './run-spend.js';
export { streamCall } from './stream-call.js';
export type { StreamCallContext } from './stream-call.js';
export {
  BLOCK_OVERHEAD_TOKENS,
  MESSAGE_OVERHEAD_TOKENS,
  REQUEST_OVERHEAD_TOKENS,
  TOOL_OVERHEAD_TOKENS,
  TOOL_PROMPT_OVERHEAD_TOKENS,
  estimateWorstCaseCents,
  upperBoundRequestTokens,
} from './token-bound.js';
export { allowanceOf, excessOf, malformedUsage } from './usage-check.js';
export {
  budgetInterceptor,
  eventsInterceptor,
  composeModelCall,
  journalInterceptor,
  ABANDON_AFTER_ABORT_MS,
  callProvider,
  spendInterceptor,
} from './chain/index.js';
export type { CallRecorder } from './chain/index.js';
