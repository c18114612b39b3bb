import { configDefaults, defineConfig } from 'vitest/config';

// A test file's name says what it needs, and so which project runs it: *.unit.test.ts nothing but
// the code (no database: opening one fails there), *.db.test.ts a database, *.slow.test.ts other
// processes, the README or long database properties, *.ui.test.ts a browser; any other *.test.ts
// talks HTTP to a server. The web UI's component tests (web/test/*.test.tsx) need none of these.
const tier = (name: string) => `test/**/*.${name}.test.ts`;

// The tiers that never open a database (unit, component) run once, in the embedded-database pass:
// with TEST_DATABASE_URL set they would run again exactly alike.
const databaseFree = new Set(['unit', 'component']);
const againstServer = process.env.TEST_DATABASE_URL !== undefined && process.env.TEST_DATABASE_URL !== '';

// Every file of the tiers that start a server imports the whole app (some 300 modules, ~2.5 s each
// time); a worker that keeps its modules between files pays that once. Those files share nothing
// else: each starts its own database and server, and the counters they share are read as
// differences (helpers/metrics.ts). The unit tier stays isolated: it mocks the database module, and
// no other file may mock anything (test/platform/shared-modules.unit.test.ts).
const sharedModules = { isolate: false } as const;

export default defineConfig({
  test: {
    // Each test file starts its own database (a PGlite instance or a fresh PostgreSQL database);
    // two workers keep the 2-core machine busy without starving the servers under test.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: (
      [
        {
          extends: true,
          test: {
            name: 'unit',
            include: [tier('unit')],
            setupFiles: ['test/helpers/no-database.ts'],
            testTimeout: 30_000,
            hookTimeout: 30_000,
          },
        },
        { extends: true, test: { name: 'db', include: [tier('db')], ...sharedModules } },
        {
          extends: true,
          test: {
            name: 'http',
            include: ['test/**/*.test.ts'],
            exclude: [...configDefaults.exclude, tier('unit'), tier('db'), tier('slow'), tier('ui')],
            ...sharedModules,
          },
        },
        // Whole processes started and stopped, the README run with curl, seeded plans and random
        // communities on the database: minutes on a busy machine.
        {
          extends: true,
          test: { name: 'slow', include: [tier('slow')], testTimeout: 300_000, hookTimeout: 300_000, ...sharedModules },
        },
        // The web UI's components in a simulated document (happy-dom), without a server.
        {
          extends: true,
          test: {
            name: 'component',
            include: ['web/test/**/*.test.tsx'],
            environment: 'happy-dom',
            setupFiles: ['web/test/setup.ts'],
            testTimeout: 30_000,
          },
        },
        // The web UI in headless Chromium against a real server (the UI built by `npm install`).
        { extends: true, test: { name: 'ui', include: [tier('ui')], ...sharedModules } },
      ] as const
    ).filter((p) => !(againstServer && databaseFree.has(p.test.name))),
  },
});
