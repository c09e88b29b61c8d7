/**
 * Small generic helpers: a priority queue, closest-match suggestions, redaction of secrets.
 */
export { closestMatch } from './closest-match.js';
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
export { parsePartialJson } from './partial-json.js';
