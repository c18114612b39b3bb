// Idempotency answers, and the record of a key's committed work, are kept a day: the forgetting
// job ages them by the database's clock, which stamped them. Their age is set by rewriting the
// stamps, not waited for.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { forgetOldIdempotencyKeys, KEPT_HOURS } from '../../src/platform/http/idempotency.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t.drop());

it(`forgets answers and work records older than ${KEPT_HOURS} hours, and only those`, async () => {
  const db = t.database.kysely;
  for (const [key, hours] of [
    ['old', KEPT_HOURS + 1],
    ['young', KEPT_HOURS - 1],
  ] as const) {
    const stamp = sql`now() - ${hours} * interval '1 hour'`;
    await sql`INSERT INTO idempotency_keys
        (caller, key, method, path, request_hash, status_code, content_type, body, created_at)
      VALUES ('user:1', ${key}, 'POST', '/api/accounts', 'hash', 201, 'application/json', '{}', ${stamp})`.execute(db);
    await sql`INSERT INTO idempotency_work (caller, key, request_hash, created_at)
      VALUES ('user:1', ${key}, 'hash', ${stamp})`.execute(db);
  }
  expect(await forgetOldIdempotencyKeys(db)).toBe(1);
  const left = async (table: 'idempotency_keys' | 'idempotency_work') =>
    (await sql<{ key: string }>`SELECT key FROM ${sql.table(table)} ORDER BY key`.execute(db)).rows.map((r) => r.key);
  expect([await left('idempotency_keys'), await left('idempotency_work')]).toEqual([['young'], ['young']]);
});
