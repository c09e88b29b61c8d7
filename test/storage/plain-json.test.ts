import { describe, expect, it } from 'vitest';
import superjson from 'superjson';
import { plainJsonText, plainJsonValue } from '../../src/storage/index.js';
import { parseSafe, stringifySafe } from '../../src/storage/index.js';

/** A deterministic random tree of plain JSON values. */
function randomTree(seed: number, depth: number): unknown {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const build = (level: number): unknown => {
    const pick = next();
    if (level >= depth || pick < 0.3) {
      const leaf = next();
      if (leaf < 0.25) return `s${Math.floor(next() * 1000)} "quoted"\n\u2028é`;
      if (leaf < 0.5) return Math.round(next() * 1e6) / 100 - 5000;
      if (leaf < 0.75) return next() < 0.5;
      return null;
    }
    if (pick < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => build(level + 1));
    const object: Record<string, unknown> = next() < 0.2 ? Object.create(null) : {};
    for (let i = 0; i < Math.floor(next() * 5); i++) object[`k${Math.floor(next() * 50)}`] = build(level + 1);
    return object;
  };
  return build(0);
}

describe('plainJsonText', () => {
  it('encodes plain JSON exactly as superjson does', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const value = randomTree(seed, 5);
      expect(plainJsonText(value)).toBe(superjson.stringify(value));
    }
    const record = { at: 1, type: 'task.finished', seq: 3, result: { usage: { inputTokens: 1 }, output: 'ok', alternatives: [] } };
    expect(plainJsonText(record)).toBe(superjson.stringify(record));
  });

  it('declines what superjson annotates, and stringifySafe then round-trips it', () => {
    const shared = { a: 1 };
    const declined: unknown[] = [
      { a: undefined },
      [1, undefined],
      { n: Number.NaN },
      { n: Number.POSITIVE_INFINITY },
      { n: -0 },
      { d: new Date(0) },
      { m: new Map([[1, 2]]) },
      { s: new Set([1]) },
      { b: 10n },
      { twice: [shared, shared] },
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3],
    ];
    for (const value of declined) {
      expect(plainJsonText(value)).toBeUndefined();
      expect(stringifySafe(value)).toBe(superjson.stringify(value));
    }
    for (const value of [{ constructor: { prototype: 1 } }, { '~__proto__': 1 }]) {
      expect(plainJsonText(value)).toBeUndefined();
      expect(parseSafe(stringifySafe(value))).toEqual(value);
    }
  });

  it('declines a getter instead of running it', () => {
    let reads = 0;
    const value = {
      get x() {
        reads++;
        return 1;
      },
    };
    expect(plainJsonText(value)).toBeUndefined();
    expect(reads).toBe(0);
  });
});

describe('plainJsonValue', () => {
  it('reads a plain line as superjson does', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const text = superjson.stringify(randomTree(seed, 5));
      const plain = plainJsonValue(text);
      expect(plain).toBeDefined();
      expect(plain?.value).toStrictEqual(superjson.parse(text));
      expect(parseSafe(text)).toStrictEqual(superjson.parse(text));
    }
  });

  it('leaves annotated lines and lines with reserved or escaped keys to superjson', () => {
    for (const value of [{ d: new Date(0) }, { a: undefined }, { constructor: 1 }, { '~__proto__': 2 }]) {
      const text = stringifySafe(value);
      expect(plainJsonValue(text)).toBeUndefined();
      expect(parseSafe(text)).toEqual(value);
    }
    expect(plainJsonValue('{"json":1,"other":2}')).toBeUndefined();
    expect(plainJsonValue('[1]')).toBeUndefined();
    expect(() => parseSafe('{"json":{"a":')).toThrow();
  });
});
