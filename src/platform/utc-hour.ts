// The UTC hour an instant falls in, as SQL. `date_bin` floors on plain microseconds, where
// `date_trunc('hour', t, 'UTC')` converts every value to a zone's local time first: over the
// 175,200 rows of a year's disclosure that conversion was half the aggregate's time. Both give the
// same instant for every timestamptz (test/platform/utc-hour.db.test.ts).
import { type RawBuilder, sql } from 'kysely';

export const utcHour = (instant: RawBuilder<unknown>): RawBuilder<Date> =>
  sql<Date>`date_bin('1 hour', ${instant}, timestamptz '2000-01-01 00:00:00+00')`;
