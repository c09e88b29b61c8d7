/**
 * A stable fingerprint of a model request: the same content gives the same
 * hash whatever the key order, and the AbortSignal is left out. Journals and
 * cassettes store it next to each response, so a replay can tell whether it is
 * being asked the same question that was recorded.
 */
import { createHash } from 'node:crypto';
import type { ModelRequest } from '../protocols/model.js';

/** A request as it is stored: everything but the AbortSignal. */
export type StoredModelRequest = Omit<ModelRequest, 'signal'>;

/**
 * The request without its signal (the only field that is not data).
 *
 * @example
 * ```ts
 * journal.append({ request: storableRequest(call.request) });
 * ```
 */
export function storableRequest(request: ModelRequest): StoredModelRequest {
  const { signal: _signal, ...rest } = request;
  return rest;
}

/**
 * JSON with object keys sorted and undefined members dropped, Dates as ISO
 * strings: one canonical form for request hashes (journals, cassettes) and the
 * simulated model's seeds.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const members = Object.keys(value)
    .sort()
    .flatMap((key) => {
      const member: unknown = Reflect.get(value, key);
      return member === undefined || typeof member === 'function' ? [] : [`${JSON.stringify(key)}:${canonicalJson(member)}`];
    });
  return `{${members.join(',')}}`;
}

/**
 * SHA-256 (hex) of the request's canonical JSON, signal excluded.
 *
 * @example
 * ```ts
 * hashModelRequest({ model: 'gpt-4o', maxTokens: 10, messages: [] }) === hashModelRequest({ messages: [], maxTokens: 10, model: 'gpt-4o' }); // true
 * ```
 */
export function hashModelRequest(request: ModelRequest | StoredModelRequest): string {
  return createHash('sha256').update(canonicalJson(storableRequest(request))).digest('hex');
}
