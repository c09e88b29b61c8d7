/**
 * "Did you mean …?" for names: the nearest candidate by edit distance, used by
 * validation messages to point at a likely typo.
 */

/**
 * Levenshtein distance between two strings, in O(|a|·|b|) time and O(|b|) space.
 */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate nearest to `wanted` by edit distance, when it is close enough
 * to be a plausible typo: at most max(2, ⌊length/3⌋) edits. Ties go to the
 * first candidate.
 *
 * @example
 * ```ts
 * closestMatch('reseacher', ['researcher', 'writer']); // 'researcher'
 * closestMatch('agent_id', ['agentId'], { ignoreCase: true }); // 'agentId'
 * ```
 */
export function closestMatch(wanted: string, candidates: Iterable<string>, options: { ignoreCase?: boolean } = {}): string | undefined {
  const fold = (s: string) => (options.ignoreCase ? s.toLowerCase() : s);
  const target = fold(wanted);
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 3)) + 1;
  for (const candidate of candidates) {
    // Cheap bound first: lengths alone already differ by too much.
    if (Math.abs(candidate.length - wanted.length) >= bestDistance) continue;
    const distance = editDistance(target, fold(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
