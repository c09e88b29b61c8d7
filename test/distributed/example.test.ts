import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { redisAvailable } from '../support/distributed/redis-server.js';
import { useRedisSuite } from '../support/distributed/redis-suite.js';

const hasRedis = redisAvailable('distributed example test');
const root = fileURLToPath(new URL('../..', import.meta.url));

describe.skipIf(!hasRedis)('examples/distributed.ts', () => {
  const suite = useRedisSuite();

  it('runs a coordinator and two workers against a running Redis and exits 0', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', 'examples/distributed.ts', suite.server.url], { cwd: root, timeout: 90_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      );
    });
    expect(stdout).toMatch(/summary ran on worker-/);
    expect(stdout).toMatch(/^succeeded: 4 tasks/m);
  });
});
