/**
 * The shared context in distributed mode: with `enableSharedContext` on and
 * no `sharedContext.storage` named, the coordinator and every worker keep
 * artifacts in one RedisArtifactStorage per queue (`troupe:<queue>:artifact…`),
 * so an artifact an agent writes on one worker is read, at the same version
 * and under the same permissions (the same config), on any other worker and
 * on the coordinator. A storage named explicitly (`fs`, `memory`) stays
 * process-local, as asked.
 */
import { loadDistributed, quiet } from './coordinator.js';
import { redisKeys } from './keys.js';
import { RedisArtifactStorage } from './redis-artifact-storage.js';

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

/** Whether a config (not yet validated) keeps its shared context in Redis: shared context on, no storage named. */
export function wantsRedisArtifacts(config: unknown): boolean {
  return field(config, 'enableSharedContext') === true && field(field(config, 'sharedContext'), 'storage') === undefined;
}

/**
 * The coordinator's Redis artifact storage, when its config (not yet
 * validated) is distributed and {@link wantsRedisArtifacts}; its client opens
 * on first use and `close` disconnects it.
 */
export function coordinatorArtifacts(config: unknown): { storage: RedisArtifactStorage; close: () => Promise<void> } | undefined {
  const distributed = field(config, 'distributed');
  const url = field(distributed, 'redis');
  const queue = field(distributed, 'queue');
  if (typeof url !== 'string' || !wantsRedisArtifacts(config)) return undefined;
  const storage = new RedisArtifactStorage(
    () => loadDistributed().then(({ Redis }) => quiet(new Redis(url, { maxRetriesPerRequest: null }))),
    redisKeys(typeof queue === 'string' ? queue : 'troupe'),
  );
  return {
    storage,
    close: async () => {
      const client = await storage.opened()?.catch(() => undefined);
      client?.disconnect();
    },
  };
}
