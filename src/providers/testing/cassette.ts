/**
 * Cassettes: a file of recorded model answers keyed by request hash, which
 * the recording provider writes and the replay provider serves. superjson, so
 * structured outputs keep Dates, Maps and Sets.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseSafe, stringifySafe } from '../../storage/superjson-safe.js';
import { JournalCorruptError } from '../../protocols/errors/errors.js';
import type { ModelResponse } from '../../protocols/model.js';
import type { StoredModelRequest } from '../request-hash.js';

/** Every answer recorded for one request content, in the order they were given. */
export interface CassetteEntry {
  readonly request: StoredModelRequest;
  readonly responses: readonly ModelResponse[];
}

export interface Cassette {
  readonly version: 1;
  /** Name of the provider that was recorded. */
  readonly provider: string;
  readonly entries: Readonly<Record<string, CassetteEntry>>;
}

function isCassette(value: unknown): value is Cassette {
  if (typeof value !== 'object' || value === null) return false;
  const entries: unknown = Reflect.get(value, 'entries');
  return (
    Reflect.get(value, 'version') === 1 &&
    typeof Reflect.get(value, 'provider') === 'string' &&
    typeof entries === 'object' &&
    entries !== null &&
    Object.values(entries).every(
      (entry: unknown) => typeof entry === 'object' && entry !== null && Array.isArray(Reflect.get(entry, 'responses')),
    )
  );
}

/**
 * Reads a cassette file.
 * @throws JournalCorruptError when the file is not a cassette; Node's ENOENT when it is missing.
 */
export function readCassette(path: string): Cassette {
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = parseSafe(text);
  } catch (error) {
    throw new JournalCorruptError(path, `not superjson: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isCassette(value)) throw new JournalCorruptError(path, 'not a cassette (version 1)');
  return value;
}

/** Writes a cassette atomically (temp file + rename): a crash leaves the old or the new file. */
export function writeCassette(path: string, cassette: Cassette): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, stringifySafe(cassette), 'utf8');
  renameSync(temp, path);
}
