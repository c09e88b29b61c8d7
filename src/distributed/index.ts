/**
 * The distributed mode's Redis backends: journal storage fenced by leases and
 * call claims, artifact storage with compare-and-set on the version, a budget
 * store whose reservations live in Redis, and call claims. Each takes an
 * ioredis client; nothing here is loaded by single-process users.
 */
export { CLAIM_LOG_LENGTH, CallClaims, parseClaimLog } from './call-claims.js';
export type { ClaimGrant } from './call-claims.js';
export { callMemoInterceptor, memoKey, repeatedCallsKey } from './call-memo.js';
export { CoordinatorBudget, DEFAULT_READ_TIMEOUT_MS, mergeBudgets } from './coordinator-budget.js';
export type { BudgetView } from './coordinator-budget.js';
export {
  Coordinator,
  coordinatorJournal,
  distributedJournal,
  distributedNames,
  hasDistributed,
  loadDistributed,
  processId,
  quiet,
} from './coordinator.js';
export type { DistributedSetting } from './coordinator.js';
export { redisKeys } from './keys.js';
export type { RedisKeys } from './keys.js';
export { FENCE_CHECK, RedisLease, isFencedReply } from './lease.js';
export type { Fence } from './lease.js';
export { RedisArtifactStorage } from './redis-artifact-storage.js';
export { RedisBudgetStore } from './redis-budget-store.js';
export type { RedisBudgetSnapshot, RedisBudgetStoreOptions } from './redis-budget-store.js';
export { RedisJournalStorage } from './redis-journal-storage.js';
export type { RedisJournalStorageOptions } from './redis-journal-storage.js';
export { coordinatorArtifacts, wantsRedisArtifacts } from './shared-artifacts.js';
export {
  decodeTaskAnswer,
  decodeTaskJob,
  encodeTaskAnswer,
  encodeTaskJob,
  isErrorData,
  taskJobId,
} from './task-job.js';
export type { TaskJobAnswer, TaskJobData } from './task-job.js';
export {
  FORWARDED_EVENT_TYPES,
  decodeWorkerEvent,
  emitWorkerEvent,
  forwardWorkerEvents,
} from './worker-events.js';
export type { ForwardedEvent, ForwardedEventType } from './worker-events.js';
