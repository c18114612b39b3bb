// Both engines read a bigint[] through Tally's parser: numbers, nulls as null (the driver's general
// path once read a NULL element as 0 on PostgreSQL), and no value past 2^53 taken silently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

describe('bigint[] from the database', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('arrives as numbers with its nulls, and refuses what a number cannot hold', async () => {
    const { rows } = await sql<{ a: Array<number | null>; empty: number[] }>`
      SELECT '{1,NULL,-3,9007199254740991}'::bigint[] AS a, '{}'::bigint[] AS empty`.execute(t.database.kysely);
    expect(rows).toEqual([{ a: [1, null, -3, 9007199254740991], empty: [] }]);
    await expect(sql`SELECT '{9007199254740993}'::bigint[] AS a`.execute(t.database.kysely)).rejects.toThrow(
      /exceeds the safe integer range/,
    );
  });
});
