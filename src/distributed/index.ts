/**
 * The distributed mode's Redis backends: journal storage fenced by leases and
 * call claims, artifact storage with compare-and-set on the version, a budget
 * store whose reservations live in Redis, and call claims. Each takes an
 * ioredis client; nothing here is loaded by single-process users.
 */
export { CallClaims } from './call-claims.js';
export { callMemoInterceptor, repeatedCallsKey } from './call-memo.js';
export { redisKeys } from './keys.js';
export type { RedisKeys } from './keys.js';
export { FENCE_CHECK, RedisLease, isFencedReply } from './lease.js';
export type { Fence } from './lease.js';
export { RedisArtifactStorage } from './redis-artifact-storage.js';
export { RedisBudgetStore } from './redis-budget-store.js';
export type { RedisBudgetSnapshot, RedisBudgetStoreOptions } from './redis-budget-store.js';
export { RedisJournalStorage } from './redis-journal-storage.js';
export type { RedisJournalStorageOptions } from './redis-journal-storage.js';
