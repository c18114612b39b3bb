// A statement built once (platform/fixed-statement.ts) answers every call exactly as the same
// builder run anew would, inside a transaction as outside, on both engines; its builder runs once;
// and a builder that looks at a value instead of passing it on is refused before anything runs.
import fc from 'fast-check';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/platform/database.ts';
import { fixedStatement } from '../../src/platform/fixed-statement.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

interface Tables {
  kept: { n: number; label: string; tags: string[] };
}
const tables = (db: Db) => db as unknown as Kysely<Tables>;

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
  await sql`CREATE TABLE kept (n int PRIMARY KEY, label text NOT NULL, tags text[] NOT NULL)`.execute(
    t.database.kysely,
  );
  await sql`INSERT INTO kept SELECT n, 'row ' || n, ARRAY['t' || (n % 3)] FROM generate_series(1, 40) AS n`.execute(
    t.database.kysely,
  );
});
afterAll(() => t?.drop());

// Values among the builder's own constants (the 'row %' pattern): two numbers and an array (one
// parameter: a list a builder expands, `in` or `&&` on a JS array, would be as long as a value).
const build = (db: Db, from: number, to: number, tags: string[]) =>
  tables(db)
    .selectFrom('kept')
    .select(['n', 'label'])
    .where('label', 'like', 'row %')
    .where('n', '>=', from)
    .where('n', '<=', to)
    .where('tags', '&&', sql<string[]>`${tags}::text[]`)
    .orderBy('n');

describe('fixedStatement', () => {
  it('answers as the builder run anew, for any values, in a transaction or not', async () => {
    let built = 0;
    const fixed = fixedStatement((db: Db, from: number, to: number, tags: string[]) => {
      built++;
      return build(db, from, to, tags);
    });
    const db = t.database.kysely;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -5, max: 45 }),
        fc.integer({ min: -5, max: 45 }),
        fc.subarray(['t0', 't1', 't2', 'x']),
        fc.boolean(),
        async (from, to, tags, inTransaction) => {
          const expected = await build(db, from, to, tags).execute();
          const answer = inTransaction
            ? await db.transaction().execute((trx) => fixed(trx, from, to, tags))
            : await fixed(db, from, to, tags);
          expect(answer).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
    expect(built).toBe(1);
  });

  it('refuses a builder that computes with a value rather than passing it on, before any statement runs', async () => {
    const computing = fixedStatement((db: Db, n: number) =>
      tables(db)
        .selectFrom('kept')
        .select('n')
        .where('n', '=', n + 1),
    );
    await expect(computing(t.database.kysely, 20)).rejects.toThrow(/value 0 of a fixed statement/);
  });
});
