/**
 * The serialised form of an artifact version: superjson of `{ content, metadata }`.
 * Encoding happens when a write is requested, so a caller mutating its object
 * afterwards cannot change what is stored; decoding yields a fresh copy.
 */
import { parseSafe, stringifySafe } from './superjson-safe.js';
import type { ArtifactMetadata } from '../protocols/artifact.js';

/** A write, encoded: the version body and, separately, the metadata for the lineage. */
export interface EncodedArtifactWrite {
  readonly body: string;
  readonly metadata: string;
}

export interface DecodedArtifactVersion {
  readonly content: unknown;
  readonly metadata: ArtifactMetadata;
}

/** Whether `value` is a plain record (what metadata must be). */
export function isMetadataRecord(value: unknown): value is ArtifactMetadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Encodes content and metadata for a `context.store` request.
 *
 * @example
 * ```ts
 * const { body, metadata } = encodeArtifactWrite({ rows: [1, 2] }, { tags: ['finance'] });
 * ```
 */
export function encodeArtifactWrite(content: unknown, metadata: ArtifactMetadata): EncodedArtifactWrite {
  return { body: stringifySafe({ content, metadata }), metadata: stringifySafe(metadata) };
}

/** Decodes metadata encoded by {@link encodeArtifactWrite}. */
export function decodeMetadata(encoded: string): ArtifactMetadata {
  const value: unknown = parseSafe(encoded);
  return isMetadataRecord(value) ? value : {};
}

/** Decodes a version body; throws when it is not one. */
export function decodeArtifactVersion(body: string): DecodedArtifactVersion {
  const value: unknown = parseSafe(body);
  if (typeof value !== 'object' || value === null || !('content' in value)) {
    throw new Error('Not an artifact version body');
  }
  const metadata: unknown = 'metadata' in value ? value.metadata : undefined;
  return { content: value.content, metadata: isMetadataRecord(metadata) ? metadata : {} };
}

/**
 * A deep copy (keeps Date, Map, Set, BigInt...; keys such as `__proto__` stay
 * own keys). Values reaching it have already been through the codec.
 */
export function copyValue<T>(value: T): T {
  return structuredClone(value);
}

/** Tags of an artifact: `metadata.tags` when it is an array, its string entries only. */
export function tagsOf(metadata: ArtifactMetadata): string[] {
  const tags = metadata['tags'];
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}
