// What a literal written for COPY says is exactly the value bound (platform/sql-literals.ts), on the
// engine under test: any text a column holds, however it is quoted inside, and any instant or number.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLiterals } from '../../src/platform/sql-literals.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { columnText } from '../helpers/text.ts';

describe('a literal read back', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  const dollars = fc.string({ unit: fc.constantFrom('$', 'l', '1', '2', "'", '\\'), minLength: 1, maxLength: 12 });

  it('is the text, the number and the instant bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(columnText({ maxLength: 30 }), dollars),
        fc.maxSafeInteger(),
        fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
        async (text, n, at) => {
          const statement = withLiterals({
            sql: 'select $1::text as text, $2::bigint as n, $3::timestamptz as at',
            parameters: [text, n, at],
          });
          const { rows } = await sql.raw<{ text: string; n: number; at: Date }>(statement).execute(t.database.kysely);
          expect(rows).toEqual([{ text, n, at }]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
