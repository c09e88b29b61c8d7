import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startRedisServer } from '../support/redis-server.js';
import type { TestRedisServer } from '../support/redis-server.js';

const hasRedis = redisAvailable('distributed example test');
const root = fileURLToPath(new URL('../..', import.meta.url));

describe.skipIf(!hasRedis)('examples/distributed.ts', () => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('runs a coordinator and two workers against a running Redis and exits 0', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', 'examples/distributed.ts', server.url], { cwd: root, timeout: 90_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      );
    });
    expect(stdout).toMatch(/summary ran on worker-/);
    expect(stdout).toMatch(/^succeeded: 4 tasks/m);
  });
});
