// Automatic issuance: complete metered hours become bundles on their own, once, and the pending
// list says why the others do not.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, type World } from '../helpers/world.ts';
import { checkRegistry } from '../../src/registry/check.ts';
import { runAutoIssuance } from '../../src/registry/auto-issuance.ts';

let s: TestServer;
let w: World;
const POINT = '571313174000000009';
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: POINT, type: 'production', account_id: w.producerAccount },
    }),
    201,
  );
  const linked = await expectStatus(
    s.request('PATCH', `/api/devices/${w.device}`, { token: w.producer.token, body: { metering_point_id: POINT } }),
    200,
  );
  expect(linked.auto_issue).toBe(false);
  const quarter = (hour: string, k: number, wh: number) => {
    const start = Date.parse(hour) + k * 900_000;
    return {
      interval_start_datetime: new Date(start).toISOString(),
      interval_end_datetime: new Date(start + 900_000).toISOString(),
      interval_usage: wh,
    };
  };
  await expectStatus(
    s.request('POST', `/api/metering-points/${POINT}/readings`, {
      token: w.producer.token,
      body: {
        readings: [
          // 10:00 complete: 1,000 Wh in four quarters.
          quarter('2025-07-01T10:00:00Z', 0, 100),
          quarter('2025-07-01T10:00:00Z', 1, 200),
          quarter('2025-07-01T10:00:00Z', 2, 300),
          quarter('2025-07-01T10:00:00Z', 3, 400),
          // 11:00 has three quarters only.
          quarter('2025-07-01T11:00:00Z', 0, 100),
          quarter('2025-07-01T11:00:00Z', 1, 100),
          quarter('2025-07-01T11:00:00Z', 2, 100),
          // 12:00 reads more than 1 MW × 1 h × 1.1.
          {
            interval_start_datetime: '2025-07-01T12:00:00Z',
            interval_end_datetime: '2025-07-01T13:00:00Z',
            interval_usage: 1_100_001,
          },
        ],
      },
    }),
    200,
  );
});
afterAll(() => s.close());

const pending = async () =>
  (
    await expectStatus(
      s.request('GET', `/api/issuance/pending?device_id=${w.device}`, { token: w.producer.token }),
      200,
    )
  ).items.map((p: any) => [p.production_starting_interval.slice(11, 16), p.wh, p.reason]);

it('lists the hours not yet issued with what keeps each back', async () => {
  expect(await pending()).toEqual([
    ['10:00', 1000, 'auto_issue_off'],
    ['11:00', 300, 'incomplete_hour'],
    ['12:00', 1_100_001, 'over_capacity'],
  ]);
  // The holder may not turn it on, and a refused change links no point either: it is one transaction.
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: 'SPARE', type: 'production', account_id: w.producerAccount },
    }),
    201,
  );
  const events = await s.eventCount();
  const refused = await s.request('PATCH', `/api/devices/${w.device}`, {
    token: w.producer.token,
    body: { metering_point_id: 'SPARE', auto_issue: true },
  });
  expect([refused.status, refused.body.code]).toEqual([403, 'role_required']);
  expect(
    (await expectStatus(s.request('GET', '/api/metering-points/SPARE', { token: w.producer.token }), 200)).device_id,
  ).toBeNull();
  expect(await s.eventCount()).toBe(events);
  await expectStatus(
    s.request('PATCH', `/api/devices/${w.device}`, { token: w.issuer.token, body: { auto_issue: true } }),
    200,
  );
  expect((await pending())[0]).toEqual(['10:00', 1000, 'ready']);
});

it('lists only the hours that overlap from and to, whole hours, and refuses a reversed period', async () => {
  const within = async (query: string) =>
    (
      await expectStatus(
        s.request('GET', `/api/issuance/pending?device_id=${w.device}&${query}`, { token: w.producer.token }),
        200,
      )
    ).items.map((p: any) => p.production_starting_interval.slice(11, 16));
  expect(await within('from=2025-07-01T11:00:00Z&to=2025-07-01T12:00:00Z')).toEqual(['11:00']);
  // A time within an hour takes in that hour.
  expect(await within('from=2025-07-01T10:59:00Z&to=2025-07-01T12:00:01Z')).toEqual(['10:00', '11:00', '12:00']);
  expect(await within('from=2025-07-01T11:30:00Z')).toEqual(['11:00', '12:00']);
  expect(await within('to=2025-07-01T11:00:00Z')).toEqual(['10:00']);
  expect(await within('from=2025-07-02T00:00:00Z')).toEqual([]);
  const reversed = await s.request(
    'GET',
    `/api/issuance/pending?device_id=${w.device}&from=2025-07-01T12:00:00Z&to=2025-07-01T11:00:00Z`,
    { token: w.producer.token },
  );
  expect([reversed.status, reversed.body.code, reversed.body.errors[0].field]).toEqual([
    400,
    'reversed_period',
    'querystring/to',
  ]);
  const malformed = await s.request('GET', `/api/issuance/pending?from=yesterday`, { token: w.producer.token });
  expect([malformed.status, malformed.body.errors[0].field]).toEqual([400, 'querystring/from']);
});

it('issues each complete hour once, even when two runs race', async () => {
  const runs = await Promise.all(
    [1, 2].map(() => expectStatus(s.request('POST', '/api/issuance/run', { token: w.issuer.token }), 200)),
  );
  expect(runs.reduce((sum, r) => sum + r.bundles_issued, 0)).toBe(1);
  expect(runs.reduce((sum, r) => sum + r.wh_issued, 0)).toBe(1000);
  expect(await expectStatus(s.request('POST', '/api/issuance/run', { token: w.issuer.token }), 200)).toEqual({
    bundles_issued: 0,
    wh_issued: 0,
    failed: [],
  });

  const q = await expectStatus(
    s.request('POST', '/api/certificates/query', { token: w.producer.token, body: { source_id: w.producerAccount } }),
    200,
  );
  expect(
    q.items.map((b: any) => [
      b.production_starting_interval,
      b.bundle_quantity,
      b.certificate_bundle_id_range_start,
      b.certificate_bundle_id_range_end,
    ]),
  ).toEqual([['2025-07-01T10:00:00.000Z', 1000, 1, 1000]]);
  const readings = await expectStatus(
    s.request('GET', `/api/metering-points/${POINT}/readings?from=2025-07-01T10:00:00Z&to=2025-07-01T11:00:00Z`, {
      token: w.producer.token,
    }),
    200,
  );
  expect(readings.items.map((r: any) => [r.issued, r.bundle_ids])).toEqual(Array(4).fill([true, [q.items[0].id]]));
  expect(await pending()).toEqual([
    ['11:00', 300, 'incomplete_hour'],
    ['12:00', 1_100_001, 'over_capacity'],
  ]);

  const event = (
    await expectStatus(s.request('GET', '/api/events?type=certificates.issued', { token: w.issuer.token }), 200)
  ).items.at(-1);
  expect(event.actor_id).toBeNull();
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
});

it('issues an hour once its missing quarter arrives, and lets only the issuing body run it by hand', async () => {
  await expectStatus(
    s.request('POST', `/api/metering-points/${POINT}/readings`, {
      token: w.producer.token,
      body: {
        readings: [
          {
            interval_start_datetime: '2025-07-01T11:45:00Z',
            interval_end_datetime: '2025-07-01T12:00:00Z',
            interval_usage: 50,
          },
        ],
      },
    }),
    200,
  );
  expect((await s.request('POST', '/api/issuance/run', { token: w.producer.token })).status).toBe(403);
  expect(await expectStatus(s.request('POST', '/api/issuance/run', { token: w.issuer.token }), 200)).toEqual({
    bundles_issued: 1,
    wh_issued: 350,
    failed: [],
  });
});

it('continues the id range from batch to batch within one run', async () => {
  const hours = ['2025-07-02T00:00:00Z', '2025-07-02T01:00:00Z', '2025-07-02T02:00:00Z'];
  await expectStatus(
    s.request('POST', `/api/metering-points/${POINT}/readings`, {
      token: w.producer.token,
      body: {
        readings: hours.map((h, k) => ({
          interval_start_datetime: h,
          interval_end_datetime: new Date(Date.parse(h) + 3_600_000).toISOString(),
          interval_usage: 100 * (k + 1),
        })),
      },
    }),
    200,
  );
  // One hour per batch, so each batch must start where the previous one ended.
  const run = await s.db.database.kysely
    .transaction()
    .execute((trx) => runAutoIssuance(trx, new Date('2025-08-01T00:00:00Z'), 365, 1));
  expect(run).toEqual({ bundles_issued: 3, wh_issued: 600, failed: [] });
  const q = await expectStatus(
    s.request('POST', '/api/certificates/query', {
      token: w.producer.token,
      body: { source_id: w.producerAccount, certificate_period_start: '2025-07-02T00:00:00Z' },
    }),
    200,
  );
  // 1,000 + 350 Wh were issued before: ids continue at 1,351 without a gap.
  expect(q.items.map((b: any) => [b.certificate_bundle_id_range_start, b.certificate_bundle_id_range_end])).toEqual([
    [1351, 1450],
    [1451, 1650],
    [1651, 1950],
  ]);
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
});
