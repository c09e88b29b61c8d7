import { defineConfig } from 'vitest/config';

/**
 * `troupe-source` (private to this repo, see package.json `exports`) resolves
 * `troupe` and `troupe/testing` to src/ in tests; `development` is kept so that
 * XState's own dev checks stay on.
 */
const conditions = ['troupe-source', 'development'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    // Many tests start child processes (workers, servers, crash writers), each of
    // which loads the sources through tsx; on a loaded 2-core CI machine a start
    // can take seconds, so the budget is generous. A hung test still fails.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
