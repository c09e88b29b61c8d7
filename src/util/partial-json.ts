/**
 * Reads the JSON text a model has streamed so far as a value: open strings,
 * arrays and objects are closed, and a trailing member that is still being
 * written (a half key, `tru`, `1.`) is left out. Cheap enough to run on every
 * delta of a structured output.
 */

interface Scan {
  /** The brackets still open, innermost last. */
  readonly open: string[];
  readonly inString: boolean;
  /** Where an escape the text ends inside (`\` or `\u12`) begins, -1 if none. */
  readonly escapeStart: number;
  /** Index of the last `,` outside strings, -1 if none. */
  readonly lastComma: number;
  /** Index of the last `{` or `[` outside strings, -1 if none. */
  readonly lastOpen: number;
}

function scan(text: string): Scan {
  const open: string[] = [];
  let inString = false;
  let escape = 0;
  let escapeStart = -1;
  let lastComma = -1;
  let lastOpen = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escape > 0) {
        // `\u` takes four hex digits after the `u`.
        escape = ch === 'u' && escape === 1 ? 4 : escape - 1;
      } else if (ch === '\\') {
        escape = 1;
        escapeStart = i;
      }
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      open.push(ch);
      lastOpen = i;
    } else if (ch === '}' || ch === ']') open.pop();
    else if (ch === ',') lastComma = i;
  }
  return { open, inString, escapeStart: escape > 0 ? escapeStart : -1, lastComma, lastOpen };
}

function closed(prefix: string): string | undefined {
  const state = scan(prefix);
  // A half-written escape is left out; the string is closed before it.
  const text = state.escapeStart >= 0 ? prefix.slice(0, state.escapeStart) : prefix;
  let out = state.inString ? `${text}"` : text;
  for (let i = state.open.length - 1; i >= 0; i--) out += state.open[i] === '{' ? '}' : ']';
  return out;
}

function tryParse(text: string | undefined): { value: unknown } | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * The value `text` (a prefix of a JSON document) holds so far, or undefined
 * when not even a shell of it parses yet.
 *
 * @example
 * ```ts
 * parsePartialJson('{"title":"Q3 ris'); // { value: { title: 'Q3 ris' } }
 * parsePartialJson('{"a":1,"b":tr');    // { value: { a: 1 } }
 * ```
 */
export function parsePartialJson(text: string): { value: unknown } | undefined {
  const whole = tryParse(closed(text));
  if (whole) return whole;
  const state = scan(text);
  // Drop the member being written: cut before the last comma or after the last opening bracket, the later first.
  const cuts = [state.lastComma, state.lastOpen + 1].filter((end) => end > 0).sort((a, b) => b - a);
  for (const end of cuts) {
    const cut = tryParse(closed(text.slice(0, end)));
    if (cut) return cut;
  }
  return undefined;
}
