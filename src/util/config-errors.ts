/**
 * Zod issues as ConfigErrors a person can act on: the field, what is allowed
 * and, for a value that is close to an allowed one, a "did you mean". An enum
 * field (or a union of an enum with other kinds, like `provider` or
 * `journal`) lists every allowed value and kind, and says what it got.
 */
import { z } from 'zod';
import { ConfigError } from '../protocols/errors/errors.js';
import { closestMatch } from './closest-match.js';

type Issue = z.core.$ZodIssue;

/** Strings a person may write for a boolean, and the boolean they mean. */
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  yes: true,
  on: true,
  '1': true,
  false: false,
  no: false,
  off: false,
  '0': false,
};

/** Longest got-value quoted in a message: enough for a typo; a longer one (a pasted secret, say) is not quoted at all. */
const MAX_QUOTED = 40;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The value at `path` inside `root`, when there is one. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (!isRecord(value) || typeof key === 'symbol') return undefined;
    value = Object.hasOwn(value, key) ? value[key] : undefined;
  }
  return value;
}

/** A short rendering of what the caller gave. */
function describeGot(value: unknown): string {
  if (typeof value === 'string') return value.length > MAX_QUOTED ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** `"a", "b" or "c"`. */
function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}

/** What one branch of a union (or a lone issue) allows, as phrases: `"fs"`, `true`, `an object`, `a JournalStorage`. */
function allowedBy(issue: Issue): { phrases: string[]; values: string[] } {
  switch (issue.code) {
    case 'invalid_value': {
      const values = issue.values.filter((v): v is string => typeof v === 'string');
      return { phrases: issue.values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))), values };
    }
    case 'invalid_type':
      if (issue.expected === 'boolean') return { phrases: ['true', 'false'], values: [] };
      return { phrases: [issue.expected === 'object' ? 'an object' : `a ${issue.expected}`], values: [] };
    case 'custom':
      return { phrases: [issue.message.replace(/^must be /, '')], values: [] };
    default:
      return { phrases: [], values: [] };
  }
}

/** The hint for a value against what is allowed: the nearest allowed string (or one it abbreviates), or the boolean a word means. */
function hintFor(got: unknown, values: readonly string[], allowsBoolean: boolean): string {
  if (typeof got === 'string') {
    const lower = got.toLowerCase();
    const near =
      closestMatch(got, values, { ignoreCase: true }) ??
      (lower.length >= 2 ? values.find((value) => value.toLowerCase().startsWith(lower)) : undefined);
    if (near !== undefined) return `; did you mean "${near}"?`;
    const word = BOOLEAN_WORDS[got.trim().toLowerCase()];
    if (allowsBoolean && word !== undefined) return `; did you mean ${String(word)} (a boolean, not a string)?`;
  }
  return '';
}

/** Issue codes that say a value is not of a union branch's kind at all (as opposed to a bad part of a matching value). */
const KIND_MISMATCH = new Set<Issue['code']>(['invalid_type', 'invalid_value', 'custom', 'invalid_union']);

/**
 * The issue to report and its absolute path. In a union, a branch whose issue
 * lies deeper than the union itself is the one the value matched in kind
 * (an object with a bad field): that branch's issue is the one to explain.
 */
function deepest(issue: Issue, base: readonly PropertyKey[]): { issue: Issue; path: PropertyKey[] } {
  const path = [...base, ...issue.path];
  if (issue.code !== 'invalid_union') return { issue, path };
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first && (first.path.length > 0 || !KIND_MISMATCH.has(first.code))) return deepest(first, path);
  }
  return { issue, path };
}

/** The message for an enum-like issue (a value outside a set, or a union of such with other kinds). */
function allowedValuesMessage(issue: Issue, got: unknown): string | undefined {
  const branches = issue.code === 'invalid_union' ? issue.errors.map((branch) => branch[0]) : [issue];
  const phrases: string[] = [];
  const values: string[] = [];
  for (const branch of branches) {
    if (!branch) continue;
    const allowed = allowedBy(branch);
    phrases.push(...allowed.phrases);
    values.push(...allowed.values);
  }
  if (values.length === 0 && issue.code !== 'invalid_union') return undefined;
  if (phrases.length === 0) return undefined;
  return `must be ${orList(phrases)} (got ${describeGot(got)})${hintFor(got, values, phrases.includes('true'))}`;
}

/** `schema` without its optional / default / nullable wrappers. */
function unwrapped(schema: unknown): unknown {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodPrefault ||
    current instanceof z.ZodNullable
  ) {
    current = current.unwrap();
  }
  return current;
}

/** The object schema at `path` inside `schema` (in a union, its object branch), if there is one. */
function objectAt(schema: unknown, path: readonly PropertyKey[]): z.ZodObject | undefined {
  let current = unwrapped(schema);
  for (const key of [...path, undefined]) {
    if (current instanceof z.ZodUnion) current = current.options.map(unwrapped).find((option) => option instanceof z.ZodObject);
    if (!(current instanceof z.ZodObject)) return undefined;
    if (key === undefined) return current;
    if (typeof key !== 'string' || !Object.hasOwn(current.shape, key)) return undefined;
    current = unwrapped(current.shape[key]);
  }
  return undefined;
}

/** `unknown field(s) "a", "b"`, with the nearest known field for the first when the schema is known. */
function unknownFieldsMessage(keys: readonly string[], known: readonly string[] | undefined): string {
  const first = keys[0];
  const hint = first !== undefined && known ? closestMatch(first, known, { ignoreCase: true }) : undefined;
  return `unknown field(s) ${keys.map((k) => `"${k}"`).join(', ')}${hint ? `; did you mean "${hint}"?` : ''}`;
}

/**
 * A ConfigError for a value outside a set of names, for checks made outside a
 * zod schema: it lists the allowed names (and any other allowed kinds), says
 * what it got and suggests the nearest name.
 *
 * @example
 * ```ts
 * throw notOneOf('storage', 'memry', ['fs', 'memory'], ['an ArtifactStorage']);
 * // Invalid config "storage": must be "fs", "memory" or an ArtifactStorage (got "memry"); did you mean "memory"?
 * ```
 */
export function notOneOf(field: string, got: unknown, allowed: readonly string[], otherKinds: readonly string[] = []): ConfigError {
  const phrases = [...allowed.map((name) => JSON.stringify(name)), ...otherKinds];
  return new ConfigError(field, `must be ${orList(phrases)} (got ${describeGot(got)})${hintFor(got, allowed, false)}`);
}

/**
 * Turns the first zod issue into a ConfigError naming the field. With the
 * `input` that was parsed, an enum field's error lists the allowed values,
 * says what it got and suggests the closest allowed value; with the `schema`,
 * an unknown field gets the nearest known one.
 *
 * @example
 * ```ts
 * const parsed = orchestratorConfigSchema.safeParse({ provider: 'antropic' });
 * if (!parsed.success) throw configErrorFrom(parsed.error, '', { provider: 'antropic' });
 * // Invalid config "provider": must be "simulated", "anthropic", "openai" or a ModelProvider (got "antropic"); did you mean "anthropic"?
 * ```
 */
export function configErrorFrom(error: z.ZodError, prefix = '', input?: unknown, schema?: z.ZodType): ConfigError {
  const first = error.issues[0];
  if (!first) return new ConfigError(prefix || '(root)', 'invalid value');
  const { issue, path } = deepest(first, []);
  const field = [prefix, path.map(String).join('.')].filter(Boolean).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const known = schema === undefined ? undefined : objectAt(schema, path)?.keyof().options;
    return new ConfigError(field, unknownFieldsMessage(issue.keys, known));
  }
  if (issue.code === 'invalid_value' || issue.code === 'invalid_union') {
    const message = allowedValuesMessage(issue, valueAt(input, path));
    if (message) return new ConfigError(field, message);
  }
  return new ConfigError(field, issue.message);
}
