/**
 * The workers' call memo: a model-call link that makes each journaled call
 * at most once across all workers. For a call with a call key it
 *
 * 1. serves the response recorded in Redis under that key, if any (a task
 *    that runs again after its worker died makes no journaled call again);
 * 2. else claims `call:<key>` (SET NX with a fencing token), waiting while
 *    another worker holds it, and looks again once it may take it;
 * 3. makes the call, then records the response in one script that checks the
 *    claim's token first: a holder whose claim expired (paused, partitioned)
 *    has its late write refused (FencedError), and its caller is told so.
 *
 * A call in flight when its worker died may be made once more: its response
 * was never recorded. A recorded call that was made again anyway would show
 * in `repeatedCalls` (it stays 0 while the claims hold).
 */
import type { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { FencedError } from '../protocols/errors/errors.js';
import type { ModelCallInterceptor, ModelCallOutcome } from '../protocols/gateway.js';
import type { ModelResponse } from '../protocols/model.js';
import { parseSafe, stringifySafe } from '../storage/superjson-safe.js';
import { CallClaims } from './call-claims.js';
import type { RedisKeys } from './keys.js';
import { FENCE_CHECK, isFencedReply } from './lease.js';

/** KEYS: claim, memo, repeated counter. ARGV: token, callKey, value. 1 recorded, 0 already recorded. */
const RECORD = `${FENCE_CHECK}
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3]) == 1 then return 1 end
redis.call('INCR', KEYS[3])
return 0
`;

function recorded(text: string | null): { response: ModelResponse; costCents: number } | undefined {
  if (text === null) return undefined;
  const value = parseSafe(text);
  if (typeof value !== 'object' || value === null) return undefined;
  const response: unknown = Reflect.get(value, 'response');
  const costCents: unknown = Reflect.get(value, 'costCents');
  if (typeof response !== 'object' || response === null || typeof costCents !== 'number') return undefined;
  if (typeof Reflect.get(response, 'text') !== 'string') return undefined;
  return { response: toResponse(response), costCents };
}

/** The recorded response as a ModelResponse (fields checked one by one). */
function toResponse(value: object): ModelResponse {
  const get = (key: string): unknown => Reflect.get(value, key);
  const usage = get('usage');
  const toolCalls = get('toolCalls');
  const stopReason = get('stopReason');
  const model = get('model');
  const structured = get('structured');
  const thinking = get('thinking');
  const truncated = get('truncated');
  const simulated = get('simulated');
  const num = (key: string): number => {
    const field: unknown = typeof usage === 'object' && usage !== null ? Reflect.get(usage, key) : undefined;
    return typeof field === 'number' ? field : 0;
  };
  return {
    text: String(get('text') ?? ''),
    toolCalls: Array.isArray(toolCalls) ? toolCalls.filter(isToolCall) : [],
    stopReason: stopReason === 'tool_use' || stopReason === 'max_tokens' || stopReason === 'stop_sequence' ? stopReason : 'end_turn',
    model: typeof model === 'string' ? model : 'unknown',
    usage: {
      inputTokens: num('inputTokens'),
      outputTokens: num('outputTokens'),
      thinkingTokens: num('thinkingTokens'),
      cacheReadTokens: num('cacheReadTokens'),
      cacheWriteTokens: num('cacheWriteTokens'),
    },
    ...(structured === undefined ? {} : { structured }),
    ...(typeof thinking === 'string' ? { thinking } : {}),
    ...(typeof truncated === 'boolean' ? { truncated } : {}),
    ...(typeof simulated === 'boolean' ? { simulated } : {}),
  };
}

function isToolCall(value: unknown): value is ModelResponse['toolCalls'][number] {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'id') === 'string' &&
    typeof Reflect.get(value, 'name') === 'string'
  );
}

/** The memo's Redis key for one run (a hash: call key to `{ response, costCents, token, holder }`). */
export function memoKey(keys: RedisKeys, workflowId: string | undefined): string {
  return `${keys.prefix}calls:${workflowId ?? '-'}`;
}

/** Counts recorded calls that were made again (0 while the claims hold). */
export function repeatedCallsKey(keys: RedisKeys): string {
  return `${keys.prefix}calls:repeated`;
}

/**
 * The memo link. `waitMs` bounds how long a call waits for another worker's
 * claim; `holder` names this worker in the claim log and the memo entries.
 *
 * @example
 * ```ts
 * const link = callMemoInterceptor(redis, redisKeys('troupe'));
 * ```
 */
export function callMemoInterceptor(
  redis: Redis,
  keys: RedisKeys,
  options: { claimTtlMs?: number; waitMs?: number; holder?: string } = {},
): ModelCallInterceptor {
  const claims = new CallClaims(redis, keys, options.claimTtlMs ?? 30_000, options.holder);
  const waitMs = options.waitMs ?? 120_000;
  const served = async (workflowId: string | undefined, callKey: string): Promise<ModelCallOutcome | undefined> => {
    const answer = recorded(await redis.hget(memoKey(keys, workflowId), callKey));
    return answer ? { ...answer, callId: `memo_${nanoid(10)}`, replayed: true } : undefined;
  };
  return async (call, next) => {
    const { callKey } = call;
    if (callKey === undefined) return next(call);
    const deadline = Date.now() + waitMs;
    let token = 0;
    for (;;) {
      const memo = await served(call.workflowId, callKey);
      if (memo) return memo;
      token = await claims.claim(callKey);
      if (token > 0) {
        // Recorded between the look and the claim: serve it.
        const late = await served(call.workflowId, callKey);
        if (late) {
          await claims.release(callKey, token);
          return late;
        }
        break;
      }
      if (Date.now() > deadline) throw new FencedError(`call ${callKey}`, 0, 'another worker held the call past the wait');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const renew = setInterval(() => void claims.renew(callKey, token).catch(() => undefined), Math.max(10, Math.floor(claims.ttlMs / 3)));
    renew.unref();
    try {
      const outcome = await next(call);
      try {
        await redis.eval(
          RECORD,
          3,
          keys.call(callKey),
          memoKey(keys, call.workflowId),
          repeatedCallsKey(keys),
          String(token),
          callKey,
          // The claim's token and holder travel with the response: who recorded it, under which claim.
          stringifySafe({ response: outcome.response, costCents: outcome.costCents, token, holder: claims.holder }),
        );
      } catch (error) {
        if (isFencedReply(error)) throw new FencedError(`call ${callKey}`, token, 'the claim passed to another worker');
        throw error;
      }
      return outcome;
    } finally {
      clearInterval(renew);
      await claims.release(callKey, token).catch(() => undefined);
    }
  };
}
