// The holder of an embedded database lends its one session to other processes over a socket.
// Here both ends live in one process (the lock and the socket behave the same), so the rules can
// be checked fast: borrowed transactions never interleave with the holder's, values and errors
// cross unchanged, a borrower that vanishes mid-transaction leaves nothing behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { openDatabase, type Database, type Db } from '../../src/platform/database.ts';
import { TallyError } from '../../src/platform/errors.ts';
import { borrowSessions, frame, readFrames } from '../../src/platform/session-socket.ts';

describe('frames', () => {
  it('decode the same values in order however the stream is cut', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array(),
      fc.array(fc.string()),
    );
    fc.assert(
      fc.property(fc.array(value), fc.array(fc.nat()), (values, cuts) => {
        const bytes = Buffer.concat(values.map(frame));
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const stream = new PassThrough();
        const decoded: unknown[] = [];
        readFrames(stream, (v) => decoded.push(v));
        let from = 0;
        for (const to of [...at, bytes.length]) {
          stream.emit('data', bytes.subarray(from, to));
          from = to;
        }
        expect(decoded).toEqual(values);
      }),
    );
  });
});

describe.skipIf(process.env.TEST_DATABASE_URL)('an embedded database lent to another process', () => {
  let dir: string;
  let holder: Database;
  let borrower: Database;
  const use = { owner: 'tally test', exclusive: false };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-session-'));
    holder = await openDatabase({ dataDir: join(dir, 'pglite'), use });
    await holder.exec('CREATE TABLE counters (k text PRIMARY KEY, n int8 NOT NULL, at timestamptz, b bytea)');
    borrower = await openDatabase({ dataDir: join(dir, 'pglite'), use: { owner: 'tally borrower', exclusive: false } });
  });
  afterAll(async () => {
    await borrower.close();
    await holder.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await holder.exec(`DELETE FROM counters; INSERT INTO counters (k, n) VALUES ('a', 1000000), ('b', 0)`);
  });

  type Counters = { counters: { k: string; n: number; at: Date | null; b: Uint8Array | null } };
  const counters = (db: Db) => db.withTables<Counters>();
  const count = async (db: Db, k: string) =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM counters WHERE k = ${k}`.execute(db)).rows[0]!.n);

  it('refuses a process that must own the directory, naming the holder', async () => {
    const refused = await openDatabase({
      dataDir: join(dir, 'pglite'),
      use: { owner: 'tally serve', exclusive: true },
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TallyError);
    expect((refused as TallyError).status).toBe(409);
    expect((refused as TallyError).code).toBe('database_in_use');
    expect((refused as TallyError).message).toContain(`is in use by process ${process.pid} (tally test)`);
  });

  it("never runs the holder's work inside a borrowed transaction, nor the other way round", async () => {
    for (const [inside, outside] of [
      [borrower, holder],
      [holder, borrower],
    ] as const) {
      let waiting!: Promise<unknown>;
      const rolledBack = await inside.kysely
        .transaction()
        .execute(async (trx) => {
          await counters(trx).insertInto('counters').values({ k: 'inside', n: 1 }).execute();
          // Issued while the transaction is open: it must wait for it, not join it.
          waiting = counters(outside.kysely).insertInto('counters').values({ k: 'outside', n: 2 }).execute();
          throw new Error('roll back');
        })
        .catch((e: Error) => e.message);
      await waiting;
      expect(rolledBack).toBe('roll back');
      expect([await count(holder.kysely, 'inside'), await count(borrower.kysely, 'outside')]).toEqual([0, 1]);
      await holder.exec(`DELETE FROM counters WHERE k IN ('inside', 'outside')`);
    }
  });

  it('hands values and errors across unchanged: int8 as a number, timestamptz as a Date, bytea as bytes, the error code', async () => {
    const at = new Date('2026-06-01T10:00:00.123Z');
    await counters(borrower.kysely)
      .insertInto('counters')
      .values({ k: 'c', n: 2 ** 53 - 1, at, b: Buffer.from([0, 255, 7]) })
      .execute();
    const row = await counters(borrower.kysely)
      .selectFrom('counters')
      .selectAll()
      .where('k', '=', 'c')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ k: 'c', n: 2 ** 53 - 1, at, b: new Uint8Array([0, 255, 7]) });
    const duplicate = await counters(borrower.kysely)
      .insertInto('counters')
      .values({ k: 'c', n: 1 })
      .execute()
      .catch((e: unknown) => e);
    expect((duplicate as { code?: string }).code).toBe('23505');
    const failedScript = await borrower
      .exec(`BEGIN; INSERT INTO counters (k, n) VALUES ('d', 1); SELECT 1/0; COMMIT;`)
      .catch((e: unknown) => e);
    expect((failedScript as { code?: string }).code).toBe('22012');
    expect(await count(holder.kysely, 'd')).toBe(0);
  });

  it('rolls back the open transaction of a borrower that goes away, and lends the session on', async () => {
    const gone = (await borrowSessions(`${join(dir, 'pglite')}.sock`))!;
    const turn = await gone.pool.take();
    await turn.ops.query('BEGIN', []);
    await turn.ops.query(`INSERT INTO counters (k, n) VALUES ('gone', 1)`, []);
    await gone.close(); // the process died with its turn
    expect(await count(holder.kysely, 'gone')).toBe(0);
    expect(await count(borrower.kysely, 'gone')).toBe(0);
  });

  it('drops a peer that sends something other than its messages, and lends on', async () => {
    const stranger = createConnection(`${join(dir, 'pglite')}.sock`);
    stranger.on('error', () => {});
    stranger.write(Buffer.from([0, 0, 0, 3, 0xde, 0xad, 0xbe]));
    await new Promise((closed) => stranger.once('close', closed));
    await counters(borrower.kysely).insertInto('counters').values({ k: 'after', n: 1 }).execute();
    expect(await count(holder.kysely, 'after')).toBe(1);
  });

  it('serialises concurrent transactions from both sides: nothing committed is undone, nothing rolled back stays', async () => {
    const move = fc.record({ byBorrower: fc.boolean(), wh: fc.integer({ min: 1, max: 1000 }), commit: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(move, { minLength: 1, maxLength: 12 }), async (moves) => {
        await holder.exec(`UPDATE counters SET n = CASE k WHEN 'a' THEN 1000000 ELSE 0 END`);
        await Promise.all(
          moves.map((m) =>
            (m.byBorrower ? borrower : holder).kysely
              .transaction()
              .execute(async (trx) => {
                await sql`UPDATE counters SET n = n - ${m.wh} WHERE k = 'a'`.execute(trx);
                await sql`UPDATE counters SET n = n + ${m.wh} WHERE k = 'b'`.execute(trx);
                if (!m.commit) throw new Error('roll back');
              })
              .catch(() => {}),
          ),
        );
        const moved = moves.filter((m) => m.commit).reduce((s, m) => s + m.wh, 0);
        const rows = await counters(holder.kysely).selectFrom('counters').select(['k', 'n']).orderBy('k').execute();
        expect(rows).toEqual([
          { k: 'a', n: 1000000 - moved },
          { k: 'b', n: moved },
        ]);
      }),
      { numRuns: 25 },
    );
  });
});

describe.skipIf(process.env.TEST_DATABASE_URL)('a holder that stops', () => {
  it('serves borrowers that arrive while it waits for the last ones, then frees the directory for the next process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-session-'));
    const where = { dataDir: join(dir, 'pglite'), use: { owner: 'tally test', exclusive: false } };
    try {
      const marks = (db: Db) => db.withTables<{ marks: { k: string } }>();
      const holder = await openDatabase(where);
      await holder.exec('CREATE TABLE marks (k text PRIMARY KEY)');
      const early = await openDatabase(where);
      let stopped = false;
      const stopping = holder.close().then(() => {
        stopped = true;
      });
      const late = await openDatabase(where);
      await marks(late.kysely).insertInto('marks').values({ k: 'late' }).execute();
      await early.close();
      expect(stopped).toBe(false); // `late` is still connected
      await late.close();
      await stopping;
      const next = await openDatabase({ ...where, use: { owner: 'tally serve', exclusive: true } });
      expect(await marks(next.kysely).selectFrom('marks').select('k').execute()).toEqual([{ k: 'late' }]);
      await next.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
