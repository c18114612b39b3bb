// Disclosures: a consumer's hourly consumption matched with the certificates claimed for it,
// public at stable URLs, following new claims.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, hour, issue, registerDevice, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let links: { id: string; json_url: string; csv_url: string };
let cancelled: any[];
const CONSUMER = '571313174000000077';
const post = (path: string, token: string, body: unknown) =>
  expectStatus(
    s.request('POST', path, { token, body }),
    path === '/api/disclosures' || path === '/api/metering-points' ? 201 : 200,
  );

beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  await post('/api/metering-points', w.trader.token, {
    id: CONSUMER,
    type: 'consumption',
    account_id: w.traderAccount,
  });
  const consumption = [
    [10, 1000],
    [11, 1000],
    [12, 500],
  ].map(([h, wh]) => ({
    interval_start_datetime: hour(h!).production_starting_interval,
    interval_end_datetime: hour(h!).production_ending_interval,
    interval_usage: wh,
  }));
  await post(`/api/metering-points/${CONSUMER}/readings`, w.trader.token, { readings: consumption });
  const bundles = await issue(s, w, [
    [10, 600],
    [11, 2000],
  ]);
  await post('/api/certificates/transfer', w.producer.token, {
    source_id: w.producerAccount,
    target_id: w.traderAccount,
    granular_certificate_bundle_ids: bundles.map((b) => b.id),
  });
  cancelled = (
    await post('/api/certificates/cancel', w.trader.token, {
      source_id: w.traderAccount,
      granular_certificate_bundle_ids: bundles.map((b) => b.id),
      beneficiary: 'Trader',
    })
  ).bundles;
  // Claim 600 Wh of 10:00 and 1,500 of the 2,000 Wh of 11:00 against the consumption point.
  await post('/api/certificates/claim', w.trader.token, {
    source_id: w.traderAccount,
    granular_certificate_bundle_ids: cancelled.map((b) => b.id),
    certificate_quantity: 2100,
    metering_point_id: CONSUMER,
  });
});
afterAll(() => s.close());

it('publishes a disclosure only for a consumer the caller acts for', async () => {
  const refused = await s.request('POST', '/api/disclosures', {
    token: w.outsider.token,
    body: { metering_point_ids: [CONSUMER], period_start: '2025-06-01T00:00:00Z', period_end: '2025-06-02T00:00:00Z' },
  });
  expect(refused.status).toBe(404);
  links = await post('/api/disclosures', w.trader.token, {
    metering_point_ids: [CONSUMER],
    period_start: '2025-06-01T00:00:00Z',
    period_end: '2025-06-02T00:00:00Z',
  });
  expect(links.json_url).toBe(`${s.config.publicUrl}/api/disclosures/${links.id}/data.json`);
  const list = await expectStatus(s.request('GET', '/api/disclosures'), 200);
  expect(list.items.map((d: any) => [d.id, d.metering_point_ids])).toEqual([[links.id, [CONSUMER]]]);
});

it('matches consumption with claims of the same hour, publicly, in JSON and CSV', async () => {
  const d = await expectStatus(s.request('GET', `/api/disclosures/${links.id}/data.json`), 200);
  expect(d).toMatchObject({ consumption_wh: 2500, claimed_wh: 2100, matched_wh: 1600, hourly_matching_score: 0.64 });
  // The event that published it, for its inclusion proof.
  const published = await expectStatus(
    s.request('GET', '/api/events?type=disclosure.published', { token: w.issuer.token }),
    200,
  );
  expect(published.items.map((e: any) => [e.id, e.subject_id])).toEqual([[d.published_event_id, links.id]]);
  expect(d.hours).toEqual([
    {
      hour_start: '2025-06-01T10:00:00.000Z',
      consumption_wh: 1000,
      claimed_wh: 600,
      matched_wh: 600,
      matched_share: 0.6,
      claimed: [{ energy_source: 'solar_pv', technology: 'Solar', wh: 600 }],
    },
    {
      hour_start: '2025-06-01T11:00:00.000Z',
      consumption_wh: 1000,
      claimed_wh: 1500,
      matched_wh: 1000,
      matched_share: 1,
      claimed: [{ energy_source: 'solar_pv', technology: 'Solar', wh: 1500 }],
    },
    {
      hour_start: '2025-06-01T12:00:00.000Z',
      consumption_wh: 500,
      claimed_wh: 0,
      matched_wh: 0,
      matched_share: 0,
      claimed: [],
    },
  ]);
  const csv = await s.request('GET', `/api/disclosures/${links.id}/data.csv`);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  expect(csv.body).toBe(
    [
      'hour_start,consumption_wh,claimed_wh,matched_wh,matched_share,claimed_wh_solar_pv/Solar',
      '2025-06-01T10:00:00.000Z,1000,600,600,0.6,600',
      '2025-06-01T11:00:00.000Z,1000,1500,1000,1,1500',
      '2025-06-01T12:00:00.000Z,500,0,0,0,0',
      '',
    ].join('\n'),
  );
});

it('follows a new claim without being published again', async () => {
  const rest = (
    await post('/api/certificates/query', w.trader.token, {
      source_id: w.traderAccount,
      certificate_bundle_status: 'cancelled',
    })
  ).items;
  expect(rest.map((b: any) => b.bundle_quantity)).toEqual([500]);
  await post('/api/certificates/claim', w.trader.token, {
    source_id: w.traderAccount,
    granular_certificate_bundle_ids: [rest[0].id],
    metering_point_id: CONSUMER,
  });
  const d = await expectStatus(s.request('GET', `/api/disclosures/${links.id}/data.json`), 200);
  expect([d.claimed_wh, d.matched_wh, d.hourly_matching_score]).toEqual([2600, 1600, 0.64]);
  expect(d.hours[1].claimed_wh).toBe(2000);
  expect((await s.request('GET', '/api/disclosures/00000000-0000-4000-8000-000000000000/data.json')).status).toBe(404);
});

it("refuses a claim against another tenant's point, a production point or an unknown one, and changes nothing", async () => {
  await post(`/api/accounts/${w.outsiderAccount}/whitelist`, w.outsider.token, { add: [w.producerAccount] });
  const [b] = await issue(s, w, [[20, 100_000]]);
  await post('/api/certificates/transfer', w.producer.token, {
    source_id: w.producerAccount,
    target_id: w.outsiderAccount,
    granular_certificate_bundle_ids: [b.id],
  });
  await post('/api/certificates/cancel', w.outsider.token, {
    source_id: w.outsiderAccount,
    granular_certificate_bundle_ids: [b.id],
    beneficiary: 'Outsider',
  });
  await post('/api/metering-points', w.outsider.token, {
    id: 'OUTSIDER-PRODUCTION',
    type: 'production',
    account_id: w.outsiderAccount,
  });
  const admin = await s.user('admin');
  const disclosed = () => expectStatus(s.request('GET', `/api/disclosures/${links.id}/data.json`), 200);
  const before = { events: await s.eventCount(), claimed: (await disclosed()).claimed_wh };
  const claim = (token: string, point: string) =>
    s.request('POST', '/api/certificates/claim', {
      token,
      body: { source_id: w.outsiderAccount, granular_certificate_bundle_ids: [b.id], metering_point_id: point },
    });

  const theirs = await claim(w.outsider.token, CONSUMER);
  expect([theirs.status, theirs.body.code]).toEqual([404, 'metering_point_not_found']);
  const unknown = await claim(w.outsider.token, 'NO-SUCH-POINT');
  expect([unknown.status, unknown.body.code]).toEqual([404, 'metering_point_not_found']);
  const production = await claim(w.outsider.token, 'OUTSIDER-PRODUCTION');
  expect([production.status, production.body.code, production.body.errors[0].field]).toEqual([
    400,
    'not_a_consumption_point',
    'body/metering_point_id',
  ]);
  // Even an admin, who may act for both accounts, claims only against a point of the claiming account.
  const elsewhere = await claim(admin.token, CONSUMER);
  expect([elsewhere.status, elsewhere.body.code, elsewhere.body.errors[0].field]).toEqual([
    422,
    'point_of_another_account',
    'body/metering_point_id',
  ]);

  expect(await s.eventCount()).toBe(before.events);
  expect((await disclosed()).claimed_wh).toBe(before.claimed);
  const still = await expectStatus(s.request('GET', `/api/certificates/${b.id}`, { token: w.outsider.token }), 200);
  expect([still.certificate_bundle_status, still.bundle_quantity, still.claim_metering_point_id]).toEqual([
    'cancelled',
    100_000,
    null,
  ]);
});

it("counts a Wh claimed against a point in that point's consumer only, never also in the claiming account", async () => {
  // A claim made before claims were confined to the claiming account's own points.
  const [b] = await issue(s, w, [[30, 5_000]]);
  await post('/api/certificates/cancel', w.producer.token, {
    source_id: w.producerAccount,
    granular_certificate_bundle_ids: [b.id],
    beneficiary: 'Producer',
  });
  await s.db.database.kysely
    .updateTable('bundles' as never)
    .set({
      certificate_bundle_status: 'claimed',
      claim_metering_point_id: CONSUMER,
      claimed_at: s.clock.now(),
    } as never)
    .where('id' as never, '=', b.id as never)
    .execute();
  const day = { period_start: '2025-06-02T00:00:00Z', period_end: '2025-06-03T00:00:00Z' };
  const byAccount = await post('/api/disclosures', w.producer.token, { account_id: w.producerAccount, ...day });
  const byPoint = await post('/api/disclosures', w.trader.token, { metering_point_ids: [CONSUMER], ...day });
  const byTraderAccount = await post('/api/disclosures', w.trader.token, { account_id: w.traderAccount, ...day });
  const claimed = async (l: { id: string }) =>
    (await expectStatus(s.request('GET', `/api/disclosures/${l.id}/data.json`), 200)).claimed_wh;
  expect([await claimed(byAccount), await claimed(byPoint), await claimed(byTraderAccount)]).toEqual([0, 5_000, 5_000]);
});

it('lists an hour claimed from two technologies by energy source, then technology, whatever order they were claimed in', async () => {
  const wind = await registerDevice(s, w.producer.token, {
    device_name: 'Coastal turbine',
    account_id: w.producerAccount,
    technology_code: 'T020001',
    fuel_code: 'F01050100',
    capacity: 3_000_000,
  });
  // Wind first, so neither the order of issue nor of claim puts solar first.
  const windBundles = await issue(s, { ...w, device: wind }, [[50, 300]]);
  const solarBundles = await issue(s, w, [[50, 200]]);
  const ids = [...windBundles, ...solarBundles].map((b) => b.id);
  await post('/api/certificates/transfer', w.producer.token, {
    source_id: w.producerAccount,
    target_id: w.traderAccount,
    granular_certificate_bundle_ids: ids,
  });
  await post('/api/certificates/cancel', w.trader.token, {
    source_id: w.traderAccount,
    granular_certificate_bundle_ids: ids,
    beneficiary: 'Trader',
  });
  for (const id of ids) {
    await post('/api/certificates/claim', w.trader.token, {
      source_id: w.traderAccount,
      granular_certificate_bundle_ids: [id],
      metering_point_id: CONSUMER,
    });
  }
  const day = { period_start: '2025-06-03T00:00:00Z', period_end: '2025-06-04T00:00:00Z' };
  const links = await post('/api/disclosures', w.trader.token, { metering_point_ids: [CONSUMER], ...day });
  const d = await expectStatus(s.request('GET', `/api/disclosures/${links.id}/data.json`), 200);
  expect(d.hours).toEqual([
    {
      hour_start: '2025-06-03T02:00:00.000Z',
      consumption_wh: 0,
      claimed_wh: 500,
      matched_wh: 0,
      matched_share: null,
      claimed: [
        { energy_source: 'solar_pv', technology: 'Solar', wh: 200 },
        { energy_source: 'wind', technology: 'Wind', wh: 300 },
      ],
    },
  ]);
});
