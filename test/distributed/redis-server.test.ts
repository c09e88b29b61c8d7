import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisAvailable, startRedisServer } from '../support/distributed/redis-server.js';

const hasRedis = redisAvailable('redis-server.test');

describe.skipIf(!hasRedis)('the test redis-server', () => {
  it('starts on 127.0.0.1, keeps acknowledged writes across a SIGKILL with appendfsync always, and restarts on its port', async () => {
    const server = await startRedisServer({ appendonly: true, appendfsync: 'always' });
    try {
      const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
      await client.set('k', 'v1');
      client.disconnect();
      await server.kill();
      await server.restart();
      const again = new Redis(server.url, { maxRetriesPerRequest: 1 });
      expect(await again.get('k')).toBe('v1');
      again.disconnect();
    } finally {
      await server.close();
    }
  });

  it('loses what it held in memory across a restart without appendonly', async () => {
    const server = await startRedisServer();
    try {
      const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
      await client.set('k', 'v1');
      client.disconnect();
      await server.restart();
      const again = new Redis(server.url, { maxRetriesPerRequest: 1 });
      expect(await again.get('k')).toBeNull();
      again.disconnect();
    } finally {
      await server.close();
    }
  });
});
