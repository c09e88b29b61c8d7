/**
 * A provider that answers from a cassette recorded by
 * `createRecordingProvider`: offline, deterministic, zero cost to run. A
 * request the cassette does not hold is a ReplayMismatchError. Import from
 * `troupe/testing`.
 */
import { ReplayMismatchError } from '../../protocols/errors/errors.js';
import type { ModelProvider, ModelRequest, ModelResponse } from '../../protocols/model.js';
import { readCassette } from './cassette.js';
import { abortError } from '../provider-errors.js';
import { hashModelRequest } from '../request-hash.js';

export interface ReplayProviderOptions {
  readonly cassettePath: string;
  /** Provider name; default the recorded provider's, so agents configured for it find this one. */
  readonly name?: string;
}

export interface ReplayProvider extends ModelProvider {
  /** Requests answered from the cassette. */
  readonly served: number;
}

/**
 * Loads the cassette (synchronously, so a missing or corrupt file fails here)
 * and serves it. A request recorded several times gets its answers in the
 * recorded order, then the last one again.
 *
 * @example
 * ```ts
 * const model = createReplayProvider({ cassettePath: 'test/cassettes/review.json' });
 * const orchestrator = new Orchestrator({ provider: model });
 * ```
 * @throws JournalCorruptError when the file is not a cassette.
 */
export function createReplayProvider(options: ReplayProviderOptions): ReplayProvider {
  const cassette = readCassette(options.cassettePath);
  const served = new Map<string, number>();
  let total = 0;
  const name = options.name ?? cassette.provider;
  return {
    name,
    get served() {
      return total;
    },
    async complete(request: ModelRequest): Promise<ModelResponse> {
      if (request.signal?.aborted) throw abortError(name);
      const hash = hashModelRequest(request);
      const responses = cassette.entries[hash]?.responses ?? [];
      const index = served.get(hash) ?? 0;
      const response = responses[Math.min(index, responses.length - 1)];
      if (response === undefined) {
        throw new ReplayMismatchError(`request ${hash.slice(0, 12)}`, `the cassette ${options.cassettePath} has no answer for this request`);
      }
      served.set(hash, index + 1);
      total++;
      return response;
    },
  };
}
