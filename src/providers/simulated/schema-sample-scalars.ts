/**
 * Scalar helpers of the schema sampler: numeric bounds (inclusive, exclusive,
 * multipleOf), string length fitting and `format` samples.
 */
import type { JsonSchema } from '../../protocols/model.js';
import type { Random } from './random.js';

/** A finite number stored under `key`, or undefined. */
export function numberField(schema: JsonSchema, key: string): number | undefined {
  const value = schema[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Numeric constraints normalised: integer bounds made inclusive, open ends infinite. */
export interface NumberBounds {
  readonly min: number;
  readonly max: number;
  readonly exclusiveMin: boolean;
  readonly exclusiveMax: boolean;
  readonly integer: boolean;
  readonly multipleOf: number | undefined;
}

/** One side of a range from `minimum`/`exclusiveMinimum` (numeric 2020-12 or boolean draft-04 form). */
function bound(schema: JsonSchema, inclusiveKey: string, exclusiveKey: string, stricter: (a: number, b: number) => boolean) {
  const inclusive = numberField(schema, inclusiveKey);
  const exclusiveValue = schema[exclusiveKey];
  if (typeof exclusiveValue === 'number' && (inclusive === undefined || stricter(exclusiveValue, inclusive) || exclusiveValue === inclusive)) {
    return { value: exclusiveValue, exclusive: true };
  }
  if (inclusive !== undefined) return { value: inclusive, exclusive: exclusiveValue === true };
  return undefined;
}

/** The schema's numeric bounds, or undefined when they admit no value. */
export function numberBounds(schema: JsonSchema, integer: boolean): NumberBounds | undefined {
  const lower = bound(schema, 'minimum', 'exclusiveMinimum', (a, b) => a > b);
  const upper = bound(schema, 'maximum', 'exclusiveMaximum', (a, b) => a < b);
  const multipleOf = numberField(schema, 'multipleOf');
  let min = lower?.value ?? Number.NEGATIVE_INFINITY;
  let max = upper?.value ?? Number.POSITIVE_INFINITY;
  let exclusiveMin = lower?.exclusive ?? false;
  let exclusiveMax = upper?.exclusive ?? false;
  if (integer) {
    min = exclusiveMin ? Math.floor(min) + 1 : Math.ceil(min);
    max = exclusiveMax ? Math.ceil(max) - 1 : Math.floor(max);
    exclusiveMin = false;
    exclusiveMax = false;
  }
  if (min > max || (min === max && (exclusiveMin || exclusiveMax))) return undefined;
  const bounds = { min, max, exclusiveMin, exclusiveMax, integer, multipleOf: multipleOf !== undefined && multipleOf > 0 ? multipleOf : undefined };
  if (bounds.multipleOf !== undefined) {
    const [first, last] = multipleRange(bounds, bounds.multipleOf);
    if (first > last) return undefined;
  }
  return bounds;
}

function isMultiple(value: number, step: number): boolean {
  const ratio = value / step;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}

/** Whether `value` meets every constraint in `bounds`. */
export function satisfiesNumber(value: number, bounds: NumberBounds): boolean {
  if (!Number.isFinite(value)) return false;
  if (bounds.integer && !Number.isInteger(value)) return false;
  if (bounds.exclusiveMin ? value <= bounds.min : value < bounds.min) return false;
  if (bounds.exclusiveMax ? value >= bounds.max : value > bounds.max) return false;
  return bounds.multipleOf === undefined || isMultiple(value, bounds.multipleOf);
}

/** Range of k such that k * step lies in the bounds (infinite ends stay infinite). */
function multipleRange(bounds: NumberBounds, step: number): [number, number] {
  let first = Math.ceil(bounds.min / step);
  let last = Math.floor(bounds.max / step);
  if (bounds.exclusiveMin && first * step <= bounds.min) first += 1;
  if (bounds.exclusiveMax && last * step >= bounds.max) last -= 1;
  return [first, last];
}

/** Decimal places of a step such as 0.05, to undo float noise in k * step. */
function decimalsOf(step: number): number {
  const text = String(step);
  const exponent = /e-(\d+)$/.exec(text);
  if (exponent?.[1]) return Number(exponent[1]);
  return text.includes('.') ? (text.split('.')[1] ?? '').length : 0;
}

/**
 * A number in `bounds`. Huge ranges (such as z.int()'s ±2^53) are narrowed to
 * a window of 100 near zero or the nearest bound, so values look ordinary.
 */
export function sampleNumberIn(bounds: NumberBounds, random: Random): number {
  let low = Number.isFinite(bounds.min) ? bounds.min : Number.isFinite(bounds.max) ? bounds.max - 100 : 0;
  let high = Number.isFinite(bounds.max) ? bounds.max : low + 100;
  if (high - low > 1000) {
    const anchor = low <= 0 && high >= 0 ? 0 : low > 0 ? low : high - 100;
    low = Math.max(low, anchor);
    high = Math.min(high, anchor + 100);
  }
  if (bounds.multipleOf !== undefined) {
    const step = bounds.multipleOf;
    const [first, last] = multipleRange(bounds, step);
    const from = Math.max(first, Math.ceil(low / step));
    const to = Math.min(last, Math.floor(high / step));
    const k = from <= to ? random.int(from, to) : Number.isFinite(first) ? first : Number.isFinite(last) ? last : 0;
    return Number((k * step).toFixed(Math.min(decimalsOf(step), 20)));
  }
  if (bounds.integer) return random.int(Math.ceil(low), Math.floor(high));
  const rounded = Math.round((low + random.next() * (high - low)) * 100) / 100;
  if (satisfiesNumber(rounded, bounds)) return rounded;
  return (low + high) / 2;
}

/** Truncates at a word boundary or pads with words so the length fits [min, max]. */
export function fitLength(text: string, minLength: number, maxLength: number): string {
  let result = text;
  if (result.length > maxLength) {
    const cut = Array.from(result).slice(0, maxLength).join('');
    const space = cut.lastIndexOf(' ');
    result = space >= maxLength * 0.6 && space >= minLength ? cut.slice(0, space).replace(/[\s,;:]+$/, '') : cut;
    while (result.length > maxLength) result = Array.from(result).slice(0, -1).join('');
  }
  const filler = result.split(/\s+/).filter((word) => /^[a-z]+$/i.test(word));
  for (let i = 0; Array.from(result).length < minLength; i++) {
    const word = filler.length > 0 ? filler[i % filler.length] : 'detail';
    result += result.length === 0 ? word : ` ${word}`;
  }
  return result.length > maxLength ? result.slice(0, maxLength) : result;
}

const pad2 = (value: number): string => String(value).padStart(2, '0');

/** Candidate strings for a `format`, most standard first (a `pattern` may then pick a later one). */
export function sampleFormat(format: string, random: Random): string[] {
  const date = `${random.int(2024, 2026)}-${pad2(random.int(1, 12))}-${pad2(random.int(1, 28))}`;
  const time = `${pad2(random.int(0, 23))}:${pad2(random.int(0, 59))}:${pad2(random.int(0, 59))}`;
  const hex = (length: number): string => Array.from({ length }, () => random.int(0, 15).toString(16)).join('');
  const word = random.pick(['alpha', 'beta', 'gamma', 'delta', 'sigma', 'omega']);
  switch (format) {
    case 'date-time':
      return [`${date}T${time}Z`, `${date}T${time}.000Z`, `${date}T${time}+00:00`];
    case 'date':
      return [date];
    case 'time':
      return [`${time}Z`, time, `${time}+00:00`];
    case 'duration':
      return [`PT${random.int(1, 59)}M`];
    case 'email':
    case 'idn-email':
      return [`${word}.agent${random.int(1, 99)}@example.com`];
    case 'uri':
    case 'url':
    case 'iri':
    case 'uri-reference':
    case 'iri-reference':
      return [`https://example.com/${word}/${random.int(1, 999)}`];
    case 'uuid':
    case 'guid':
      return [`${hex(8)}-${hex(4)}-4${hex(3)}-${random.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`];
    case 'ipv4':
      return [`10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`];
    case 'ipv6':
      return [`2001:db8::${hex(4)}`];
    case 'hostname':
    case 'idn-hostname':
      return [`${word}${random.int(1, 99)}.example.com`];
    case 'byte':
    case 'base64':
      return [Buffer.from(`simulated ${word}`).toString('base64')];
    case 'json-pointer':
      return [`/${word}/${random.int(0, 9)}`];
    case 'regex':
      return [`^${word}$`];
    default:
      return [];
  }
}

/** A parsed regular-expression node, for the tiny sampler below. */
type RegexNode =
  | { readonly kind: 'chars'; readonly chars: readonly string[] }
  | { readonly kind: 'sequence'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'choice'; readonly options: readonly RegexNode[] }
  | { readonly kind: 'repeat'; readonly node: RegexNode; readonly min: number; readonly max: number };

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const DIGITS = PRINTABLE.filter((c) => /\d/.test(c));
const WORD = PRINTABLE.filter((c) => /\w/.test(c));
const ESCAPES: Record<string, readonly string[]> = {
  d: DIGITS,
  w: WORD,
  s: [' '],
  D: PRINTABLE.filter((c) => !/\d/.test(c)),
  W: PRINTABLE.filter((c) => !/\w/.test(c)),
  S: PRINTABLE.filter((c) => !/\s/.test(c)),
};

/** Parses the common subset of patterns: literals, classes, groups, alternation, quantifiers. Throws on the rest. */
function parseRegex(source: string): RegexNode {
  let at = 0;
  const fail = (): never => {
    throw new Error(`unsupported pattern near ${at}`);
  };
  const escaped = (): readonly string[] => {
    const c = source[at++] ?? fail();
    return ESCAPES[c] ?? (/[a-zA-Z0-9]/.test(c) ? fail() : [c]);
  };
  const charClass = (): readonly string[] => {
    const negated = source[at] === '^';
    if (negated) at++;
    const set = new Set<string>();
    for (let first = true; source[at] !== ']' || first; first = false) {
      if (at >= source.length) fail();
      const start = source[at] === '\\' ? (at++, escaped()) : [source[at++] ?? ''];
      if (source[at] === '-' && source[at + 1] !== ']' && start.length === 1) {
        at++;
        const end = (source[at] === '\\' ? (at++, escaped()) : [source[at++] ?? ''])[0] ?? fail();
        const from = (start[0] ?? '').charCodeAt(0);
        for (let code = from; code <= end.charCodeAt(0); code++) set.add(String.fromCharCode(code));
      } else for (const c of start) set.add(c);
    }
    at++;
    return negated ? PRINTABLE.filter((c) => !set.has(c)) : [...set];
  };
  const atom = (): RegexNode => {
    const c = source[at++] ?? fail();
    if (c === '(') {
      if (source[at] === '?') (source[at + 1] === ':' ? (at += 2) : fail());
      const inner = alternation();
      if (source[at++] !== ')') fail();
      return inner;
    }
    if (c === '[') return { kind: 'chars', chars: charClass() };
    if (c === '\\') return { kind: 'chars', chars: escaped() };
    if (c === '.') return { kind: 'chars', chars: WORD };
    if ('*+?{)|'.includes(c)) fail();
    return { kind: 'chars', chars: [c] };
  };
  const quantified = (): RegexNode => {
    const node = atom();
    const c = source[at];
    let range: [number, number] | undefined;
    if (c === '*') range = [0, 3];
    else if (c === '+') range = [1, 4];
    else if (c === '?') range = [0, 1];
    else if (c === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at)) ?? fail();
      const min = Number(match[1]);
      range = [min, match[2] === undefined ? min : match[3] ? Number(match[3]) : min + 3];
      at += match[0].length - 1;
    }
    if (!range) return node;
    at++;
    if (source[at] === '?') at++;
    return { kind: 'repeat', node, min: range[0], max: range[1] };
  };
  const sequence = (): RegexNode => {
    const items: RegexNode[] = [];
    while (at < source.length && source[at] !== '|' && source[at] !== ')') {
      if (source[at] === '^' || source[at] === '$') at++;
      else items.push(quantified());
    }
    return { kind: 'sequence', items };
  };
  function alternation(): RegexNode {
    const options = [sequence()];
    while (source[at] === '|') {
      at++;
      options.push(sequence());
    }
    return options.length === 1 ? (options[0] ?? fail()) : { kind: 'choice', options };
  }
  const tree = alternation();
  if (at < source.length) fail();
  return tree;
}

function generate(node: RegexNode, random: Random): string {
  switch (node.kind) {
    case 'chars':
      return node.chars.length === 0 ? '' : random.pick(node.chars);
    case 'sequence':
      return node.items.map((item) => generate(item, random)).join('');
    case 'choice':
      return generate(random.pick(node.options), random);
    case 'repeat': {
      const count = random.int(node.min, node.max);
      return Array.from({ length: count }, () => generate(node.node, random)).join('');
    }
  }
}

/**
 * A string matching `pattern`, for patterns made of literals, classes, groups,
 * alternation and quantifiers (anchored at both ends); undefined for anything
 * else (lookarounds, backreferences) or when the draw does not match.
 */
export function samplePattern(pattern: string, random: Random, accepts: (text: string) => boolean): string | undefined {
  let tree: RegexNode;
  try {
    tree = parseRegex(pattern);
  } catch {
    return undefined;
  }
  for (let attempt = 0; attempt < 8; attempt++) {
    const text = generate(tree, random);
    if (accepts(text)) return text;
  }
  return undefined;
}
