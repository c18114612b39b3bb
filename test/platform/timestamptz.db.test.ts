// Both engines read a timestamptz through Tally's parser: the instant PostgreSQL holds, cut to the
// millisecond, for every year it writes in four digits (PGlite's own parser read 0001 as 2001).
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

describe('timestamptz from the database', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('arrives as the instant it holds, years 1–9999, microseconds cut to milliseconds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -62135596800000, max: 253402300799999 }), // 0001-01-01 to 9999-12-31
        fc.integer({ min: 0, max: 999 }),
        async (ms, micros) => {
          const iso = new Date(ms).toISOString();
          const { rows } = await sql<{ at: Date }>`
            SELECT (${iso}::timestamptz + ${micros} * interval '1 microsecond') AS at`.execute(t.database.kysely);
          expect(rows[0]!.at.toISOString()).toBe(iso);
        },
      ),
      { numRuns: 300 },
    );
  });
});
