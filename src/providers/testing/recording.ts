/**
 * A provider that passes every request to another provider and records the
 * answers in a cassette file, for tests that later run offline on
 * `createReplayProvider`. Import from `troupe/testing`.
 */
import type { ModelProvider, ModelRequest, ModelResponse } from '../../protocols/model.js';
import { writeCassette } from './cassette.js';
import type { CassetteEntry } from './cassette.js';
import { hashModelRequest, storableRequest } from '../request-hash.js';

export interface RecordingProviderOptions {
  /** Where the cassette is written; it is rewritten (atomically) after every answer. */
  readonly cassettePath: string;
}

export interface RecordingProvider extends ModelProvider {
  /** Answers recorded so far. */
  readonly recorded: number;
}

/**
 * Wraps `inner`, recording every answer. The cassette starts empty: recording
 * again replaces an earlier file. Failed calls are not recorded.
 *
 * @example
 * ```ts
 * const model = createRecordingProvider(createAnthropicProvider(), { cassettePath: 'test/cassettes/review.json' });
 * const orchestrator = new Orchestrator({ provider: model });
 * ```
 */
export function createRecordingProvider(inner: ModelProvider, options: RecordingProviderOptions): RecordingProvider {
  const entries: Record<string, CassetteEntry> = {};
  let recorded = 0;
  const countTokens = inner.countTokens?.bind(inner);
  return {
    name: inner.name,
    get recorded() {
      return recorded;
    },
    async complete(request: ModelRequest): Promise<ModelResponse> {
      const response = await inner.complete(request);
      const hash = hashModelRequest(request);
      entries[hash] = { request: storableRequest(request), responses: [...(entries[hash]?.responses ?? []), response] };
      recorded++;
      writeCassette(options.cassettePath, { version: 1, provider: inner.name, entries });
      return response;
    },
    ...(countTokens ? { countTokens } : {}),
  };
}
