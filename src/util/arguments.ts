/**
 * Argument checks for the public API: a wrong argument type is a typed error
 * naming the argument (ConfigError for set-up calls, WorkflowValidationError
 * for work), never a raw TypeError from deep inside. Ids that would collide
 * with `Object.prototype` (`__proto__`, `constructor`, `prototype`) are
 * refused wherever an id becomes a key.
 */
import { ConfigError, TroupeError, WorkflowValidationError } from '../protocols/errors/errors.js';

/** Ids refused everywhere: as keys they would reach or shadow an object's prototype. */
export const RESERVED_IDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Which error family a check throws: set-up calls give ConfigError, work calls WorkflowValidationError. */
export type ArgumentKind = 'config' | 'workflow';

function fail(kind: ArgumentKind, field: string, message: string): TroupeError {
  return kind === 'config' ? new ConfigError(field, message) : new WorkflowValidationError(`${field} ${message}`, { field });
}

/** A short, bounded description of what was given, for messages. */
export function describeArgument(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return 'a BigInt';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      return 'an object';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @throws ConfigError / WorkflowValidationError unless `value` is a (non-array) object.
 * @example
 * ```ts
 * requireRecord(options, 'executeWorkflow options', 'workflow');
 * ```
 */
export function requireRecord(value: unknown, field: string, kind: ArgumentKind): Record<string, unknown> {
  if (!isRecord(value)) throw fail(kind, field, `must be an object (got ${describeArgument(value)})`);
  return value;
}

/**
 * An id that becomes a key or an actor name: a non-empty string of at most
 * 200 characters, not one of {@link RESERVED_IDS}, not `.` or `..`.
 * @throws ConfigError / WorkflowValidationError naming the field.
 * @example
 * ```ts
 * requireId('__proto__', 'agentId', 'workflow'); // throws
 * ```
 */
export function requireId(value: unknown, field: string, kind: ArgumentKind): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw fail(kind, field, `must be a non-empty string (got ${describeArgument(value)})`);
  }
  if (value.length > 200) throw fail(kind, field, 'must be at most 200 characters');
  if (RESERVED_IDS.has(value)) throw fail(kind, field, `must not be "${value}" (a reserved name)`);
  // Ids name files (journals, debug traces): never the current or parent directory.
  if (value === '.' || value === '..') throw fail(kind, field, `must not be "${value}"`);
  return value;
}

/** {@link requireId} when the value is given; undefined passes. */
export function optionalId(value: unknown, field: string, kind: ArgumentKind): string | undefined {
  return value === undefined ? undefined : requireId(value, field, kind);
}

/** @throws unless `value` is a string (empty allowed when `allowEmpty`). */
export function requireString(value: unknown, field: string, kind: ArgumentKind, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
    throw fail(kind, field, `must be a ${allowEmpty ? '' : 'non-empty '}string (got ${describeArgument(value)})`);
  }
  return value;
}

/** @throws unless `value` is undefined or a boolean. */
export function optionalBoolean(value: unknown, field: string, kind: ArgumentKind): void {
  if (value !== undefined && typeof value !== 'boolean') throw fail(kind, field, `must be true or false (got ${describeArgument(value)})`);
}

/** @throws unless `value` is undefined or a function. */
export function optionalFunction(value: unknown, field: string, kind: ArgumentKind): void {
  if (value !== undefined && typeof value !== 'function') throw fail(kind, field, `must be a function (got ${describeArgument(value)})`);
}

/** @throws unless `value` is undefined or an array of non-empty strings. */
export function optionalStringList(value: unknown, field: string, kind: ArgumentKind): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw fail(kind, field, `must be an array of strings (got ${describeArgument(value)})`);
  value.forEach((item: unknown, index) => requireString(item, `${field}[${index}]`, kind));
}

/**
 * A cancellation signal: undefined or a real AbortSignal (a look-alike such as
 * `{}` would be silently ignored, or throw when listened to).
 * @throws ConfigError / WorkflowValidationError naming the field.
 * @example
 * ```ts
 * const signal = optionalSignal(options.signal, 'signal', 'workflow');
 * ```
 */
export function optionalSignal(value: unknown, field: string, kind: ArgumentKind): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw fail(kind, field, `must be an AbortSignal (got ${describeArgument(value)})`);
  return value;
}

/**
 * An XState inspection observer: a function, or an object whose `next`,
 * `error` and `complete` (each optional) are functions. `{ next: 5 }` is not:
 * XState would throw a TypeError on the first event.
 */
export function isInspectionObserver(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (!isRecord(value)) return false;
  return (['next', 'error', 'complete'] as const).every((key) => value[key] === undefined || typeof value[key] === 'function');
}

/**
 * A validated workflow task's ids: agentId, template and fallbackAgent are
 * not reserved names (they become keys of the run's result maps).
 * @throws WorkflowValidationError naming the task and the field.
 */
export function assertTaskIds(task: { readonly index: number; readonly agentId: string; readonly template?: string | undefined; readonly fallbackAgent?: string | undefined }): void {
  for (const field of ['agentId', 'template', 'fallbackAgent'] as const) {
    const value = task[field];
    if (value !== undefined && RESERVED_IDS.has(value)) {
      throw new WorkflowValidationError(`tasks[${task.index}].${field} must not be "${value}" (a reserved name)`, {
        index: task.index,
        field,
      });
    }
  }
}
