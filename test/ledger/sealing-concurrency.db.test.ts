// Every committed event is sealed exactly once, and paged past exactly once, however writers,
// sealers and readers interleave. On PostgreSQL, three pools stand for three processes: twelve
// writers append events in transactions of several statements while sealers on every pool seal
// and a reader pages through the log concurrently; a final seal must then leave no committed event
// outside a block and none in two, and the reader must have met every event.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/database.ts';
import { checkLedger } from '../../src/ledger/check.ts';
import { appendEvent, listEvents } from '../../src/ledger/events.ts';
import { commitHorizon } from '../../src/ledger/horizon.ts';
import { sealNow } from '../../src/ledger/jobs.ts';
import { exportBlocks } from '../../src/ledger/seal.ts';
import { verifyExport } from '../../src/ledger/verify.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { TEST_START } from '../helpers/clock.ts';

const PROCESSES = 3;
const WRITERS = 12;
const TRANSACTIONS = 40;
const EVENTS_PER_TRANSACTION = 3;

let t: TestDatabase;
let pools: Database[];
beforeAll(async () => {
  t = await freshDatabase();
  // The embedded database has one connection: the "processes" share it and simply take turns.
  pools = t.url
    ? await Promise.all(Array.from({ length: PROCESSES }, () => openDatabase({ url: t.url })))
    : [t.database];
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
        await appendEvent(trx, {
          type: 'test.written',
          subject_type: 'writer',
          subject_id: writer,
          actor_id: null,
          payload: { k, e },
        });
      }
    });
  }
}

/**
 * A reader following the log as GET /api/events pages it: it moves its cursor on only past full
 * pages and reads the last, short page again next time, so an event that appears behind a cursor
 * it has moved past is never met.
 */
interface Reader {
  cursor?: string;
  seen: Set<number>;
}
async function readOn(db: Database['kysely'], reader: Reader): Promise<void> {
  for (;;) {
    const page = await listEvents(db, {}, { limit: 25, cursor: reader.cursor, field: 'cursor' });
    for (const e of page.items) reader.seen.add(e.id);
    if (!page.next_cursor) return;
    reader.cursor = page.next_cursor;
  }
}

it('seals and pages every committed event exactly once under concurrent writers, sealers and a reader', async () => {
  let writing = true;
  const reader: Reader = { seen: new Set() };
  const writers = Array.from({ length: WRITERS }, (_, w) => write(pools[w % pools.length]!.kysely, w));
  const sealers = pools.map(async (p) => {
    while (writing) await sealNow(p.kysely, undefined, TEST_START);
  });
  const reading = (async () => {
    while (writing) await readOn(pools[0]!.kysely, reader);
  })();
  await Promise.all(writers);
  writing = false;
  await Promise.all([...sealers, reading]);
  // Nothing runs any more: the last pass and the last seal see every committed event.
  await readOn(t.database.kysely, reader);
  await sealNow(t.database.kysely, undefined, TEST_START);
  expect(reader.seen.size).toBe(WRITERS * TRANSACTIONS * EVENTS_PER_TRANSACTION);

  const db = t.database.kysely;
  const { rows } = await sql<{ id: number; blocks: number }>`
    SELECT e.id, count(l.event_id)::int AS blocks FROM events e LEFT JOIN ledger_leaves l ON l.event_id = e.id
    GROUP BY e.id HAVING count(l.event_id) <> 1 ORDER BY e.id`.execute(db);
  expect(rows).toEqual([]);
  const sealed = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ledger_leaves`.execute(db);
  expect(sealed.rows[0]!.n).toBe(WRITERS * TRANSACTIONS * EVENTS_PER_TRANSACTION);
  const report = await verifyExport(
    (async function* () {
      for await (const b of exportBlocks(db)) yield JSON.stringify(b);
    })(),
  );
  expect(report.break).toBeUndefined();
  expect(report.events).toBe(WRITERS * TRANSACTIONS * EVENTS_PER_TRANSACTION);
  expect(await checkLedger(db)).toEqual([]);
});

it.skipIf(!process.env.TEST_DATABASE_URL)(
  "keeps a transaction's horizon below a writer that took its id after the first look",
  async () => {
    const [sealer, holder, other] = pools as [Database, Database, Database];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let tookId!: (xid: string) => void;
    const held = new Promise<string>((resolve) => (tookId = resolve));
    await sealer.kysely.transaction().execute(async (trx) => {
      await commitHorizon(trx);
      // A writer takes its id and stays open; a later writer commits above it.
      const holding = holder.kysely.transaction().execute(async (w) => {
        await appendEvent(w, { type: 'test.held', subject_type: 'test', subject_id: 1, actor_id: null, payload: {} });
        tookId((await sql<{ x: string }>`SELECT pg_current_xact_id()::text AS x`.execute(w)).rows[0]!.x);
        await released;
      });
      const xid = await held;
      await appendEvent(other.kysely, {
        type: 'test.later',
        subject_type: 'test',
        subject_id: 2,
        actor_id: null,
        payload: {},
      });
      expect(await commitHorizon(trx)).toBe(xid);
      release();
      await holding;
    });
  },
);
