// utcHour (date_bin on microseconds) names the same hour as date_trunc in UTC, which converts each
// value to the zone's local time first: for any instant Tally accepts, on both databases.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EARLIEST_YEAR, LATEST_YEAR } from '../../src/platform/period.ts';
import { utcHour } from '../../src/platform/utc-hour.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t?.drop());

describe('utcHour', () => {
  it('equals date_trunc(hour, t, UTC) for every instant in the accepted years, to the microsecond', async () => {
    const first = Date.UTC(EARLIEST_YEAR, 0, 1),
      last = Date.UTC(LATEST_YEAR, 11, 31, 23, 59, 59);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: first, max: last }), fc.integer({ min: 0, max: 999 })), {
          minLength: 1,
          maxLength: 200,
        }),
        async (instants) => {
          // Microseconds past the millisecond, so values between two whole milliseconds count too.
          const texts = instants.map(
            ([ms, us]) => `${new Date(ms).toISOString().slice(0, -1)}${String(us).padStart(3, '0')}Z`,
          );
          const { rows } = await sql<{ binned: string; truncated: string }>`
            SELECT ${utcHour(sql`v`)}::text AS binned, date_trunc('hour', v, 'UTC')::text AS truncated
            FROM unnest(${texts}::timestamptz[]) AS v`.execute(t.database.kysely);
          expect(rows.map((r) => r.binned)).toEqual(rows.map((r) => r.truncated));
        },
      ),
      { numRuns: 50 },
    );
  });
});
