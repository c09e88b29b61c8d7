/**
 * The ModelGateway port: the single door every model call of an agent goes
 * through. The system's gateway resolves the provider, reserves the call's
 * worst-case cost against the budget, prices the real usage, records the call
 * in the journal and traces it. Agent machines only know this interface.
 */
import type { ModelDelta, ModelRequest, ModelResponse } from './model.js';

/** Why an agent calls the model; shown in traces, metrics and journals. */
export type ModelCallPurpose =
  | 'thinking'
  | 'acting'
  | 'reflecting'
  | 'alternative'
  | 'consultation'
  | 'summary'
  | 'compaction'
  | 'tool_loop';

/**
 * The agent step a model call serves, as streaming consumers see it:
 * `alternative` calls are the agent's exploring step, `tool_loop` calls its
 * acting step.
 */
export type ModelCallStep =
  | 'thinking'
  | 'acting'
  | 'reflecting'
  | 'exploring'
  | 'consulting'
  | 'summarizing'
  | 'compacting';

const STEP_OF_PURPOSE: Readonly<Record<ModelCallPurpose, ModelCallStep>> = {
  thinking: 'thinking',
  acting: 'acting',
  tool_loop: 'acting',
  reflecting: 'reflecting',
  alternative: 'exploring',
  consultation: 'consulting',
  summary: 'summarizing',
  compaction: 'compacting',
};

/**
 * The step of a call's purpose.
 *
 * @example
 * ```ts
 * stepOfPurpose('alternative'); // 'exploring'
 * ```
 */
export function stepOfPurpose(purpose: ModelCallPurpose): ModelCallStep {
  return STEP_OF_PURPOSE[purpose];
}

/** One streamed delta of a model call, with who made the call: the `model.delta` event's payload. */
export interface ModelCallDelta extends ModelDelta {
  readonly callId: string;
  readonly agentId: string;
  readonly purpose: ModelCallPurpose;
  readonly step: ModelCallStep;
  readonly provider: string;
  readonly taskId?: string;
  readonly workflowId?: string;
  /** 0, 1, 2, ... within the call. */
  readonly index: number;
  /** `structured` deltas: the structured output's JSON text so far. */
  readonly partialJson?: string;
  /** `structured` deltas: `partialJson` read with its open strings, arrays and objects closed, when that parses. */
  readonly partial?: unknown;
}

export interface ModelCall {
  readonly agentId: string;
  readonly purpose: ModelCallPurpose;
  /** Provider name (`simulated`, `anthropic`, `openai`, a registered name). */
  readonly provider: string;
  readonly request: ModelRequest;
  readonly taskId?: string;
  readonly workflowId?: string;
  /**
   * Stable id of this call within its run (e.g. `wf_1/task/acting/0`), used to
   * reuse recorded responses on resume and replay. Unique per run.
   */
  readonly callKey?: string;
  /**
   * Receives this call's deltas. Setting it makes the call stream even when
   * nobody listens to `model.delta`. Not part of the request: never hashed or journaled.
   */
  readonly onDelta?: (delta: ModelCallDelta) => void;
  /**
   * A streaming call that receives no delta for this many seconds (the first
   * one included) fails with a retryable `STREAM_IDLE_TIMEOUT`. Absent: no idle limit.
   */
  readonly streamIdleTimeoutSeconds?: number;
}

export interface ModelCallOutcome {
  readonly response: ModelResponse;
  /** What this call cost, in cents (sub-cent precision). */
  readonly costCents: number;
  readonly callId: string;
  /** True when the response came from a recording instead of a model. */
  readonly replayed?: boolean;
}

export interface ModelGateway {
  call(call: ModelCall): Promise<ModelCallOutcome>;
}

/** The rest of the model boundary's chain, as seen by one interceptor. */
export type NextModelCall = (call: ModelCall) => Promise<ModelCallOutcome>;

/**
 * One link of the model boundary: it may change the call, answer it without
 * calling `next` (a cache, a recording), refuse it by throwing (a guardrail, a
 * budget), or look at the outcome on its way back. The orchestrator composes
 * its own links and the user's into one chain; see `modelInterceptors` in
 * OrchestratorConfig.
 *
 * @example
 * ```ts
 * const noSecrets: ModelCallInterceptor = async (call, next) => {
 *   const text = call.request.messages.map((m) => m.content).join(' ');
 *   if (/sk-[A-Za-z0-9]{20,}/.test(text)) throw new Error('refusing to send a key to the model');
 *   return next(call);
 * };
 * ```
 */
export type ModelCallInterceptor = (call: ModelCall, next: NextModelCall) => Promise<ModelCallOutcome>;
