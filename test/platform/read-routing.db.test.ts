// The driver under read routing: work run `onReplica` takes its connections from the replica's
// pool, whose sessions refuse to write. The test database on a server is its own replica (see
// helpers/database.ts), so this is also the guard the whole suite relies on: a route declaring it
// only reads, yet writing, fails there instead of writing.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onReplica } from '../../src/platform/replica.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

describe.skipIf(!process.env.TEST_DATABASE_URL)('read routing driver', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
    await sql`CREATE TABLE routed (n int)`.execute(t.database.kysely);
    await sql`INSERT INTO routed VALUES (1)`.execute(t.database.kysely);
  });
  afterAll(() => t?.drop());

  const readOnlySession = async () =>
    (await sql<{ ro: string }>`SELECT current_setting('transaction_read_only') AS ro`.execute(t.database.kysely))
      .rows[0]!.ro;

  it('sends work run on the replica to the replica pool, and the rest to the primary', async () => {
    expect(await readOnlySession()).toBe('off');
    expect(await onReplica(readOnlySession)).toBe('on');
    expect(await onReplica(() => t.database.kysely.transaction().execute(() => readOnlySession()))).toBe('on');
    // The store follows the work, not the caller: what runs after it is back on the primary.
    expect(await readOnlySession()).toBe('off');
  });

  it('refuses a write routed to the replica and keeps the table as it was', async () => {
    await expect(onReplica(() => sql`INSERT INTO routed VALUES (2)`.execute(t.database.kysely))).rejects.toThrow(
      /read-only transaction/,
    );
    await expect(
      onReplica(() => t.database.kysely.transaction().execute((trx) => sql`UPDATE routed SET n = 3`.execute(trx))),
    ).rejects.toThrow(/read-only transaction/);
    const rows = await onReplica(() => sql<{ n: number }>`SELECT n FROM routed`.execute(t.database.kysely));
    expect(rows.rows).toEqual([{ n: 1 }]);
  });

  it('says how far the replica has replayed: a primary replays nothing and is always current', async () => {
    const replica = t.database.replica!;
    expect(await replica.replayed()).toBeNull();
    expect(await replica.primaryPosition()).toBeGreaterThan(0n);
  });
});
