// POST /api/certificates/query writes its page straight from the database's text
// (queryBundlesAsJson); callers in this process read the same page as bundle views (queryBundles).
// Whatever the bundles hold (any status, account, text, instant, fraction of a second or null),
// the route answers the JSON of those views, key for key in the schema's order, with the same
// cursors, page after page. The bundles are set behind the API's back so that every column takes
// values no single workflow would give it. Every filter the route takes (written into the statement
// as literals on a server, sql-literals.ts) selects exactly the bundles it names.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageRequest } from '../../src/platform/pagination.ts';
import type { Principal } from '../../src/platform/principal.ts';
import { queryBundles } from '../../src/registry/queries.ts';
import { Bundle } from '../../src/registry/schemas.ts';
import { ENERGY_SOURCES, type EnergySource, STATUSES } from '../../src/registry/tables.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { columnText } from '../helpers/text.ts';
import { buildWorld, hour, issue, type World } from '../helpers/world.ts';

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

  it('selects by every filter exactly the bundles it names, as the views do', async () => {
    const db = s.db.database.kysely;
    // Bundle k: hour k, a status in turn, wind when k is odd, all in the producer's account.
    for (const [k, id] of ids.entries())
      await sql`
        UPDATE bundles SET certificate_bundle_status = ${STATUSES[k % STATUSES.length]!},
          account_id = ${w.producerAccount}, energy_source = ${k % 2 ? 'wind' : 'solar_pv'},
          production_starting_interval = ${hour(k).production_starting_interval}::timestamptz,
          production_ending_interval = ${hour(k).production_ending_interval}::timestamptz
        WHERE id = ${id}`.execute(db);
    const filter = fc.record(
      {
        certificate_bundle_status: fc.subarray([...STATUSES], { minLength: 1 }),
        energy_source: fc.subarray<EnergySource>(['wind', 'solar_pv', ENERGY_SOURCES.at(-1)!], { minLength: 1 }),
        device_id: fc.constantFrom(w.device, w.device + 1000),
        certificate_period_start: fc.nat(16).map((h) => hour(h).production_starting_interval),
        certificate_period_end: fc.integer({ min: 17, max: 20 }).map((h) => hour(h).production_starting_interval),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(filter, fc.integer({ min: 1, max: 5 }), async (f, limit) => {
        const named = ids.filter((_, k) => {
          const at = hour(k).production_starting_interval;
          return (
            (!f.certificate_bundle_status || f.certificate_bundle_status.includes(STATUSES[k % STATUSES.length]!)) &&
            (!f.energy_source || f.energy_source.includes(k % 2 ? 'wind' : 'solar_pv')) &&
            (f.device_id === undefined || f.device_id === w.device) &&
            (!f.certificate_period_start || at >= f.certificate_period_start) &&
            (!f.certificate_period_end || at < f.certificate_period_end)
          );
        });
        const body = { source_id: w.producerAccount, ...f };
        const read: number[] = [];
        let cursor: string | undefined;
        do {
          const reply = await s.request('POST', '/api/certificates/query', {
            token: w.issuer.token,
            body: { ...body, limit, ...(cursor ? { cursor } : {}) },
          });
          expect(reply.status).toBe(200);
          const views = await queryBundles(db, issuer, body, pageRequest({ limit, cursor }, 'body'));
          expect(JSON.stringify(reply.body)).toBe(JSON.stringify(views));
          read.push(...reply.body.items.map((b: { id: number }) => b.id));
          cursor = reply.body.next_cursor ?? undefined;
        } while (cursor);
        expect(read).toEqual(named);
      }),
      { numRuns: 60 },
    );
  });
});
