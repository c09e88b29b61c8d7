/**
 * superjson for any JSON a model or user gives. superjson refuses objects with
 * a key named `__proto__`, `constructor` or `prototype` (a prototype pollution
 * guard), yet a model's structured output or a user's inputData may hold such
 * keys. This codec escapes them before superjson sees them and restores them
 * after: a key of the form `~…~` + reserved name gains one `~` on the way in
 * and loses one on the way out, so every key (including ones that already
 * start with `~`) round-trips, and no encoded key is reserved.
 *
 * Restored keys are defined as own data properties (never assigned), so a
 * `__proto__` key stays a plain key and no prototype is touched. Values are
 * only copied when a key needs escaping; otherwise they pass through as they
 * are (shared references and cycles keep superjson's handling).
 */
import superjson from 'superjson';
import { plainJsonText, plainJsonValue } from './plain-json.js';

const RESERVED_ESCAPED = /^~*(?:__proto__|constructor|prototype)$/;
const RESERVED_UNESCAPED = /^~+(?:__proto__|constructor|prototype)$/;

type KeyRewrite = (key: string) => string | undefined;

/** The escaped form of a key that needs one (a reserved name, with any `~` prefix). */
const escapeKey: KeyRewrite = (key) => (RESERVED_ESCAPED.test(key) ? `~${key}` : undefined);
/** The original form of an escaped key. */
const unescapeKey: KeyRewrite = (key) => (RESERVED_UNESCAPED.test(key) ? key.slice(1) : undefined);

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Whether any plain object inside `value` has a key `rewrite` changes. */
function needsRewrite(value: unknown, rewrite: KeyRewrite, seen: Set<object>): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) return value.some((item) => needsRewrite(item, rewrite, seen));
  if (value instanceof Map) {
    for (const [key, item] of value) if (needsRewrite(key, rewrite, seen) || needsRewrite(item, rewrite, seen)) return true;
    return false;
  }
  if (value instanceof Set) {
    for (const item of value) if (needsRewrite(item, rewrite, seen)) return true;
    return false;
  }
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) {
    if (rewrite(key) !== undefined || needsRewrite(Reflect.get(value, key), rewrite, seen)) return true;
  }
  return false;
}

/** A copy of `value` with plain objects' keys rewritten; shared references and cycles are kept. */
function rewriteKeys(value: unknown, rewrite: KeyRewrite, copies: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const done = copies.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const item of value) copy.push(rewriteKeys(item, rewrite, copies));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    copies.set(value, copy);
    for (const [key, item] of value) copy.set(rewriteKeys(key, rewrite, copies), rewriteKeys(item, rewrite, copies));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set<unknown>();
    copies.set(value, copy);
    for (const item of value) copy.add(rewriteKeys(item, rewrite, copies));
    return copy;
  }
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  copies.set(value, copy);
  for (const key of Object.keys(value)) {
    // defineProperty, not assignment: a `__proto__` key must become an own key, not the prototype.
    Object.defineProperty(copy, rewrite(key) ?? key, {
      value: rewriteKeys(Reflect.get(value, key), rewrite, copies),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

function rewritten<T>(value: T, rewrite: KeyRewrite): unknown {
  return needsRewrite(value, rewrite, new Set()) ? rewriteKeys(value, rewrite, new Map()) : value;
}

/**
 * superjson's `stringify`, for values whose keys may be `__proto__`, `constructor` or `prototype`.
 *
 * @example
 * ```ts
 * const line = stringifySafe(JSON.parse('{"constructor":{"prototype":1}}'));
 * parseSafe(line); // { constructor: { prototype: 1 } }
 * ```
 */
export function stringifySafe(value: unknown): string {
  // A reserved key makes plainJsonText decline, so the escaping below still applies to it.
  return plainJsonText(value) ?? superjson.stringify(rewritten(value, escapeKey));
}

/**
 * superjson's `parse` for text written by {@link stringifySafe}: escaped keys are restored as own keys.
 *
 * @example
 * ```ts
 * const value = parseSafe(stringifySafe({ '~prototype': 1 })); // { '~prototype': 1 }
 * ```
 */
export function parseSafe(text: string): unknown {
  // Plain lines (no annotations, no reserved or escaped keys) are plain JSON: JSON.parse gives superjson's value.
  const plain = text.includes('~') ? undefined : plainJsonValue(text);
  if (plain) return plain.value;
  const value: unknown = superjson.parse(text);
  // Every escaped key is in the text as written: without one, there is nothing to restore (the common case).
  return ESCAPED_IN_TEXT.some((marker) => text.includes(marker)) ? rewritten(value, unescapeKey) : value;
}

const ESCAPED_IN_TEXT = ['~__proto__', '~constructor', '~prototype'];
