// Extreme values through the whole HTTP path: readings and registers → the issuance run → a
// community with those prices and those members → clearing → intervals, matches, statements (JSON
// and CSV) → a disclosure. Whatever the values, nothing answers 5xx: a value is refused with a 4xx
// or flows on safely. Readings beyond metering's bounds may still be accepted where that bound has
// not landed; the community must be safe either way. Afterwards the clearing job still clears a
// healthy community, every interval of it, and no community failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, type World } from '../helpers/world.ts';
import { api, HOUR, iso, trades } from '../helpers/community.ts';
import { clearAllCommunities } from '../../src/community/jobs.ts';
import { MAX_MEMBER_WH, MAX_PRICE } from '../../src/community/limits.ts';
import { MAX_READING_WH, MAX_REGISTER_WH } from '../../src/metering/limits.ts';

const T = Date.parse('2025-06-02T00:00:00Z');
const HOURS = 3;
/** Hour k of run n: each run has hours of its own, so the issuance run has something to issue each time. */
const hourOf = (n: number) => (k: number) => T + (n * HOURS + k) * HOUR;

const energy = fc.constantFrom(
  0,
  1,
  999,
  MAX_MEMBER_WH,
  MAX_MEMBER_WH + 1,
  MAX_READING_WH,
  MAX_READING_WH + 1,
  MAX_REGISTER_WH,
  Number.MAX_SAFE_INTEGER,
  -1,
  -MAX_READING_WH,
  0.5,
);
const price = fc.constantFrom(
  0,
  0.000001,
  0.123456789123,
  1,
  MAX_PRICE,
  MAX_PRICE + 0.000001,
  Number.MAX_SAFE_INTEGER,
  1e300,
  -1,
  -0.000001,
);
const mechanism = fc.constantFrom('mmr', 'sdr', 'bill_sharing', 'static_keys', 'dynamic_keys');

let s: TestServer;
let w: World;
let serial = 0;

beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  await expectStatus(
    s.request('PATCH', `/api/devices/${w.device}`, { token: w.issuer.token, body: { auto_issue: true } }),
    200,
  );
});
afterAll(() => s.close());

/** Any answer but a 5xx. */
async function no5xx(
  what: string,
  reply: Promise<{ status: number; body: any }>,
): Promise<{ status: number; body: any }> {
  const r = await reply;
  if (r.status >= 500) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

describe('extreme values through the HTTP API', () => {
  it('never answer 5xx, from readings to disclosures', async () => {
    const as = (token: string) => ({ token });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          made: energy,
          used: energy,
          register: energy,
          grid: price,
          feedIn: price,
          peer: fc.option(price),
          mechanism,
        }),
        async (v) => {
          const n = ++serial;
          const h = hourOf(n);
          const points = { made: `X${n}-MADE`, used: `X${n}-USED`, reg: `X${n}-REG` };
          await expectStatus(
            s.request('POST', '/api/metering-points', {
              ...as(w.producer.token),
              body: { id: points.made, type: 'production', account_id: w.producerAccount, device_id: w.device },
            }),
            201,
          );
          await expectStatus(
            s.request('POST', '/api/metering-points', {
              ...as(w.producer.token),
              body: { id: points.used, type: 'consumption', account_id: w.producerAccount },
            }),
            201,
          );
          await expectStatus(
            s.request('POST', '/api/metering-points', {
              ...as(w.producer.token),
              body: { id: points.reg, type: 'consumption', account_id: w.producerAccount },
            }),
            201,
          );
          const hourly = (wh: number) => ({
            readings: Array.from({ length: HOURS }, (_, k) => ({
              interval_start_datetime: iso(h(k)),
              interval_end_datetime: iso(h(k + 1)),
              interval_usage: wh,
            })),
          });
          await no5xx(
            'production readings',
            s.request('POST', `/api/metering-points/${points.made}/readings`, {
              ...as(w.producer.token),
              body: hourly(v.made),
            }),
          );
          await no5xx(
            'consumption readings',
            s.request('POST', `/api/metering-points/${points.used}/readings`, {
              ...as(w.producer.token),
              body: hourly(v.used),
            }),
          );
          await no5xx(
            'registers',
            s.request('POST', `/api/metering-points/${points.reg}/registers`, {
              ...as(w.producer.token),
              body: {
                readings: [0, 1, 2, 3].map((k) => ({
                  read_at: iso(h(k)),
                  import_wh: k === 0 ? 0 : v.register,
                  export_wh: 0,
                })),
              },
            }),
          );
          await no5xx('issuance run', s.request('POST', '/api/issuance/run', as(w.issuer.token)));

          // Waiting a year for readings: the job leaves these communities where they are.
          const terms = {
            name: `Extreme ${n}`,
            interval_minutes: 60,
            time_zone: 'UTC',
            currency: 'EUR',
            move_certificates: n % 2 === 0,
            mechanism: v.mechanism,
            data_wait_minutes: 525_600,
          };
          const created = await no5xx(
            'community',
            s.request('POST', '/api/communities', {
              ...as(w.producer.token),
              body: { ...terms, grid_price: v.grid, feed_in_price: v.feedIn, peer_price: v.peer },
            }),
          );
          // Refused prices: the highest ones allowed, so clearing still sees the extreme energy.
          const id =
            created.status === 201
              ? created.body.id
              : (
                  await expectStatus(
                    s.request('POST', '/api/communities', {
                      ...as(w.producer.token),
                      body: { ...terms, grid_price: MAX_PRICE, feed_in_price: MAX_PRICE, peer_price: null },
                    }),
                    201,
                  )
                ).id;
          await no5xx(
            'terms',
            s.request('PATCH', `/api/communities/${id}`, { ...as(w.producer.token), body: { grid_price: v.grid } }),
          );
          for (const point of Object.values(points)) {
            await expectStatus(
              s.request('POST', `/api/communities/${id}/members`, {
                ...as(w.producer.token),
                body: { metering_point_id: point, name: `=${point}`, valid_from: '2025-06-02', share: 0.5 },
              }),
              201,
            );
          }
          const cleared = await no5xx(
            'clear',
            s.request('POST', `/api/communities/${id}/clear`, {
              ...as(w.producer.token),
              body: { from: iso(h(0)), to: iso(h(HOURS)) },
            }),
          );
          expect(cleared.body).toEqual({ intervals_cleared: HOURS });
          const period = `from=${iso(h(0))}&to=${iso(h(HOURS))}`;
          for (const path of [
            `intervals?${period}`,
            `matches?${period}`,
            `matches.csv?${period}`,
            'statements?month=2025-06',
            'statements.csv?month=2025-06',
            `certificate-moves?${period}`,
          ]) {
            await expectStatus(
              no5xx(path, s.request('GET', `/api/communities/${id}/${path}`, as(w.producer.token))),
              200,
            );
          }
          const disclosure = await no5xx(
            'disclosure',
            s.request('POST', '/api/disclosures', {
              ...as(w.producer.token),
              body: {
                metering_point_ids: [points.used, points.reg],
                period_start: iso(h(0)),
                period_end: iso(h(HOURS)),
              },
            }),
          );
          if (disclosure.status === 201) {
            await expectStatus(
              no5xx('disclosure JSON', s.request('GET', `/api/disclosures/${disclosure.body.id}/data.json`)),
              200,
            );
            await expectStatus(
              no5xx('disclosure CSV', s.request('GET', `/api/disclosures/${disclosure.body.id}/data.csv`)),
              200,
            );
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('leaves the clearing job clearing a healthy community, every interval of it', async () => {
    // Hours of its own, a month after the others, from the first day of its membership.
    const h = (k: number) => Date.parse('2025-07-01T00:00:00Z') + k * HOUR;
    const manager = await s.user('trader', 'healthy');
    const account = (
      await expectStatus(
        s.request('POST', '/api/accounts', { token: manager.token, body: { account_name: 'Healthy' } }),
        201,
      )
    ).id;
    const a = api(s, manager, account);
    const id = await a.community({ name: 'Healthy', interval_minutes: 60, time_zone: 'UTC', data_wait_minutes: 0 });
    await a.point('OK-SUN', 'production');
    await a.point('OK-HOME', 'consumption');
    await a.readings(
      'OK-SUN',
      Array.from({ length: HOURS }, (_, k) => [h(k), 60, 900]),
    );
    await a.readings(
      'OK-HOME',
      Array.from({ length: HOURS }, (_, k) => [h(k), 60, 300]),
    );
    const sun = (await a.member(id, { metering_point_id: 'OK-SUN', name: 'Sun', valid_from: '2025-07-01' })).id;
    const home = (await a.member(id, { metering_point_id: 'OK-HOME', name: 'Home', valid_from: '2025-07-01' })).id;
    // The extreme communities wait for readings that never come: only the healthy one clears.
    const outcome = await clearAllCommunities(s.db.database.kysely, new Date(h(HOURS)));
    expect(outcome).toEqual({ count: HOURS, failed: [] });
    const intervals = await a.intervals(id, h(0), h(HOURS));
    expect(intervals.map((i: any) => i.interval_start)).toEqual([iso(h(0)), iso(h(1)), iso(h(2))]);
    for (const i of intervals)
      expect(trades(i)).toEqual([
        [home, sun, 300],
        [null, sun, 600],
      ]);
  });
});
