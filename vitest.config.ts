import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file starts its own database (a PGlite instance or a fresh PostgreSQL database);
    // two workers keep the 2-core machine busy without starving the servers under test.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
