/**
 * Deterministic randomness for the simulated provider: a string hash and a
 * small seeded PRNG, so that the same seed and the same request content
 * (in canonical JSON, `canonicalJson`) always give the same numbers, whatever
 * order calls run in.
 */

/**
 * cyrb53: a fast 53-bit string hash (two interleaved 32-bit multiply-xor
 * lanes). 53 bits rather than FNV-1a's 32 so that request hashes used as map
 * keys (retry counters, prompt-cache entries) practically never collide, even
 * over the 10,000-task benchmarks.
 *
 * @example
 * ```ts
 * hashString('hello') === hashString('hello'); // true
 * hashString('hello', 1) !== hashString('hello', 2); // true
 * ```
 */
export function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Folds a 53-bit hash into the 32-bit state mulberry32 takes. */
function foldTo32(hash: number): number {
  return ((hash % 4294967296) ^ Math.floor(hash / 4294967296)) >>> 0;
}

/** A seeded stream of numbers. Forks are derived from the seed, not from how much was drawn. */
export interface Random {
  /** The 53-bit hash this stream was made from. */
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability `probability`. */
  chance(probability: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A standard normal deviate (Box–Muller). */
  normal(): number;
  /**
   * An independent stream named `label`. It depends only on this stream's seed
   * and the label, so drawing more here never shifts what a fork yields.
   */
  fork(label: string | number): Random;
}

/**
 * A mulberry32 PRNG seeded from a 53-bit hash.
 *
 * @example
 * ```ts
 * const random = createRandom(hashString('seed:42|request'));
 * random.pick(['a', 'b', 'c']);
 * random.fork('latency').next();
 * ```
 */
export function createRandom(seed: number): Random {
  let state = foldTo32(seed);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random: Random = {
    seed,
    next,
    int(min, max) {
      return min + Math.floor(next() * (max - min + 1));
    },
    chance(probability) {
      return next() < probability;
    },
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('Random.pick needs a non-empty list');
      return item;
    },
    normal() {
      // 1 - next() is in (0, 1], so the logarithm is finite.
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    fork(label) {
      return createRandom(hashString(String(label), foldTo32(seed)));
    },
  };
  return random;
}
