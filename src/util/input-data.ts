/**
 * `inputData` checks: a task's input reaches the prompt, the journal and the
 * actors as JSON, so it must be JSON-like data (no cycles, BigInts, functions,
 * symbols, non-finite numbers, Maps or Sets) and, serialised, under a size
 * limit. Every problem is a typed error naming the offending path.
 */
import { InputDataTooLargeError, WorkflowValidationError } from '../protocols/errors/errors.js';

/** Default `maxInputDataBytes`: 1 MiB of serialised JSON. */
export const DEFAULT_MAX_INPUT_DATA_BYTES = 1_048_576;

/** Deepest nesting accepted; deeper data would overflow the stack of JSON.stringify. */
export const MAX_INPUT_DATA_DEPTH = 512;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `path.key`, or `path["odd key"]` when the key is not an identifier. */
function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function invalid(path: string, reason: string): WorkflowValidationError {
  return new WorkflowValidationError(`${path} ${reason}: inputData must be JSON-like data`, { path, reason });
}

/** Why a leaf value is not JSON data, or undefined when it is (or is a container to walk). */
function leafProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'bigint':
      return 'is a BigInt';
    case 'function':
      return 'is a function';
    case 'symbol':
      return 'is a symbol';
    case 'number':
      return Number.isFinite(value) ? undefined : `is ${String(value)} (not a finite number)`;
    default:
      if (value instanceof Map) return 'is a Map (it would serialise as {})';
      if (value instanceof Set) return 'is a Set (it would serialise as {})';
      return undefined;
  }
}

interface Frame {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
  /** true: the walk is leaving this object (it is no longer an ancestor). */
  readonly leaving: boolean;
}

/**
 * Throws unless `value` is JSON-like data whose JSON is at most `limitBytes`
 * UTF-8 bytes. `undefined` object properties are allowed (JSON drops them);
 * `undefined` array items are not (JSON would turn them into null). Dates are
 * allowed (they serialise as ISO strings). The walk is iterative, so deep
 * data gives a typed error, never a stack overflow.
 *
 * @throws WorkflowValidationError naming the path (`inputData.a.b[2]`) and what is wrong there;
 * InputDataTooLargeError over the limit.
 * @example
 * ```ts
 * assertInputData({ rows: [1, 2n] }, 'inputData', 1_048_576);
 * // throws WorkflowValidationError: inputData.rows[1] is a BigInt: inputData must be JSON-like data
 * ```
 */
export function assertInputData(value: unknown, path: string, limitBytes: number): void {
  if (value === undefined) return;
  const ancestors = new Set<object>();
  const stack: Frame[] = [{ value, path, depth: 0, leaving: false }];
  // A lower bound of the JSON size (string characters), to refuse huge data before serialising it.
  let lowerBound = 0;
  while (stack.length > 0) {
    const frame = stack.pop();
    if (!frame) break;
    const current = frame.value;
    if (frame.leaving) {
      if (typeof current === 'object' && current !== null) ancestors.delete(current);
      continue;
    }
    const problem = leafProblem(current);
    if (problem) throw invalid(frame.path, problem);
    if (typeof current === 'string') {
      lowerBound += current.length + 2;
      if (lowerBound > limitBytes) throw new InputDataTooLargeError(path, lowerBound, limitBytes);
      continue;
    }
    if (typeof current !== 'object' || current === null || current instanceof Date) continue;
    if (ancestors.has(current)) throw invalid(frame.path, 'refers back to an enclosing object (circular)');
    if (frame.depth >= MAX_INPUT_DATA_DEPTH) throw invalid(frame.path, `is nested deeper than ${MAX_INPUT_DATA_DEPTH} levels`);
    ancestors.add(current);
    stack.push({ value: current, path: frame.path, depth: frame.depth, leaving: true });
    const depth = frame.depth + 1;
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        const item: unknown = current[index];
        const itemPath = `${frame.path}[${index}]`;
        if (item === undefined) throw invalid(itemPath, 'is undefined (JSON would turn it into null)');
        stack.push({ value: item, path: itemPath, depth, leaving: false });
      }
      continue;
    }
    const keys = Object.keys(current);
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index] ?? '';
      const item: unknown = Reflect.get(current, key);
      if (item !== undefined) stack.push({ value: item, path: childPath(frame.path, key), depth, leaving: false });
    }
  }
  // Walked and acyclic: JSON.stringify cannot throw for lack of a toJSON surprise except from a user's toJSON.
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw invalid(path, `cannot be serialised (${error instanceof Error ? error.message : String(error)})`);
  }
  const bytes = json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
  if (bytes > limitBytes) throw new InputDataTooLargeError(path, bytes, limitBytes);
}
