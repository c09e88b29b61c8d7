/**
 * A fast path for superjson's `stringify`: a value made only of plain
 * objects, arrays, strings, booleans, null and finite numbers, with no object
 * reached twice and no key superjson reserves, encodes to exactly
 * `{"json":<JSON.stringify(value)>}` (superjson adds `meta` only for
 * undefined, non-finite numbers, -0, class instances, Dates, Maps, Sets,
 * BigInts and repeated references). One walk to check and one native
 * `JSON.stringify` cost a fraction of superjson's copy of the tree, and a
 * journal encodes a record or more per task.
 */

const RESERVED_KEY = /^~*(?:__proto__|constructor|prototype)$/;

function isPlainJson(value: unknown, seen: Set<object>): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (seen.has(value)) return false;
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlainJson(value[i], seen)) return false;
        }
        return true;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      // Symbol keys and non-enumerable properties are skipped by both encoders; getters are not plain data.
      for (const key of Object.keys(value)) {
        if (RESERVED_KEY.test(key)) return false;
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (!descriptor || !('value' in descriptor) || !isPlainJson(descriptor.value, seen)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * superjson's text for `value` when it is plain JSON, else undefined (encode with superjson).
 *
 * @example
 * ```ts
 * plainJsonText({ a: [1, 'x'] }); // '{"json":{"a":[1,"x"]}}'
 * plainJsonText({ at: new Date() }); // undefined
 * ```
 */
export function plainJsonText(value: unknown): string | undefined {
  if (!isPlainJson(value, new Set())) return undefined;
  return `{"json":${JSON.stringify(value)}}`;
}

/** Words whose presence in a line sends it through superjson: annotations, and keys it treats specially. */
const NOT_PLAIN_MARKERS = ['"meta"', '__proto__', 'constructor', 'prototype'];

/**
 * The value superjson's `parse` gives for a line {@link plainJsonText}
 * could have written (`{"json":…}`, no `meta`), or undefined when the line
 * needs superjson (annotations, reserved keys, anything else).
 *
 * @example
 * ```ts
 * plainJsonValue('{"json":{"a":1}}'); // { found: true, value: { a: 1 } }
 * plainJsonValue('{"json":{"d":"1970-01-01T00:00:00.000Z"},"meta":{"values":{"d":["Date"]}}}'); // undefined
 * ```
 */
export function plainJsonValue(text: string): { readonly value: unknown } | undefined {
  if (!text.startsWith('{"json":')) return undefined;
  for (const marker of NOT_PLAIN_MARKERS) if (text.includes(marker)) return undefined;
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== 'json') return undefined;
  return { value: Reflect.get(parsed, 'json') };
}
