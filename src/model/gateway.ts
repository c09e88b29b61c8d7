/**
 * The system's ModelGateway: every agent model call crosses one chain of
 * links, composed here and nowhere else:
 *
 *   events → spend → journal → user interceptors → budget → provider
 *
 * Events outermost, so listeners (metrics, dashboard, tracing) see every call,
 * replayed and refused ones included. Spend next, so a run learns what each
 * of its calls was charged, replayed ones too. The journal next, so a recorded answer
 * is served before anything is charged and a fresh one is recorded whatever
 * the inner links did. User interceptors run on fresh calls only and before
 * any money is held. The budget reserves the worst case last, right before the
 * provider, which prices what it used. The provider link streams while
 * `model.delta` has listeners (or a call brings its own `onDelta`).
 */
import type { ModelCall, ModelCallInterceptor, ModelGateway } from '../protocols/gateway.js';
import type { ModelProvider } from '../protocols/model.js';
import type { ModelPrice, PriceTable } from '../protocols/pricing.js';
import type { EventHub } from '../protocols/events.js';
import { findPrice } from '../providers/model-prices.js';
import type { BudgetLedger } from './budget.js';
import type { BudgetStore } from './budget-store.js';
import { budgetInterceptor } from './chain/budget-interceptor.js';
import { eventsInterceptor } from './chain/events-interceptor.js';
import { composeModelCall } from './chain/interceptor-chain.js';
import type { CallRecorder } from './chain/journal-interceptor.js';
import type { RunSpend } from './run-spend.js';
import { spendInterceptor } from './chain/spend-interceptor.js';
import { journalInterceptor } from './chain/journal-interceptor.js';
import { callProvider } from './chain/provider-call.js';

export interface GatewayOptions {
  /** Provider by name. */
  readonly resolveProvider: (name: string) => ModelProvider;
  readonly prices: PriceTable;
  /** Cost limits (the in-process ledger, or a shared BudgetStore); with a limit set, a model of unknown price is refused. */
  readonly budget?: BudgetLedger | BudgetStore;
  readonly events?: EventHub;
  readonly recorder?: CallRecorder;
  /** Told every call's charge by workflow run, so a run reports what the ledger charged for it. */
  readonly spend?: RunSpend;
  /** The user's links, outermost first; they run on fresh calls, inside the journal and outside the budget. */
  readonly interceptors?: readonly ModelCallInterceptor[];
  readonly now?: () => number;
}

/**
 * Creates the gateway.
 *
 * @example
 * ```ts
 * const gateway = createModelGateway({ resolveProvider: () => simulated, prices: DEFAULT_PRICES });
 * const { response, costCents } = await gateway.call({ agentId: 'a', purpose: 'acting', provider: 'simulated', request });
 * ```
 */
export function createModelGateway(options: GatewayOptions): ModelGateway {
  const priceCache = new Map<string, ModelPrice | undefined>();
  const tablePrice = (model: string): ModelPrice | undefined => {
    if (!priceCache.has(model)) priceCache.set(model, findPrice(model, options.prices));
    return priceCache.get(model);
  };
  // A provider's own price (an adapter wrapping one model) beats the table's entry for the name.
  // Resolving the provider here also means an unknown provider or a missing key fails before anything is held.
  const priceOf = (call: ModelCall): ModelPrice | undefined => options.resolveProvider(call.provider).price ?? tablePrice(call.request.model);
  const links: ModelCallInterceptor[] = [
    ...(options.events ? [eventsInterceptor(options.events, options.now ?? Date.now)] : []),
    ...(options.spend ? [spendInterceptor(options.spend)] : []),
    ...(options.recorder ? [journalInterceptor(options.recorder)] : []),
    ...(options.interceptors ?? []),
    ...(options.budget ? [budgetInterceptor(options.budget, priceOf, options.events)] : []),
  ];
  return { call: composeModelCall(links, callProvider(options.resolveProvider, priceOf, options.events)) };
}
