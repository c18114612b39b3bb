// POST /api/certificates/query writes its page straight from the database's text
// (queryBundlesAsJson); callers in this process read the same page as bundle views (queryBundles).
// Whatever the bundles hold (any status, account, text, instant, fraction of a second or null),
// the route answers the JSON of those views, key for key in the schema's order, with the same
// cursors, page after page. The bundles are set behind the API's back so that every column takes
// values no single workflow would give it.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageRequest } from '../../src/platform/pagination.ts';
import type { Principal } from '../../src/platform/principal.ts';
import { queryBundles } from '../../src/registry/queries.ts';
import { Bundle } from '../../src/registry/schemas.ts';
import { STATUSES } from '../../src/registry/tables.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { columnText } from '../helpers/text.ts';
import { buildWorld, issue, type World } from '../helpers/world.ts';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** An instant as PostgreSQL reads it back: `years` bound it, a fraction of `step` µs often. */
const instant = (years: { min: number; max: number }, step = 1) =>
  fc
    .record({
      year: fc.integer(years),
      day: fc.integer({ min: 0, max: 364 }),
      second: fc.integer({ min: 0, max: 86_399 }),
      micros: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: Math.floor(999_999 / step) }).map((n) => n * step),
      ),
    })
    .map(({ year, day, second, micros }) => {
      const date = new Date(Date.UTC(2001, 0, 1 + day, 0, 0, second));
      date.setUTCFullYear(year);
      return `${date.toISOString().slice(0, 19)}.${pad(micros, 6)}+00`;
    });

/**
 * Production starts the API takes (years 2000–9998, whole milliseconds, which its cursors hold),
 * a few shared so that pages break between bundles of one instant.
 */
const start = fc.oneof(instant({ min: 2000, max: 2100 }, 1000), fc.constant('2025-06-01 10:00:00+00'));
/** Other instants: any year PostgreSQL writes in four digits. */
const other = fc.option(instant({ min: 1, max: 9999 }), { nil: null });
const text = columnText({ maxLength: 40 });

const contents = fc.record({
  status: fc.constantFrom(...STATUSES),
  inTrader: fc.boolean(),
  start,
  issued: instant({ min: 2000, max: 2100 }),
  beneficiary: fc.option(text, { nil: null }),
  purpose: fc.option(text, { nil: null }),
  cancelledAt: other,
  consumer: fc.option(text, { nil: null }),
  point: fc.option(text, { nil: null }),
  periodStart: other,
  periodEnd: other,
  claimedAt: other,
  reference: fc.option(text, { nil: null }),
});

describe('a page of the query route', () => {
  let s: TestServer;
  let w: World;
  let ids: number[];
  let issuer: Principal;

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
    ids = (
      await issue(
        s,
        w,
        Array.from({ length: 16 }, (_, h): [number, number] => [h, 1000 + h]),
      )
    ).map((b) => b.id);
    issuer = { userId: w.issuer.id, role: 'issuer', email: 'issuer@example.com' };
  });
  afterAll(async () => {
    await s?.close();
  });

  it("writes each bundle's properties in the schema's order", async () => {
    const reply = await s.request('POST', '/api/certificates/query', {
      token: w.issuer.token,
      body: { source_id: w.producerAccount, limit: 1 },
    });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(['items', 'next_cursor']);
    expect(Object.keys(reply.body.items[0] ?? {})).toEqual(Object.keys(Bundle.properties));
  });

  it('is the JSON of the bundle views, with their cursors, page after page', async () => {
    const db = s.db.database.kysely;
    await fc.assert(
      fc.asyncProperty(
        fc.array(contents, { minLength: ids.length, maxLength: ids.length }),
        fc.integer({ min: 1, max: 6 }),
        async (bundles, limit) => {
          for (const [k, b] of bundles.entries())
            await sql`
              UPDATE bundles SET certificate_bundle_status = ${b.status},
                account_id = ${b.inTrader ? w.traderAccount : w.producerAccount},
                production_starting_interval = ${b.start}::timestamptz,
                production_ending_interval = ${b.start}::timestamptz + interval '1 hour',
                issuance_datestamp = ${b.issued}::timestamptz,
                expiry_datestamp = ${b.issued}::timestamptz + interval '365 days',
                beneficiary = ${b.beneficiary}, cancellation_purpose = ${b.purpose},
                cancelled_at = ${b.cancelledAt}::timestamptz, claim_consumer = ${b.consumer},
                claim_metering_point_id = ${b.point}, claim_period_start = ${b.periodStart}::timestamptz,
                claim_period_end = ${b.periodEnd}::timestamptz, claimed_at = ${b.claimedAt}::timestamptz,
                holder_reference = ${b.reference}
              WHERE id = ${ids[k]!}`.execute(db);
          for (const account of [w.producerAccount, w.traderAccount]) {
            const held = bundles.filter((b) => (b.inTrader ? w.traderAccount : w.producerAccount) === account);
            let cursor: string | undefined;
            let read = 0;
            do {
              const reply = await s.request('POST', '/api/certificates/query', {
                token: w.issuer.token,
                body: { source_id: account, limit, ...(cursor ? { cursor } : {}) },
              });
              expect(reply.status).toBe(200);
              const views = await queryBundles(
                db,
                issuer,
                { source_id: account },
                pageRequest({ limit, cursor }, 'body'),
              );
              expect(JSON.stringify(reply.body)).toBe(JSON.stringify(views));
              read += reply.body.items.length;
              cursor = reply.body.next_cursor ?? undefined;
            } while (cursor);
            expect(read).toBe(held.length);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
