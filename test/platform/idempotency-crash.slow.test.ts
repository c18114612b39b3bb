// Idempotency-Key claims live and die with the request that holds them: a claim blocks a
// concurrent retry, and a process killed mid-request (kill -9) leaves no claim behind, so the
// retry is served at once instead of answering 409 until the keys are forgotten a day later.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/database.ts';
import { migrate } from '../../src/platform/migrations.ts';
import { emptyServerDatabase, freshDatabase } from '../helpers/database.ts';
import { heldApp, HELD_PATH } from '../helpers/held-request.ts';

const CHILD = join(import.meta.dirname, '..', 'helpers', 'held-request.ts');
/** The child's connections carry this application_name, so the test can see when they are gone. */
const CHILD_NAME = 'held-child';
const post = (key: string, n: number) => ({
  method: 'POST' as const,
  url: HELD_PATH,
  headers: { 'idempotency-key': key },
  payload: { n },
});

/** Resolves when `held` has entered its handler. */
function gate() {
  let enter!: () => void, release!: () => void;
  const entered = new Promise<void>((resolve) => {
    enter = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { enter, release, entered, released };
}

describe('Idempotency-Key claims', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('answers a retry 409 while the first request works, then replays its answer', async () => {
    const db = await freshDatabase();
    cleanups.push(db.drop);
    const g = gate();
    const app = await heldApp(db.database, g.enter, g.released);
    cleanups.push(() => app.close());
    const first = app.inject(post('busy', 7));
    await g.entered;
    const during = await app.inject(post('busy', 7));
    expect(during.statusCode).toBe(409);
    expect(during.json()).toMatchObject({ code: 'idempotency_key_in_progress' });
    // The claim is held by this process alone: no row says "in progress", so none can outlive a crash.
    const stored = await sql`SELECT key FROM idempotency_keys WHERE key = 'busy'
        UNION ALL SELECT key FROM idempotency_work WHERE key = 'busy'`.execute(db.database.kysely);
    expect(stored.rows).toEqual([]);
    g.release();
    expect((await first).statusCode).toBe(201);
    const after = await app.inject(post('busy', 7));
    expect([after.statusCode, after.json(), after.headers['idempotent-replayed']]).toEqual([
      201,
      { served: 7 },
      'true',
    ]);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'holds a claim against another instance on the same PostgreSQL, and claims again after the server ended its claim session',
    async () => {
      const db = await freshDatabase();
      cleanups.push(db.drop);
      const other = await openDatabase({ url: db.url });
      cleanups.push(() => other.close());
      const g = gate();
      const a = await heldApp(db.database, g.enter, g.released);
      const b = await heldApp(other, () => {}, Promise.resolve());
      cleanups.push(
        () => a.close(),
        () => b.close(),
      );
      const first = a.inject(post('shared', 3));
      await g.entered;
      expect((await b.inject(post('shared', 3))).statusCode).toBe(409);
      g.release();
      expect((await first).statusCode).toBe(201);
      expect((await b.inject(post('shared', 3))).headers['idempotent-replayed']).toBe('true');

      // Both claim sessions (the connections that ran the unlock) are ended by the server: the next claims still work.
      const { rows } = await sql<{ n: number }>`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND query LIKE 'SELECT pg_advisory_unlock%'`.execute(db.database.kysely);
      expect(rows[0]!.n).toBe(2);
      const [x, y] = [await a.inject(post('after-a', 4)), await b.inject(post('after-b', 5))];
      expect([x.statusCode, x.json(), y.statusCode, y.json()]).toEqual([201, { served: 4 }, 201, { served: 5 }]);
    },
  );

  it('serves the retry normally after the process that claimed the key was killed mid-request', async () => {
    const serverUrl = process.env.TEST_DATABASE_URL;
    let target: { url?: string; dataDir?: string };
    let childEnv: Record<string, string>;
    if (serverUrl) {
      const empty = await emptyServerDatabase(serverUrl);
      cleanups.push(empty.drop);
      const url = new URL(empty.url);
      url.searchParams.set('application_name', CHILD_NAME);
      target = { url: empty.url };
      childEnv = { DATABASE_URL: url.toString() };
    } else {
      const dataDir = mkdtempSync(join(tmpdir(), 'tally-crash-'));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      target = { dataDir };
      childEnv = { TALLY_DATA_DIR: dataDir };
    }

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...childEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for await (const line of createInterface({ input: child.stdout! })) if (line === 'entered') break;
    child.kill('SIGKILL');
    await exited;

    if (target.url) await untilBackendsGone(target.url);
    const database: Database = await openDatabase(target);
    cleanups.push(() => database.close());
    await migrate(database);
    const app = await heldApp(database, () => {}, Promise.resolve());
    cleanups.push(() => app.close());
    const retry = await app.inject(post('crash', 1));
    expect(retry.statusCode, retry.body).toBe(201);
    expect(retry.json()).toEqual({ served: 1 });
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const replay = await app.inject(post('crash', 1));
    expect([replay.statusCode, replay.json(), replay.headers['idempotent-replayed']]).toEqual([
      201,
      { served: 1 },
      'true',
    ]);
  });
});

/** PostgreSQL ends a dead client's backends when it notices the closed socket: wait for that, not for a time. */
async function untilBackendsGone(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (;;) {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`,
        [CHILD_NAME],
      );
      if (rows[0].n === 0) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await client.end();
  }
}
