/**
 * The check on what a provider answers. A custom ModelProvider is code troupe
 * does not own, and everything downstream (the agent's reply, the task result,
 * the journal line) is built from its response, so a response that is not a
 * ModelResponse stops at the model boundary's terminal. Hand-written rather
 * than a zod parse: it runs on every call, and a parse copies the response.
 */
import type { ModelResponse, StopReason } from '../protocols/model.js';
import type { ShapeProblem } from '../protocols/shapes.js';

const STOP_REASONS: ReadonlySet<string> = new Set<StopReason>(['end_turn', 'max_tokens', 'tool_use', 'stop_sequence', 'refusal', 'other']);

function optionalOf(value: unknown, type: 'string' | 'boolean'): boolean {
  return value === undefined || typeof value === type;
}

/** The first problem of a tool call the response asks for. */
function toolCallProblem(call: unknown, index: number): ShapeProblem | undefined {
  if (typeof call !== 'object' || call === null) return { field: `toolCalls.${index}`, reason: 'not an object' };
  if (typeof Reflect.get(call, 'id') !== 'string') return { field: `toolCalls.${index}.id`, reason: 'not a string' };
  if (typeof Reflect.get(call, 'name') !== 'string') return { field: `toolCalls.${index}.name`, reason: 'not a string' };
  return undefined;
}

/**
 * The first field of `response` that a ModelResponse cannot have (its usage
 * is checked by `malformedUsage`), or undefined when it is well-formed.
 *
 * @example
 * ```ts
 * malformedResponse({ ...response, text: 42 }); // { field: 'text', reason: 'not a string' }
 * ```
 */
export function malformedResponse(response: ModelResponse): ShapeProblem | undefined {
  const value: unknown = response;
  if (typeof value !== 'object' || value === null) return { field: '(value)', reason: 'not an object' };
  if (typeof response.text !== 'string') return { field: 'text', reason: 'not a string' };
  if (!optionalOf(response.thinking, 'string')) return { field: 'thinking', reason: 'not a string' };
  if (typeof response.model !== 'string') return { field: 'model', reason: 'not a string' };
  if (!STOP_REASONS.has(response.stopReason)) return { field: 'stopReason', reason: `not one of ${[...STOP_REASONS].join(', ')}` };
  if (!optionalOf(response.truncated, 'boolean')) return { field: 'truncated', reason: 'not a boolean' };
  if (!optionalOf(response.simulated, 'boolean')) return { field: 'simulated', reason: 'not a boolean' };
  const toolCalls: unknown = response.toolCalls;
  if (!Array.isArray(toolCalls)) return { field: 'toolCalls', reason: 'not a list' };
  for (let index = 0; index < toolCalls.length; index++) {
    const problem = toolCallProblem(toolCalls[index], index);
    if (problem) return problem;
  }
  return undefined;
}
