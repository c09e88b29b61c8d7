/**
 * Artifact ids double as directory names on disk, so they are validated before
 * anything else: no id can name a path outside the workspace.
 */
import { InvalidArtifactIdError } from '../protocols/errors/errors.js';

/** Longest accepted id, in characters. */
export const MAX_ARTIFACT_ID_LENGTH = 200;

const ALLOWED = /^[A-Za-z0-9._-]+$/;

/**
 * Why `artifactId` is not a valid id, or `undefined` when it is valid.
 * Valid: 1..200 characters of `[A-Za-z0-9._-]`, not starting with `.`, not containing `..`.
 * That excludes slashes, backslashes, NUL, absolute paths, `.` and `..`; and
 * `__proto__`, `constructor` and `prototype` are reserved.
 */
export function artifactIdProblem(artifactId: unknown): string | undefined {
  if (typeof artifactId !== 'string') return 'must be a string';
  if (artifactId.length === 0) return 'must not be empty';
  if (artifactId.length > MAX_ARTIFACT_ID_LENGTH) return `must be at most ${MAX_ARTIFACT_ID_LENGTH} characters`;
  if (!ALLOWED.test(artifactId)) return 'may only contain letters, digits, ".", "_" and "-"';
  if (artifactId.startsWith('.')) return 'must not start with "."';
  if (artifactId.includes('..')) return 'must not contain ".."';
  // As keys of an index these would reach or shadow Object.prototype.
  if (artifactId === '__proto__' || artifactId === 'constructor' || artifactId === 'prototype') return 'is a reserved name';
  return undefined;
}

/**
 * Throws unless `artifactId` is a valid artifact id; returns it otherwise.
 *
 * @example
 * ```ts
 * assertArtifactId('market_analysis.v2'); // ok
 * assertArtifactId('../etc/passwd');      // throws InvalidArtifactIdError
 * ```
 */
export function assertArtifactId(artifactId: unknown): string {
  const problem = artifactIdProblem(artifactId);
  if (problem !== undefined || typeof artifactId !== 'string') {
    throw new InvalidArtifactIdError(typeof artifactId === 'string' ? artifactId : String(artifactId), problem ?? 'must be a string');
  }
  return artifactId;
}
