import { describe, expect, it } from 'vitest';
import { RedisBudgetStore, redisKeys } from '../../src/distributed/index.js';
import { BudgetExceededError } from '../../src/index.js';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';

const hasRedis = redisAvailable('budget-storm.test');

/** A seeded generator, so every run takes the same path. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe.skipIf(!hasRedis)('the Redis budget store', () => {
  const { client } = useRedisSuite();

  it('budget storm: 8 clients, a tight limit, random kills: spent stays within the limit at every sample and at the end', async () => {
    const limit = 100;
    const keys = redisKeys('storm');
    const next = random(7);
    const monitor = client();
    const samples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [spent, reserved] = await monitor.hmget(keys.budget(), 'spent', 'reserved');
        samples.push((Number(spent ?? 0) + Number(reserved ?? 0)) / 1_000_000);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    let kills = 0;
    let settled = 0;
    let refused = 0;
    const worker = async (index: number): Promise<void> => {
      let redis = client();
      let store = new RedisBudgetStore(redis, keys, { limits: { totalCostLimitCents: limit }, ownerTtlMs: 150 });
      for (let op = 0; op < 30; op++) {
        const requested = 1 + Math.floor(next() * 9);
        let hold;
        try {
          hold = await store.reserve({ agentId: `agent${index}`, requestedCents: requested, callKey: `c${index}/${op}` });
        } catch (error) {
          expect(error).toBeInstanceOf(BudgetExceededError);
          refused++;
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        if (next() < 0.1) {
          // Killed with the reservation open: the process vanishes, its client with it.
          kills++;
          store.stop();
          redis.disconnect();
          redis = client();
          store = new RedisBudgetStore(redis, keys, { limits: { totalCostLimitCents: limit }, ownerTtlMs: 150 });
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, next() * 3));
        await hold.settle(requested * next());
        settled++;
      }
      store.stop();
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => worker(i)));
    // Every dead owner's lease has run out: the next script charges their reservations in full.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const last = new RedisBudgetStore(client(), keys, { limits: { totalCostLimitCents: limit }, ownerTtlMs: 150 });
    await last.reserve({ agentId: 'final', requestedCents: 0 }).then((hold) => hold.release());
    last.stop();
    sampling = false;
    await sampler;
    const books = await last.snapshot();
    expect(kills).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(settled).toBeGreaterThan(0);
    expect(samples.length).toBeGreaterThan(10);
    expect(Math.max(...samples)).toBeLessThanOrEqual(limit);
    expect(books.totalSpentCents).toBeLessThanOrEqual(limit);
    expect(books.openReservations).toBe(0);
    expect(books.totalReservedCents).toBe(0);
    expect(books.chargedForDeadOwners).toBe(kills);
  });

  it('charges a dead owner\'s reservation in full, never releases it, and enforces per-agent limits', async () => {
    const keys = redisKeys('dead');
    const dying = new RedisBudgetStore(client(), keys, { limits: { maxCostPerAgentCents: 10 }, ownerTtlMs: 100 });
    await dying.reserve({ agentId: 'a', requestedCents: 6, callKey: 'k1' });
    dying.stop();
    const alive = new RedisBudgetStore(client(), keys, { limits: { maxCostPerAgentCents: 10 }, ownerTtlMs: 5_000 });
    // While the owner may still be alive its hold counts: 6 + 6 > 10.
    await expect(alive.reserve({ agentId: 'a', requestedCents: 6 })).rejects.toBeInstanceOf(BudgetExceededError);
    await new Promise((resolve) => setTimeout(resolve, 250));
    // Charged in full: 6 spent, so 6 more still does not fit, but 4 does.
    await expect(alive.reserve({ agentId: 'a', requestedCents: 6 })).rejects.toBeInstanceOf(BudgetExceededError);
    const hold = await alive.reserve({ agentId: 'a', requestedCents: 4, callKey: 'k2' });
    expect(await hold.settle(1)).toMatchObject({ status: 'settled', chargedCents: 1 });
    expect(await alive.snapshot()).toMatchObject({ totalSpentCents: 7, totalReservedCents: 0, chargedForDeadOwners: 1 });
    // Another agent has its own allowance.
    await (await alive.reserve({ agentId: 'b', requestedCents: 10 })).release();
    alive.stop();
  });
});
