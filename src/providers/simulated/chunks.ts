/**
 * How the simulated model streams a response: its thinking, text, structured
 * JSON and tool arguments cut into small deterministic pieces, the way a real
 * model's tokens arrive a few words at a time.
 */
import type { ModelDelta, ModelRequest, ModelResponse } from '../../protocols/model.js';

/** Words per text delta. */
const WORDS_PER_DELTA = 3;
/** Characters per JSON delta (structured output, tool arguments). */
const JSON_CHARS_PER_DELTA = 24;

function wordPieces(text: string): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += WORDS_PER_DELTA) pieces.push(words.slice(i, i + WORDS_PER_DELTA).join(''));
  return pieces;
}

function jsonPieces(json: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < json.length; i += JSON_CHARS_PER_DELTA) pieces.push(json.slice(i, i + JSON_CHARS_PER_DELTA));
  return pieces;
}

/**
 * The deltas of `response`, in the order a model emits them: thinking, then
 * the answer (structured JSON when one was asked for), then tool arguments.
 * Joined per kind, they give back the response's texts exactly.
 *
 * @example
 * ```ts
 * simulatedDeltas(request, { ...response, text: 'one two three four' });
 * // [{ kind: 'text', text: 'one two three ' }, { kind: 'text', text: 'four' }]
 * ```
 */
export function simulatedDeltas(request: ModelRequest, response: ModelResponse): ModelDelta[] {
  const deltas: ModelDelta[] = [];
  for (const text of wordPieces(response.thinking ?? '')) deltas.push({ kind: 'thinking', text });
  if (request.structuredOutput && response.structured !== undefined) {
    for (const text of jsonPieces(response.text)) deltas.push({ kind: 'structured', text });
  } else {
    for (const text of wordPieces(response.text)) deltas.push({ kind: 'text', text });
  }
  for (const call of response.toolCalls) {
    for (const text of jsonPieces(JSON.stringify(call.input))) deltas.push({ kind: 'tool_input', text, toolName: call.name });
  }
  return deltas;
}
