import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // XState's dev checks (and our own `development` entry points) are on in tests.
    conditions: ['development'],
  },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
