// What `tally check` reports once a test has corrupted the database: the corruption runs in a
// transaction that is rolled back afterwards (the events table refuses DELETE and UPDATE, so a
// corrupted ledger could not be repaired otherwise), and the check runs inside it.
import { checkEverything } from '../../src/check.ts';
import type { Db } from '../../src/platform/database.ts';
import type { Violation } from '../../src/platform/violation.ts';

const ROLLED_BACK = new Error('rolled back');

export async function checkAfter(db: Db, corrupt: (trx: Db) => Promise<unknown>): Promise<Violation[]> {
  let found: Violation[] = [];
  await db
    .transaction()
    .execute(async (trx) => {
      await corrupt(trx);
      found = await checkEverything(trx);
      throw ROLLED_BACK;
    })
    .catch((err) => {
      if (err !== ROLLED_BACK) throw err;
    });
  return found;
}
