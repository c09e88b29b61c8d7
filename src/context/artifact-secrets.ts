/**
 * Secrets out of artifacts: what an agent (a model) writes to the shared
 * context can hold an API key it saw or guessed, in its content, its tags or
 * its id (which is a directory name on disk). Writes are scrubbed with the
 * journals' scrubber ({@link createSecretScrubber}) after encoding, so every
 * string and object key is covered, and ids have the key replaced by a valid
 * id part, the same way on every call, so a read by the id the model wrote
 * finds what it stored.
 */
import type { EncodedArtifactWrite } from '../storage/artifact-codec.js';
import { createSecretScrubber, REDACTED } from '../util/sanitize.js';

/** What an artifact id holds instead of a secret (ids allow `[A-Za-z0-9._-]` only). */
export const REDACTED_ID_PART = 'REDACTED';

/** Scrubs artifact ids and encoded writes of known secret values. */
export interface ArtifactScrubber {
  /** `artifactId` with every secret replaced by {@link REDACTED_ID_PART}. */
  id(artifactId: string): string;
  /** An encoded write with every secret cut out of its body and metadata. */
  write(encoded: EncodedArtifactWrite): EncodedArtifactWrite;
}

/**
 * The form superjson gives an object key inside an annotation path (`.` and
 * `\` escaped), so a key named after a secret is cut from the path as well as
 * from the object, and the body still decodes.
 */
function pathForm(secret: string): string {
  return secret.replace(/\\/g, '\\\\').replace(/\./g, '\\.');
}

/**
 * Creates the scrubber of a store. Secrets under 8 characters are ignored.
 *
 * @example
 * ```ts
 * const scrubber = createArtifactScrubber([process.env.OPENAI_API_KEY]);
 * scrubber.id(`notes-${process.env.OPENAI_API_KEY}`); // 'notes-REDACTED'
 * ```
 */
export function createArtifactScrubber(secrets: readonly (string | undefined)[]): ArtifactScrubber {
  const known = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 8);
  const scrub = createSecretScrubber([...known, ...known.map(pathForm).filter((form) => !known.includes(form))]);
  return {
    id: (artifactId) => (known.length === 0 ? artifactId : scrub(artifactId).split(REDACTED).join(REDACTED_ID_PART)),
    write: (encoded) => (known.length === 0 ? encoded : { body: scrub(encoded.body), metadata: scrub(encoded.metadata) }),
  };
}
