// Disclosures: a consumer's hourly consumption matched with the certificates claimed for it,
// public at stable URLs, following new claims.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.ts';
import { buildWorld, expectStatus, hour, issue, type World } from './helpers/world.ts';

let s: TestServer;
let w: World;
let links: { id: string; json_url: string; csv_url: string };
let cancelled: any[];
const CONSUMER = '571313174000000077';
const post = (path: string, token: string, body: unknown) => expectStatus(s.request('POST', path, { token, body }), path === '/api/disclosures' || path === '/api/metering-points' ? 201 : 200);

beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  await post('/api/metering-points', w.trader.token, { id: CONSUMER, type: 'consumption', account_id: w.traderAccount });
  const consumption = [[10, 1000], [11, 1000], [12, 500]].map(([h, wh]) => ({ interval_start_datetime: hour(h!).production_starting_interval, interval_end_datetime: hour(h!).production_ending_interval, interval_usage: wh }));
  await post(`/api/metering-points/${CONSUMER}/readings`, w.trader.token, { readings: consumption });
  const bundles = await issue(s, w, [[10, 600], [11, 2000]]);
  await post('/api/certificates/transfer', w.producer.token, { source_id: w.producerAccount, target_id: w.traderAccount, granular_certificate_bundle_ids: bundles.map((b) => b.id) });
  cancelled = (await post('/api/certificates/cancel', w.trader.token, { source_id: w.traderAccount, granular_certificate_bundle_ids: bundles.map((b) => b.id), beneficiary: 'Trader' })).bundles;
  // Claim 600 Wh of 10:00 and 1,500 of the 2,000 Wh of 11:00 against the consumption point.
  await post('/api/certificates/claim', w.trader.token, { source_id: w.traderAccount, granular_certificate_bundle_ids: cancelled.map((b) => b.id), certificate_quantity: 2100, metering_point_id: CONSUMER });
});
afterAll(() => s.close());

it('publishes a disclosure only for a consumer the caller acts for', async () => {
  const refused = await s.request('POST', '/api/disclosures', { token: w.outsider.token, body: { metering_point_ids: [CONSUMER], period_start: '2025-06-01T00:00:00Z', period_end: '2025-06-02T00:00:00Z' } });
  expect(refused.status).toBe(404);
  links = await post('/api/disclosures', w.trader.token, { metering_point_ids: [CONSUMER], period_start: '2025-06-01T00:00:00Z', period_end: '2025-06-02T00:00:00Z' });
  expect(links.json_url).toBe(`${s.config.publicUrl}/api/disclosures/${links.id}/data.json`);
  const list = await expectStatus(s.request('GET', '/api/disclosures'), 200);
  expect(list.items.map((d: any) => [d.id, d.metering_point_ids])).toEqual([[links.id, [CONSUMER]]]);
});

it('matches consumption with claims of the same hour, publicly, in JSON and CSV', async () => {
  const d = await expectStatus(s.request('GET', `/api/disclosures/${links.id}/data.json`), 200);
  expect(d).toMatchObject({ consumption_wh: 2500, claimed_wh: 2100, matched_wh: 1600, hourly_matching_score: 0.64 });
  expect(d.hours).toEqual([
    { hour_start: '2025-06-01T10:00:00.000Z', consumption_wh: 1000, claimed_wh: 600, matched_wh: 600, matched_share: 0.6, claimed: [{ energy_source: 'solar_pv', technology: 'Solar', wh: 600 }] },
    { hour_start: '2025-06-01T11:00:00.000Z', consumption_wh: 1000, claimed_wh: 1500, matched_wh: 1000, matched_share: 1, claimed: [{ energy_source: 'solar_pv', technology: 'Solar', wh: 1500 }] },
    { hour_start: '2025-06-01T12:00:00.000Z', consumption_wh: 500, claimed_wh: 0, matched_wh: 0, matched_share: 0, claimed: [] },
  ]);
  const csv = await s.request('GET', `/api/disclosures/${links.id}/data.csv`);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  expect(csv.body).toBe([
    'hour_start,consumption_wh,claimed_wh,matched_wh,matched_share,claimed_wh_solar_pv/Solar',
    '2025-06-01T10:00:00.000Z,1000,600,600,0.6,600',
    '2025-06-01T11:00:00.000Z,1000,1500,1000,1,1500',
    '2025-06-01T12:00:00.000Z,500,0,0,0,0',
    '',
  ].join('\n'));
});

it('follows a new claim without being published again', async () => {
  const rest = (await post('/api/certificates/query', w.trader.token, { source_id: w.traderAccount, certificate_bundle_status: 'cancelled' })).items;
  expect(rest.map((b: any) => b.bundle_quantity)).toEqual([500]);
  await post('/api/certificates/claim', w.trader.token, { source_id: w.traderAccount, granular_certificate_bundle_ids: [rest[0].id], metering_point_id: CONSUMER });
  const d = await expectStatus(s.request('GET', `/api/disclosures/${links.id}/data.json`), 200);
  expect([d.claimed_wh, d.matched_wh, d.hourly_matching_score]).toEqual([2600, 1600, 0.64]);
  expect(d.hours[1].claimed_wh).toBe(2000);
  expect((await s.request('GET', '/api/disclosures/00000000-0000-4000-8000-000000000000/data.json')).status).toBe(404);
});
