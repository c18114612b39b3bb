// Issue 3's whole path in one story: a week of 15-minute readings imported from a file,
// certificates issuing on their own, a consumer's claims in its disclosure, and the sealed
// ledger verifying offline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importReadingsFile } from '../../src/metering/import-file.ts';
import { exportBlocks } from '../../src/ledger/seal.ts';
import { verifyExport } from '../../src/ledger/verify.ts';
import { checkRegistry } from '../../src/registry/check.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let dir: string;
const PV = '571313174000001001';
const HOME = '571313174000002002';
const START = Date.parse('2025-04-07T00:00:00Z');
const QUARTERS = 7 * 96;

beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  dir = mkdtempSync(join(tmpdir(), 'tally-e2e-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await s?.close();
});

/** Solar-like production by day, flat household consumption: integer Wh per quarter hour. */
const pvWh = (q: number) => {
  const hour = Math.floor((q % 96) / 4);
  return hour >= 6 && hour < 18 ? 2_000 + (hour % 6) * 500 : 0;
};
const homeWh = () => 1_200;

it('goes from a file of readings to a verified, disclosed, hourly-matched claim', async () => {
  const post = (path: string, token: string, body: unknown, status = 200) =>
    expectStatus(s.request('POST', path, { token, body }), status);
  await post(
    '/api/metering-points',
    w.producer.token,
    { id: PV, type: 'production', account_id: w.producerAccount },
    201,
  );
  await post(
    '/api/metering-points',
    w.trader.token,
    { id: HOME, type: 'consumption', account_id: w.traderAccount },
    201,
  );
  await expectStatus(
    s.request('PATCH', `/api/devices/${w.device}`, {
      token: w.issuer.token,
      body: { metering_point_id: PV, auto_issue: true },
    }),
    200,
  );

  // One multi-point file with both meters' 15-minute readings for a week.
  const rows = ['metering_point_id,interval_start_datetime,interval_end_datetime,interval_usage,gross_net_indicator'];
  for (let q = 0; q < QUARTERS; q++) {
    const from = new Date(START + q * 900_000).toISOString(),
      to = new Date(START + (q + 1) * 900_000).toISOString();
    rows.push(`${PV},${from},${to},${pvWh(q)},GROSS`, `${HOME},${from},${to},${homeWh()},GROSS`);
  }
  const file = join(dir, 'week.csv');
  writeFileSync(file, `${rows.join('\n')}\n`);
  const admin = await s.user('admin');
  const imported = await importReadingsFile(
    s.db.database.kysely,
    { userId: admin.id, role: 'admin', email: 'a' },
    file,
    { batchSize: 500, now: s.clock.now() },
  );
  expect(imported).toMatchObject({ rows: 2 * QUARTERS, inserted: 2 * QUARTERS, failed: [] });

  // Daylight hours issue on their own: 12 hours a day, each the sum of its four quarters.
  const run = await post('/api/issuance/run', w.issuer.token, {});
  const produced = Array.from({ length: QUARTERS }, (_, q) => pvWh(q)).reduce((a, b) => a + b, 0);
  expect(run).toEqual({ bundles_issued: 7 * 12, wh_issued: produced, failed: [] });
  const pending = await expectStatus(
    s.request('GET', `/api/issuance/pending?device_id=${w.device}`, { token: w.producer.token }),
    200,
  );
  expect(new Set(pending.items.map((p: any) => p.reason))).toEqual(new Set(['nothing_to_issue']));

  // The producer sells Monday's certificates; the household's supplier cancels and claims them.
  const monday = await post('/api/certificates/query', w.producer.token, {
    source_id: w.producerAccount,
    certificate_period_start: '2025-04-07T00:00:00Z',
    certificate_period_end: '2025-04-08T00:00:00Z',
  });
  const ids = monday.items.map((b: any) => b.id);
  await post('/api/certificates/transfer', w.producer.token, {
    source_id: w.producerAccount,
    target_id: w.traderAccount,
    granular_certificate_bundle_ids: ids,
  });
  await post('/api/certificates/cancel', w.trader.token, {
    source_id: w.traderAccount,
    granular_certificate_bundle_ids: ids,
    beneficiary: 'Household',
  });
  await post('/api/certificates/claim', w.trader.token, {
    source_id: w.traderAccount,
    granular_certificate_bundle_ids: ids,
    metering_point_id: HOME,
  });

  const links = await post(
    '/api/disclosures',
    w.trader.token,
    { metering_point_ids: [HOME], period_start: '2025-04-07T00:00:00Z', period_end: '2025-04-14T00:00:00Z' },
    201,
  );
  const d = await expectStatus(s.request('GET', new URL(links.json_url).pathname), 200);
  const consumed = 7 * 96 * homeWh();
  const mondayHours = Array.from({ length: 96 }, (_, q) => pvWh(q)).reduce((a, b) => a + b, 0);
  // Every Monday daylight hour produced more than the home used (4,800 Wh an hour): those hours are fully matched.
  expect(d).toMatchObject({ consumption_wh: consumed, claimed_wh: mondayHours, matched_wh: 12 * 4 * homeWh() });
  expect(d.hourly_matching_score).toBeCloseTo((12 * 4 * homeWh()) / consumed, 6);

  // Seal everything and verify the export offline.
  await post('/api/ledger/seal', w.issuer.token, {});
  const lines: string[] = [];
  for await (const block of exportBlocks(s.db.database.kysely)) lines.push(JSON.stringify(block));
  const report = await verifyExport(
    (async function* () {
      yield* lines;
    })(),
  );
  expect(report.break).toBeUndefined();
  expect(report.events).toBe(await s.eventCount());
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
});
