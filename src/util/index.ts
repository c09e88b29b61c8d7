/**
 * Small generic helpers: a priority queue, closest-match suggestions, redaction of secrets,
 * deferred loading of optional dependencies.
 */
export {
  RESERVED_IDS,
  assertTaskIds,
  describeArgument,
  isInspectionObserver,
  isRecord,
  optionalBoolean,
  optionalFunction,
  optionalId,
  optionalSignal,
  optionalStringList,
  requireId,
  requireRecord,
  requireString,
} from './arguments.js';
export type { ArgumentKind } from './arguments.js';
export { closestMatch } from './closest-match.js';
export { configErrorFrom, notOneOf } from './config-errors.js';
export { DEFAULT_MAX_INPUT_DATA_BYTES, MAX_INPUT_DATA_DEPTH, assertInputData } from './input-data.js';
export { loadOnce } from './load-once.js';
export { parsePartialJson } from './partial-json.js';
export { PriorityQueue } from './priority-queue.js';
export type { Comparator } from './priority-queue.js';
export {
  REDACTED,
  createRedactor,
  createSecretScrubber,
  isSecretField,
  redactEvent,
  redactInspectionEvent,
  redactRecord,
  redactSnapshot,
  redactingObserver,
} from './sanitize.js';
export type { Redactor, RedactorOptions } from './sanitize.js';
