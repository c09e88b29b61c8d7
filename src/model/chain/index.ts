/** The public face of model/chain/. */
export { budgetInterceptor } from './budget-interceptor.js';
export { eventsInterceptor } from './events-interceptor.js';
export { composeModelCall } from './interceptor-chain.js';
export { journalInterceptor } from './journal-interceptor.js';
export type { CallRecorder } from './journal-interceptor.js';
export { ABANDON_AFTER_ABORT_MS, callProvider } from './provider-call.js';
export { spendInterceptor } from './spend-interceptor.js';
