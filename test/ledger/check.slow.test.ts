// What `tally check` proves of the sealed ledger: no committed event below the sealed horizon is
// missing from a block, none is in two, and the blocks verify. Each rule is broken here the way
// the defect or an intruder with the database owner's rights would break it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { checkLedger } from '../../src/ledger/check.ts';
import { appendEvent } from '../../src/ledger/events.ts';
import { sealNow } from '../../src/ledger/jobs.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { TEST_START } from '../helpers/clock.ts';
import { TALLY } from '../helpers/cli.ts';

const run = promisify(execFile);

let t: TestDatabase;
beforeEach(async () => {
  t = await freshDatabase();
});
afterEach(() => t.drop());

const db = () => t.database.kysely;
const append = (n: number) =>
  db()
    .transaction()
    .execute(async (trx) => {
      for (let k = 0; k < n; k++)
        await appendEvent(trx, {
          type: 'test.written',
          subject_type: 'test',
          subject_id: k,
          actor_id: null,
          payload: { k },
        });
    });

/** `tally check` on the test's server database; the embedded one lives in this process only. */
async function cliCheck(): Promise<{ code: number; stdout: string } | undefined> {
  if (!t.url) return undefined;
  return run('node', [...TALLY, 'check'], { env: { ...process.env, DATABASE_URL: t.url } }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e) => e,
  );
}

it('passes when every committed event is sealed once', async () => {
  await append(3);
  await sealNow(db(), undefined, TEST_START);
  await append(2);
  expect(await checkLedger(db())).toEqual([]);
  const cli = await cliCheck();
  if (cli) expect(cli.code).toBe(0);
});

it('names an event committed below the sealed horizon that no block holds', async () => {
  await append(3);
  await sealNow(db(), undefined, TEST_START);
  // What the skipping sealer left behind: a committed event whose transaction sorts before the
  // last sealed one, written here directly with the oldest ordinary transaction id there is.
  const { rows } = await sql<{ id: number }>`
    INSERT INTO events (type, subject_type, subject_id, payload, xact_id)
    VALUES ('test.skipped', 'test', 'x', '{}', '3') RETURNING id`.execute(db());
  const skipped = rows[0]!.id;
  expect(await checkLedger(db())).toEqual([
    { rule: 'events_sealed_once', detail: `event ${skipped} is below the sealed horizon (block 1) but in no block` },
  ]);
  const cli = await cliCheck();
  if (cli) {
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(
      `FAIL events_sealed_once: event ${skipped} is below the sealed horizon (block 1) but in no block`,
    );
  }
});

it('names an event sealed into two blocks', async () => {
  await append(2);
  await sealNow(db(), undefined, TEST_START);
  // The primary key forbids it; an intruder who drops the key can still write the second leaf.
  await sql`ALTER TABLE ledger_leaves DROP CONSTRAINT ledger_leaves_pkey`.execute(db());
  await sql`INSERT INTO ledger_leaves (event_id, block_height, leaf_index, leaf_hash)
    SELECT event_id, 1, 2, leaf_hash FROM ledger_leaves WHERE leaf_index = 0`.execute(db());
  const first = (await sql<{ id: number }>`SELECT min(id)::int AS id FROM events`.execute(db())).rows[0]!.id;
  expect(await checkLedger(db())).toContainEqual({
    rule: 'events_sealed_once',
    detail: `event ${first} is sealed 2 times (blocks 1, 1)`,
  });
});

it('names a block whose signed head no longer verifies with its key', async () => {
  await append(2);
  await sealNow(db(), undefined, TEST_START);
  await sql`ALTER TABLE ledger_heads DISABLE TRIGGER USER`.execute(db());
  await sql`UPDATE ledger_heads SET signature = ${Buffer.alloc(64).toString('base64')}`.execute(db());
  await sql`ALTER TABLE ledger_heads ENABLE TRIGGER USER`.execute(db());
  const key = (await sql<{ key_id: string }>`SELECT key_id FROM ledger_keys`.execute(db())).rows[0]!.key_id;
  expect(await checkLedger(db())).toEqual([
    { rule: 'ledger_verifies', detail: `block 1: its head's signature does not verify with key ${key}` },
  ]);
});
