/**
 * The journal link: answers a call from the run's recording when the run
 * resumes or replays one, and records every fresh response (and failure)
 * before it travels back to the agent, so a response is on disk before the
 * agent leaves the state that asked for it.
 */
import { nanoid } from 'nanoid';
import type { ModelCall, ModelCallInterceptor, ModelCallOutcome } from '../../protocols/gateway.js';
import type { ModelResponse } from '../../protocols/model.js';

/** Reuses or records model responses by call key (journal, replay). */
export interface CallRecorder {
  /** A recorded response for this call, to use instead of calling the model. May throw a recorded failure. */
  lookup?(call: ModelCall): { response: ModelResponse; costCents: number } | undefined;
  /** Called with every fresh response; the link waits for it before the response is returned. */
  record?(call: ModelCall, outcome: ModelCallOutcome): Promise<void>;
  /** Called with every failed call; the link waits for it before the error is rethrown. */
  recordFailure?(call: ModelCall, error: unknown): Promise<void>;
}

/**
 * The journal link over `recorder`.
 *
 * @example
 * ```ts
 * const link = journalInterceptor(new JournalCallRecorder(journals));
 * ```
 */
export function journalInterceptor(recorder: CallRecorder): ModelCallInterceptor {
  return async (call, next) => {
    const recorded = recorder.lookup?.(call);
    if (recorded) return { ...recorded, callId: `replay_${nanoid(10)}`, replayed: true };
    let outcome: ModelCallOutcome;
    try {
      outcome = await next(call);
    } catch (error) {
      await recorder.recordFailure?.(call, error);
      throw error;
    }
    await recorder.record?.(call, outcome);
    return outcome;
  };
}
