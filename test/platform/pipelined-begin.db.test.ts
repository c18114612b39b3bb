// A transaction's BEGIN sent with its first statement (platform/pipelined-begin.ts), on a real
// server: each transaction waits on the server once less, and nothing a transaction means changes:
// its statements run inside it, a failure anywhere leaves nothing behind, a transaction's settings
// hold, and the connection serves the next transaction as before. Round trips are counted as the
// server's ReadyForQuery messages on the pool's connections.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pipelinedBegin } from '../../src/platform/pipelined-begin.ts';
import { emptyServerDatabase } from '../helpers/database.ts';

describe.skipIf(!process.env.TEST_DATABASE_URL)('a transaction opened with its first statement', () => {
  let server: { url: string; drop(): Promise<void> };
  let pool: pg.Pool;
  let db: Kysely<unknown>;
  let roundTrips = 0;

  beforeAll(async () => {
    server = await emptyServerDatabase(process.env.TEST_DATABASE_URL!);
    // One connection: every transaction below shares it, so a state left behind would show.
    pool = new pg.Pool({ connectionString: server.url, max: 1 });
    pool.on('connect', (client) => {
      client.connection.on('readyForQuery', () => roundTrips++);
    });
    db = new Kysely({ dialect: new PostgresDialect({ pool: pipelinedBegin(pool) }) });
    await sql`CREATE TABLE kept (n int PRIMARY KEY CHECK (n > 0))`.execute(db);
  });
  afterAll(async () => {
    await pool?.end();
    await server?.drop();
  });
  beforeEach(async () => {
    await sql`TRUNCATE kept`.execute(db);
    roundTrips = 0;
  });

  const kept = async () => (await sql<{ n: number }>`SELECT n FROM kept ORDER BY n`.execute(db)).rows.map((r) => r.n);
  const insert = (n: number) => sql`INSERT INTO kept VALUES (${n})`;

  it('sends BEGIN and the first statement in one round trip, then the rest as before', async () => {
    const answer = await db.transaction().execute(async (trx) => {
      const first = await sql<{ level: string }>`SELECT current_setting(${'transaction_isolation'}) AS level`.execute(
        trx,
      );
      await insert(1).execute(trx);
      return first.rows;
    });
    expect(answer).toEqual([{ level: 'read committed' }]);
    // BEGIN with the SELECT, the INSERT, COMMIT.
    expect(roundTrips).toBe(3);
    expect(await kept()).toEqual([1]);
  });

  it('runs the first statement inside the transaction: a rollback takes it back', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await insert(2).execute(trx);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(roundTrips).toBe(2);
    expect(await kept()).toEqual([]);
  });

  it('gives a failing first statement its error, keeps nothing, and serves the next transaction', async () => {
    await expect(db.transaction().execute((trx) => insert(-1).execute(trx))).rejects.toThrow(/check constraint/);
    await expect(
      db.transaction().execute(async (trx) => {
        await insert(3).execute(trx);
        await insert(3).execute(trx);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await kept()).toEqual([]);
    await db.transaction().execute((trx) => insert(4).execute(trx));
    expect(await kept()).toEqual([4]);
  });

  it('opens the transaction with its settings', async () => {
    const level = await db
      .transaction()
      .setIsolationLevel('serializable')
      .execute(
        async (trx) =>
          (await sql<{ level: string }>`SELECT current_setting(${'transaction_isolation'}) AS level`.execute(trx))
            .rows[0]!.level,
      );
    expect(level).toBe('serializable');
    expect(roundTrips).toBe(2);
  });

  it('sends nothing for a transaction that ends before any statement', async () => {
    await db.transaction().execute(async () => {});
    await expect(
      db.transaction().execute(async () => {
        throw new Error('nothing to do');
      }),
    ).rejects.toThrow('nothing to do');
    expect(roundTrips).toBe(0);
    await db.transaction().execute((trx) => insert(5).execute(trx));
    expect(await kept()).toEqual([5]);
  });

  it('never runs the first statement outside its transaction: a BEGIN the server refuses skips it', async () => {
    const client = await pipelinedBegin(pool).connect();
    try {
      await client.query('begin isolation level sometimes', []);
      await expect(client.query('INSERT INTO kept VALUES ($1)', [8])).rejects.toThrow(/syntax error/);
      // The error comes before the server's ReadyForQuery: the ROLLBACK after it is answered once
      // that one is counted. One round trip for BEGIN with the INSERT, one for the ROLLBACK.
      await client.query('rollback', []);
      expect(roundTrips).toBe(2);
    } finally {
      client.release();
    }
    expect(await kept()).toEqual([]);
  });

  it('sends BEGIN on its own before a first statement without parameters, which may hold several', async () => {
    await db.transaction().execute((trx) => sql`INSERT INTO kept VALUES (6); INSERT INTO kept VALUES (7)`.execute(trx));
    expect(roundTrips).toBe(3);
    expect(await kept()).toEqual([6, 7]);
  });
});
