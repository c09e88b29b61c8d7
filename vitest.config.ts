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
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
