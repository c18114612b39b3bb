// Every committed event is sealed exactly once, however writers and sealers interleave. On
// PostgreSQL, three pools stand for three processes: twelve writers append events in transactions
// of several statements while sealers on every pool seal concurrently; a final seal must then
// leave no committed event outside a block and none in two.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/platform/database.ts';
import { appendEvent } from '../src/ledger/events.ts';
import { sealNow } from '../src/ledger/jobs.ts';
import { exportBlocks } from '../src/ledger/seal.ts';
import { verifyExport } from '../src/ledger/verify.ts';
import { freshDatabase, type TestDatabase } from './helpers/database.ts';

const PROCESSES = 3;
const WRITERS = 12;
const TRANSACTIONS = 40;
const EVENTS_PER_TRANSACTION = 3;

let t: TestDatabase;
let pools: Database[];
beforeAll(async () => {
  t = await freshDatabase();
  // The embedded database has one connection: the "processes" share it and simply take turns.
  pools = t.url ? await Promise.all(Array.from({ length: PROCESSES }, () => openDatabase({ url: t.url }))) : [t.database];
});
afterAll(async () => {
  if (t.url) await Promise.all(pools.map((p) => p.close()));
  await t.drop();
});

/** One writer: transactions that take their id with the first event and add more before committing. */
async function write(db: Database['kysely'], writer: number): Promise<void> {
  for (let k = 0; k < TRANSACTIONS; k++) {
    await db.transaction().execute(async (trx) => {
      for (let e = 0; e < EVENTS_PER_TRANSACTION; e++) {
        await appendEvent(trx, { type: 'test.written', subject_type: 'writer', subject_id: writer, actor_id: null, payload: { k, e } });
      }
    });
  }
}

it('seals every committed event exactly once under concurrent writers and sealers', async () => {
  let writing = true;
  const writers = Array.from({ length: WRITERS }, (_, w) => write(pools[w % pools.length]!.kysely, w));
  const sealers = pools.map(async (p) => {
    while (writing) await sealNow(p.kysely);
  });
  await Promise.all(writers);
  writing = false;
  await Promise.all(sealers);
  await sealNow(t.database.kysely);

  const db = t.database.kysely;
  const { rows } = await sql<{ id: number; blocks: number }>`
    SELECT e.id, count(l.event_id)::int AS blocks FROM events e LEFT JOIN ledger_leaves l ON l.event_id = e.id
    GROUP BY e.id HAVING count(l.event_id) <> 1 ORDER BY e.id`.execute(db);
  expect(rows).toEqual([]);
  const sealed = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ledger_leaves`.execute(db);
  expect(sealed.rows[0]!.n).toBe(WRITERS * TRANSACTIONS * EVENTS_PER_TRANSACTION);
  const report = await verifyExport((async function* () { for await (const b of exportBlocks(db)) yield JSON.stringify(b); })());
  expect(report.break).toBeUndefined();
  expect(report.events).toBe(WRITERS * TRANSACTIONS * EVENTS_PER_TRANSACTION);
});
