/**
 * Generates a value that satisfies a JSON Schema: how the simulated provider
 * answers structured-output requests and fills tool arguments. Covers the
 * subset model providers accept (and `z.toJSONSchema` emits): object, array,
 * string, number, integer, boolean, null, enum, const, properties/required,
 * additionalProperties, propertyNames, bounds (inclusive and exclusive),
 * multipleOf, string lengths and common formats, item counts, prefixItems,
 * uniqueItems, anyOf/oneOf/allOf and `$ref` into `$defs`/`definitions`.
 * `pattern`s made of literals, classes, groups, alternation and quantifiers are
 * solved by a small generator. Not covered: lookarounds and backreferences,
 * `not`, `if/then/else`, `contains`, `patternProperties`, `dependentSchemas`.
 */
import type { JsonSchema } from '../../protocols/model.js';
import type { Random } from './random.js';
import { fitLength, numberBounds, numberField, sampleFormat, sampleNumberIn, samplePattern, satisfiesNumber, type NumberBounds } from './schema-sample-scalars.js';

export type { NumberBounds } from './schema-sample-scalars.js';

/** Where in the value a hook is asked for something. */
export interface SampleSite {
  /** Property names and array indexes from the root. */
  readonly path: readonly (string | number)[];
  /** The nearest enclosing property name (for array items, the array's name). */
  readonly propertyName: string | undefined;
  /** Index within the nearest enclosing array, if any. */
  readonly index: number | undefined;
  /** The schema's `description`, when it has one. */
  readonly description: string | undefined;
  /** A stream dedicated to this site. */
  readonly random: Random;
}

/** Lets the caller supply meaningful strings and numbers; the sampler still enforces every constraint. */
export interface SchemaSampleHooks {
  /** A string for this site, or undefined for the generic one. Length is fitted afterwards. */
  string?(site: SampleSite): string | undefined;
  /** A number for this site within `bounds`, or undefined. Ignored if it breaks a constraint. */
  number?(site: SampleSite, bounds: NumberBounds): number | undefined;
}

export interface SampleSchemaOptions {
  readonly random: Random;
  readonly hooks?: SchemaSampleHooks;
  /** Beyond this depth optional properties are left out and arrays take their minimum. Default 6. */
  readonly softMaxDepth?: number;
}

/** The schema cannot be satisfied (e.g. `false`, min above max) or does not resolve. */
export class SchemaSampleError extends Error {
  constructor(message: string, readonly path: readonly (string | number)[]) {
    super(`${message} at ${path.length === 0 ? '(root)' : path.join('.')}`);
    this.name = 'SchemaSampleError';
  }
}

/** Recursion guard for schemas whose required properties recurse forever. */
const HARD_MAX_DEPTH = 64;

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

interface Walk {
  readonly root: JsonSchema;
  readonly hooks: SchemaSampleHooks;
  readonly softMaxDepth: number;
}

interface Position {
  readonly path: readonly (string | number)[];
  readonly propertyName: string | undefined;
  readonly index: number | undefined;
  readonly depth: number;
  readonly random: Random;
}

/**
 * A value that satisfies `schema`, deterministic for `options.random`.
 *
 * @example
 * ```ts
 * const value = sampleSchema(
 *   { type: 'object', properties: { score: { type: 'integer', minimum: 1, maximum: 5 } }, required: ['score'] },
 *   { random: createRandom(hashString('x')) },
 * ); // e.g. { score: 3 }
 * ```
 */
export function sampleSchema(schema: JsonSchema | boolean, options: SampleSchemaOptions): unknown {
  const root = isSchema(schema) ? schema : {};
  const walk: Walk = { root, hooks: options.hooks ?? {}, softMaxDepth: options.softMaxDepth ?? 6 };
  return sampleAt(walk, schema, { path: [], propertyName: undefined, index: undefined, depth: 0, random: options.random });
}

function resolveRef(walk: Walk, ref: string, path: readonly (string | number)[]): JsonSchema {
  if (!ref.startsWith('#')) throw new SchemaSampleError(`cannot resolve external $ref "${ref}"`, path);
  let target: unknown = walk.root;
  const pointer = decodeURIComponent(ref.slice(1));
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    target = isSchema(target) ? target[key] : Array.isArray(target) ? target[Number(key)] : undefined;
  }
  if (target === true) return {};
  if (!isSchema(target)) throw new SchemaSampleError(`$ref "${ref}" does not resolve to a schema`, path);
  return target;
}

/** Shallow merge of two schemas, uniting properties and required (allOf, $ref siblings, anyOf with siblings). */
function mergeSchemas(base: JsonSchema, extra: JsonSchema): JsonSchema {
  const merged: Record<string, unknown> = { ...base, ...extra };
  const baseProps = base['properties'];
  const extraProps = extra['properties'];
  if (isSchema(baseProps) && isSchema(extraProps)) merged['properties'] = { ...baseProps, ...extraProps };
  const required = [...new Set([...stringList(base['required']), ...stringList(extra['required'])])];
  if (required.length > 0) merged['required'] = required;
  return merged;
}

/** Removes composition keywords and resolves `$ref`/`allOf`/`anyOf`/`oneOf` down to one concrete schema. */
function flatten(walk: Walk, schema: JsonSchema, position: Position, hops = 0): JsonSchema {
  if (hops > HARD_MAX_DEPTH) throw new SchemaSampleError('$ref/allOf chain too deep', position.path);
  const { $ref, allOf, anyOf, oneOf, ...rest } = schema;
  let current: JsonSchema = rest;
  if (typeof $ref === 'string') current = mergeSchemas(resolveRef(walk, $ref, position.path), current);
  if (Array.isArray(allOf)) {
    for (const part of allOf) if (isSchema(part)) current = mergeSchemas(current, part);
  }
  const branches = Array.isArray(anyOf) ? anyOf : Array.isArray(oneOf) ? oneOf : undefined;
  if (branches) current = mergeSchemas(current, chooseBranch(walk, branches, position));
  const nested = ['$ref', 'allOf', 'anyOf', 'oneOf'].some((key) => key in current);
  return nested ? flatten(walk, current, position, hops + 1) : current;
}

function isNullBranch(branch: JsonSchema): boolean {
  return branch['type'] === 'null' || branch['const'] === null;
}

/** Prefers non-null branches (a meaningful answer over a null), and non-recursive ones when deep. */
function chooseBranch(walk: Walk, branches: readonly unknown[], position: Position): JsonSchema {
  const schemas = branches.filter(isSchema);
  if (schemas.length === 0) throw new SchemaSampleError('anyOf/oneOf has no satisfiable branch', position.path);
  const deep = position.depth >= walk.softMaxDepth;
  const preferred = schemas.filter((branch) => !isNullBranch(branch) && !(deep && JSON.stringify(branch).includes('$ref')));
  const fallback = deep ? schemas.filter((branch) => !JSON.stringify(branch).includes('$ref')) : [];
  const pool = preferred.length > 0 ? preferred : fallback.length > 0 ? fallback : schemas;
  return position.random.fork('branch').pick(pool);
}

function typeOf(schema: JsonSchema): string {
  const declared = schema['type'];
  if (typeof declared === 'string') return declared;
  if (Array.isArray(declared)) {
    const types = declared.filter((item): item is string => typeof item === 'string');
    return types.find((item) => item !== 'null') ?? types[0] ?? 'string';
  }
  if ('properties' in schema || 'required' in schema || 'additionalProperties' in schema) return 'object';
  if ('items' in schema || 'prefixItems' in schema || 'minItems' in schema) return 'array';
  if ('minimum' in schema || 'maximum' in schema || 'exclusiveMinimum' in schema || 'multipleOf' in schema) return 'number';
  return 'string';
}

function child(position: Position, key: string | number, isIndex: boolean): Position {
  return {
    path: [...position.path, key],
    propertyName: isIndex ? position.propertyName : String(key),
    index: isIndex && typeof key === 'number' ? key : undefined,
    depth: position.depth + 1,
    random: position.random.fork(key),
  };
}

function sampleAt(walk: Walk, input: unknown, position: Position): unknown {
  if (position.depth > HARD_MAX_DEPTH) throw new SchemaSampleError('schema recurses without end', position.path);
  if (input === false) throw new SchemaSampleError('the schema `false` accepts no value', position.path);
  if (!isSchema(input)) return sampleString(walk, {}, position);
  const schema = flatten(walk, input, position);
  if ('const' in schema) return schema['const'];
  if (Array.isArray(schema['enum'])) {
    const members: readonly unknown[] = schema['enum'];
    if (members.length === 0) throw new SchemaSampleError('enum is empty', position.path);
    return position.random.fork('enum').pick(members);
  }
  switch (typeOf(schema)) {
    case 'object':
      return sampleObject(walk, schema, position);
    case 'array':
      return sampleArray(walk, schema, position);
    case 'integer':
      return sampleNumber(walk, schema, position, true);
    case 'number':
      return sampleNumber(walk, schema, position, false);
    case 'boolean':
      return position.random.fork('boolean').chance(0.5);
    case 'null':
      return null;
    default:
      return sampleString(walk, schema, position);
  }
}

function site(schema: JsonSchema, position: Position): SampleSite {
  const description = schema['description'];
  return {
    path: position.path,
    propertyName: position.propertyName,
    index: position.index,
    description: typeof description === 'string' ? description : undefined,
    random: position.random.fork('hook'),
  };
}

function sampleString(walk: Walk, schema: JsonSchema, position: Position): string {
  const minLength = numberField(schema, 'minLength') ?? 0;
  const maxLength = numberField(schema, 'maxLength') ?? Number.POSITIVE_INFINITY;
  if (minLength > maxLength) throw new SchemaSampleError('minLength is above maxLength', position.path);
  const format = schema['format'];
  const pattern = compilePattern(schema['pattern']);
  const candidates = typeof format === 'string' ? sampleFormat(format, position.random.fork('format')) : [];
  // A known format wins over prose: "summary" with format "uri" must still be a URI.
  const hooked = candidates.length === 0 ? walk.hooks.string?.(site(schema, position)) : undefined;
  if (hooked !== undefined) candidates.push(hooked);
  const name = position.propertyName ?? 'value';
  candidates.push(`${name}-${position.random.fork('suffix').int(1, 999)}`, name, 'a', '0');
  const fits = (text: string): boolean =>
    (!pattern || pattern.test(text)) && text.length <= maxLength && Array.from(text).length >= minLength;
  for (const candidate of candidates) {
    const fitted = fitLength(candidate, minLength, maxLength);
    if (fits(fitted)) return fitted;
  }
  const drawn = typeof schema['pattern'] === 'string' ? samplePattern(schema['pattern'], position.random.fork('pattern'), fits) : undefined;
  if (drawn !== undefined) return drawn;
  // An unsolved pattern: return the best candidate (documented limitation).
  return fitLength(candidates[0] ?? name, minLength, maxLength);
}

function compilePattern(pattern: unknown): RegExp | undefined {
  if (typeof pattern !== 'string') return undefined;
  try {
    return new RegExp(pattern, 'u');
  } catch {
    try {
      return new RegExp(pattern);
    } catch {
      return undefined;
    }
  }
}

function sampleNumber(walk: Walk, schema: JsonSchema, position: Position, integer: boolean): number {
  const bounds = numberBounds(schema, integer);
  if (bounds === undefined) throw new SchemaSampleError('number bounds admit no value', position.path);
  const hooked = walk.hooks.number?.(site(schema, position), bounds);
  if (hooked !== undefined && satisfiesNumber(hooked, bounds)) return hooked;
  return sampleNumberIn(bounds, position.random.fork('number'));
}

function sampleArray(walk: Walk, schema: JsonSchema, position: Position): unknown[] {
  const prefix = Array.isArray(schema['prefixItems'])
    ? schema['prefixItems']
    : Array.isArray(schema['items'])
      ? schema['items']
      : [];
  const rest = Array.isArray(schema['items']) ? schema['additionalItems'] : schema['items'];
  const restAllowed = rest !== false;
  const minItems = Math.max(numberField(schema, 'minItems') ?? 0, 0);
  const maxItems = numberField(schema, 'maxItems') ?? (restAllowed ? Number.POSITIVE_INFINITY : prefix.length);
  if (minItems > maxItems) throw new SchemaSampleError('minItems is above maxItems', position.path);
  if (!restAllowed && minItems > prefix.length) throw new SchemaSampleError('minItems exceeds the tuple length', position.path);
  const deep = position.depth >= walk.softMaxDepth;
  const wanted = deep ? minItems : position.random.fork('count').int(Math.max(minItems, 1), Math.max(minItems, 3));
  const count = Math.min(Math.max(wanted, Math.min(prefix.length, maxItems)), maxItems);
  const unique = schema['uniqueItems'] === true;
  const items: unknown[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < count; index++) {
    const itemSchema: unknown = index < prefix.length ? prefix[index] : rest === undefined ? true : rest;
    let item = sampleAt(walk, itemSchema, child(position, index, true));
    // uniqueItems: re-draw a few times from other forks; give up on surplus items, not required ones.
    for (let attempt = 1; unique && seen.has(JSON.stringify(item)) && attempt <= 8; attempt++) {
      const retry = child(position, index, true);
      item = sampleAt(walk, itemSchema, { ...retry, random: retry.random.fork(`retry-${attempt}`) });
    }
    if (unique && seen.has(JSON.stringify(item))) {
      if (items.length >= minItems) break;
      throw new SchemaSampleError('could not draw enough unique items', position.path);
    }
    seen.add(JSON.stringify(item));
    items.push(item);
  }
  return items;
}

function sampleObject(walk: Walk, schema: JsonSchema, position: Position): Record<string, unknown> {
  const properties = isSchema(schema['properties']) ? schema['properties'] : {};
  const required = new Set(stringList(schema['required']));
  const additional = schema['additionalProperties'];
  const deep = position.depth >= walk.softMaxDepth;
  const result: Record<string, unknown> = {};
  for (const [key, propertySchema] of Object.entries(properties)) {
    const include = required.has(key) || (!deep && position.random.fork(`include:${key}`).chance(0.75));
    if (include) result[key] = sampleAt(walk, propertySchema, child(position, key, false));
  }
  // Required keys without a property schema (e.g. records over an enum) take additionalProperties.
  for (const key of required) {
    if (!(key in result)) result[key] = sampleAt(walk, additional === undefined ? true : additional, child(position, key, false));
  }
  const minProperties = numberField(schema, 'minProperties') ?? 0;
  const maxProperties = numberField(schema, 'maxProperties') ?? Number.POSITIVE_INFINITY;
  const canAdd = additional !== false && Object.keys(properties).length === 0;
  const target = canAdd && !deep ? Math.max(minProperties, 1) : minProperties;
  const names = isSchema(schema['propertyNames']) ? schema['propertyNames'] : { type: 'string' };
  for (let attempt = 0; Object.keys(result).length < Math.min(target, maxProperties) && attempt < target * 4 + 4; attempt++) {
    if (additional === false) break;
    const keyPosition = child(position, `key-${attempt}`, false);
    const key = sampleAt(walk, names, { ...keyPosition, propertyName: 'key' });
    if (typeof key !== 'string' || key in result) continue;
    result[key] = sampleAt(walk, additional === undefined ? true : additional, child(position, key, false));
  }
  if (Object.keys(result).length < minProperties) throw new SchemaSampleError('cannot reach minProperties', position.path);
  return result;
}
