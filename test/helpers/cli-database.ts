// Where CLI commands under test keep their data: a temporary data directory for the embedded
// database, or, with TEST_DATABASE_URL, a fresh database on that server. Made before the
// describe block's tests and removed after them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/database.ts';
import { emptyServerDatabase } from './database.ts';

export interface CliDatabase {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The same database the commands use, opened by the test itself (to arrange or tamper). */
  open(): Promise<Database>;
}

/** Call inside a describe block; read the fields from its tests (they are set in beforeAll). */
export function cliDatabase(prefix: string): CliDatabase {
  const state: CliDatabase = {
    dir: '',
    env: {},
    open: () =>
      openDatabase({
        url: state.env.DATABASE_URL,
        dataDir: state.env.DATABASE_URL ? undefined : join(state.dir, 'pglite'),
      }),
  };
  let pg: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    state.dir = mkdtempSync(join(tmpdir(), prefix));
    state.env = { ...process.env, TALLY_DATA_DIR: state.dir, LOG_LEVEL: 'warn' };
    delete state.env.DATABASE_URL;
    if (process.env.TEST_DATABASE_URL) {
      pg = await emptyServerDatabase(process.env.TEST_DATABASE_URL);
      state.env.DATABASE_URL = pg.url;
    }
  });
  afterAll(async () => {
    rmSync(state.dir, { recursive: true, force: true });
    await pg?.drop();
  });
  return state;
}
