/**
 * The dashboard's live text of an agent: the tail of what the model is
 * streaming for it, one step at a time, bounded so a long answer costs a
 * fixed amount of memory and bytes per push.
 */

/** Characters of live output kept per agent. */
export const LIVE_TEXT_CHARS = 2048;

/** An agent's live text and the step it belongs to. */
export interface LiveText {
  readonly text: string;
  readonly step: string | null;
}

export const NO_LIVE_TEXT: LiveText = { text: '', step: null };

/**
 * `current` with `text` of `step` appended: a new step starts over, and only
 * the last {@link LIVE_TEXT_CHARS} characters are kept.
 *
 * @example
 * ```ts
 * appendLiveText({ text: 'Hello', step: 'acting' }, 'acting', ' world'); // { text: 'Hello world', step: 'acting' }
 * ```
 */
export function appendLiveText(current: LiveText, step: string, text: string): LiveText {
  const joined = current.step === step ? current.text + text : text;
  return { step, text: joined.length > LIVE_TEXT_CHARS ? joined.slice(joined.length - LIVE_TEXT_CHARS) : joined };
}
