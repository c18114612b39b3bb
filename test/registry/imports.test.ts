// Certificate import from another registry: the EnergyTag import template, as CSV or JSON rows,
// into an account as imported bundles that keep their origin; all or nothing, each origin range
// once, every refusal naming its row and column and changing nothing; then the bundles act like any
// other (transfer, cancel, claim, withdraw, expire) and count in a disclosure at their hour.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';
import { checkAfter } from '../helpers/check-after.ts';
import { TEST_START } from '../helpers/clock.ts';
import { checkRegistry } from '../../src/registry/check.ts';
import { expireBundles, originsOf } from '../../src/registry/index.ts';

let s: TestServer;
let w: World;
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
});
afterAll(async () => {
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
  await s.close();
});

const HEADER =
  'issuance_id,bundle_quantity,certificate_bundle_id_range_start,certificate_bundle_id_range_end,energy_carrier,' +
  'energy_source,face_value,issuance_post_energy_carrier_conversion,emissions_factor_production_device,' +
  'emissions_factor_source,production_starting_interval,production_ending_interval,local_timezone,' +
  'expiry_datestamp,is_storage,storage_efficiency_factor,country_of_issuance,connected_grid_identification,' +
  'issuing_body,legal_status,issuance_purpose,support_received,quality_scheme_reference,dissemination_level,' +
  'issue_market_zone';
/** The row of the shared import template (gc_import_template.csv), as it is. */
const TEMPLATE_ROW =
  'GC-1-2025-01-21-1500,5210000,0,5209999,electricity,solar_pv,1,FALSE,,,21/01/2025 21:00,21/01/2025 22:00,' +
  'America/Chicago,21/01/2027 21:00,FALSE,,United States,ERCOT,ERCOT,,compliance,,,,ERCOT';
const COLUMNS = HEADER.split(',');

/** A template row of 1 June 2025 in Copenhagen (UTC+2), with the given cells replaced. */
function row(cells: Record<string, string>): string {
  const base: Record<string, string> = {
    issuance_id: 'NO-2025-06-01-A',
    bundle_quantity: '1000',
    certificate_bundle_id_range_start: '1',
    certificate_bundle_id_range_end: '1000',
    energy_carrier: 'electricity',
    energy_source: 'wind',
    face_value: '1',
    issuance_post_energy_carrier_conversion: 'FALSE',
    production_starting_interval: '01/06/2025 12:00',
    production_ending_interval: '01/06/2025 13:00',
    local_timezone: 'Europe/Copenhagen',
    expiry_datestamp: '01/06/2027 12:00',
    is_storage: 'FALSE',
    country_of_issuance: 'Norway',
    connected_grid_identification: 'NO2',
    issuing_body: 'Statnett',
    issue_market_zone: 'NO2',
    ...cells,
  };
  return COLUMNS.map((c) => base[c] ?? '').join(',');
}
const csv = (...rows: string[]) => `${HEADER}\n${rows.join('\n')}\n`;

const importCsv = (
  body: string,
  query = `account_id=${w.producerAccount}&origin_registry=NECS`,
  token = w.issuer.token,
) =>
  s.request('POST', `/api/certificates/import?${query}`, { token, raw: body, headers: { 'content-type': 'text/csv' } });

/** Everything an import writes: a refused one must leave all of it as it was. */
async function state() {
  const db = s.db.database.kysely;
  const { rows } = await sql<{ origins: string; issuances: string; bundles: string }>`
    SELECT (SELECT count(*) FROM imported_issuances) AS origins, (SELECT count(*) FROM issuances) AS issuances,
           (SELECT count(*) FROM bundles) AS bundles`.execute(db);
  return { ...rows[0], events: await s.eventCount() };
}

async function refused(reply: ReturnType<typeof importCsv>, status: number, code: string, field: string) {
  const before = await state();
  const r = await reply;
  expect([r.status, r.body.code, r.body.errors?.[0]?.field]).toEqual([status, code, field]);
  expect(await state()).toEqual(before);
  return r.body;
}

describe('importing the template', () => {
  let imported: any;

  it('imports the template file as it is: one active bundle with its original ids, times read in its zone', async () => {
    const before = await s.eventCount();
    imported = await expectStatus(
      importCsv(csv(TEMPLATE_ROW), `account_id=${w.traderAccount}&origin_registry=ERCOT`),
      201,
    );
    const [origin] = imported.imported_issuances;
    expect(origin).toEqual({
      id: origin.id,
      origin_registry: 'ERCOT',
      origin_issuance_id: 'GC-1-2025-01-21-1500',
      certificate_bundle_id_range_start: 0,
      certificate_bundle_id_range_end: 5209999,
      bundle_quantity: 5210000,
      energy_source: 'solar_pv',
      issuance_post_energy_carrier_conversion: false,
      emissions_factor_production_device: null,
      emissions_factor_source: null,
      // 21:00 in Chicago in January (UTC−6).
      production_starting_interval: '2025-01-22T03:00:00.000Z',
      production_ending_interval: '2025-01-22T04:00:00.000Z',
      local_timezone: 'America/Chicago',
      expiry_datestamp: '2027-01-22T03:00:00.000Z',
      is_storage: false,
      storage_efficiency_factor: null,
      country_of_issuance: 'United States',
      connected_grid_identification: 'ERCOT',
      issuing_body: 'ERCOT',
      legal_status: null,
      issuance_purpose: 'compliance',
      support_received: null,
      quality_scheme_reference: null,
      dissemination_level: null,
      issue_market_zone: 'ERCOT',
      device_name: null,
      device_technology_type: null,
      device_production_start_date: null,
      device_capacity: null,
      device_latitude: null,
      device_longitude: null,
      account_id: w.traderAccount,
      imported_by: w.issuer.id,
      imported_at: TEST_START.toISOString(),
    });
    const [bundle] = imported.bundles;
    expect(bundle).toMatchObject({
      device_id: null,
      imported_issuance_id: origin.id,
      account_id: w.traderAccount,
      certificate_bundle_id_range_start: 0,
      certificate_bundle_id_range_end: 5209999,
      bundle_quantity: 5210000,
      certificate_bundle_status: 'active',
      energy_source: 'solar_pv',
      production_starting_interval: '2025-01-22T03:00:00.000Z',
      production_ending_interval: '2025-01-22T04:00:00.000Z',
      issuance_datestamp: TEST_START.toISOString(),
      expiry_datestamp: '2027-01-22T03:00:00.000Z',
      split_from_bundle_id: null,
    });
    expect(await s.eventCount()).toBe(before + 1);
    const events = await expectStatus(
      s.request('GET', `/api/events?type=certificates.imported`, { token: w.issuer.token }),
      200,
    );
    expect(events.items.map((e: any) => [e.subject_id, e.payload.origin_registry, e.payload.bundles[0].id])).toEqual([
      [String(w.traderAccount), 'ERCOT', bundle.id],
    ]);
  });

  it('shows the bundle with its origin and no device', async () => {
    const [bundle] = imported.bundles;
    const detail = await expectStatus(
      s.request('GET', `/api/certificates/${bundle.id}`, { token: w.trader.token }),
      200,
    );
    expect(detail).toMatchObject({
      id: bundle.id,
      device: null,
      issuance_metadata: null,
      device_location: null,
      reissue_of_bundle_id: null,
      imported_from: imported.imported_issuances[0],
    });
  });

  it('keeps the origin record as it was imported: the database refuses any change to it', async () => {
    const origin = imported.imported_issuances[0];
    const db = s.db.database.kysely;
    await expect(
      sql`UPDATE imported_issuances SET issuing_body = 'Other' WHERE id = ${origin.id}`.execute(db),
    ).rejects.toThrow('imported issuances are immutable: UPDATE refused');
    await expect(sql`DELETE FROM imported_issuances WHERE id = ${origin.id}`.execute(db)).rejects.toThrow(
      'imported issuances are immutable: DELETE refused',
    );
    await expect(sql`TRUNCATE imported_issuances CASCADE`.execute(db)).rejects.toThrow(
      'imported issuances are immutable: TRUNCATE refused',
    );
    const { rows } = await sql<{ issuing_body: string }>`
      SELECT issuing_body FROM imported_issuances WHERE id = ${origin.id}`.execute(db);
    expect(rows).toEqual([{ issuing_body: origin.issuing_body }]);
  });

  it("reads device and imported issuances' origins in one call, as the face's bundle list does", async () => {
    const [own] = await issue(s, w, [[0, 1000]]);
    const [bundle] = imported.bundles;
    const origins = await originsOf(s.db.database.kysely, [own.issuance_id, bundle.issuance_id, own.issuance_id]);
    expect(new Set(origins.keys())).toEqual(new Set([own.issuance_id, bundle.issuance_id]));
    expect(origins.get(bundle.issuance_id)).toEqual({
      device: null,
      issuance_metadata: null,
      origin_device: null,
      imported_from: imported.imported_issuances[0],
    });
    const device = origins.get(own.issuance_id)!;
    expect([
      device.device?.id,
      device.issuance_metadata?.issuing_body,
      device.origin_device,
      device.imported_from,
    ]).toEqual([w.device, 'Energinet', null, null]);
  });

  it('refuses the same file twice, naming its row, with nothing changed', async () => {
    await refused(
      importCsv(csv(TEMPLATE_ROW), `account_id=${w.traderAccount}&origin_registry=ERCOT`),
      409,
      'already_imported',
      'csv/row/2/certificate_bundle_id_range_start',
    );
  });

  it('takes the same origin ids from another registry: the origin registry is part of the key', async () => {
    const r = await expectStatus(
      importCsv(csv(TEMPLATE_ROW), `account_id=${w.traderAccount}&origin_registry=M-RETS`),
      201,
    );
    expect(r.bundles[0].certificate_bundle_id_range_start).toBe(0);
  });
});

describe('refusals', () => {
  it('refuses a range overlapping one imported before in another file, naming the row', async () => {
    await expectStatus(importCsv(csv(row({}))), 201);
    const body = await refused(
      importCsv(
        csv(
          row({
            certificate_bundle_id_range_start: '1001',
            certificate_bundle_id_range_end: '1500',
            bundle_quantity: '500',
          }),
          row({
            certificate_bundle_id_range_start: '900',
            certificate_bundle_id_range_end: '1000',
            bundle_quantity: '101',
          }),
        ),
      ),
      409,
      'already_imported',
      'csv/row/3/certificate_bundle_id_range_start',
    );
    expect(body.detail).toBe(
      'csv/row/3: ids 900–1000 of issuance NO-2025-06-01-A of NECS overlap ids 1–1000, imported before ' +
        `(imported issuance ${body.detail.match(/imported issuance (\d+)/)[1]})`,
    );
  });

  it('refuses two rows of one file whose ranges overlap', async () => {
    await refused(
      importCsv(
        csv(
          row({ issuance_id: 'B', certificate_bundle_id_range_start: '1', certificate_bundle_id_range_end: '1000' }),
          row({ issuance_id: 'B', certificate_bundle_id_range_start: '1000', certificate_bundle_id_range_end: '1999' }),
        ),
      ),
      400,
      'overlapping_ranges',
      'csv/row/3/certificate_bundle_id_range_start',
    );
  });

  const bad: Array<[string, Record<string, string>, string]> = [
    ['a date that is no date', { production_starting_interval: '32/05/2025 12:00' }, 'production_starting_interval'],
    ['an ISO date', { production_ending_interval: '2025-06-01T13:00:00Z' }, 'production_ending_interval'],
    ['an unknown energy source', { energy_source: 'sunshine' }, 'energy_source'],
    [
      'a range ending before it starts',
      { certificate_bundle_id_range_start: '10', certificate_bundle_id_range_end: '5', bundle_quantity: '6' },
      'certificate_bundle_id_range_end',
    ],
    ['a quantity other than the range size', { bundle_quantity: '999' }, 'bundle_quantity'],
    ['a face value of a kWh', { face_value: '1000' }, 'face_value'],
    ['hydrogen', { energy_carrier: 'hydrogen' }, 'energy_carrier'],
    ['an interval over an hour', { production_ending_interval: '01/06/2025 13:30' }, 'production_ending_interval'],
    ['an hour clocks skip', { production_starting_interval: '30/03/2025 02:00' }, 'production_starting_interval'],
    ['an hour clocks repeat', { production_starting_interval: '26/10/2025 02:30' }, 'production_starting_interval'],
    ['storage efficiency without storage', { storage_efficiency_factor: '0.9' }, 'storage_efficiency_factor'],
    ['an empty issuing body', { issuing_body: '' }, 'issuing_body'],
    ['an issuance id of 201 characters', { issuance_id: 'x'.repeat(201) }, 'issuance_id'],
    ['an efficiency above 1', { is_storage: 'TRUE', storage_efficiency_factor: '1.2' }, 'storage_efficiency_factor'],
  ];
  for (const [what, cells, column] of bad)
    it(`refuses ${what}, naming row and column, importing none of the file`, async () => {
      await refused(
        importCsv(csv(row({ issuance_id: 'GOOD' }), row({ issuance_id: 'BAD', ...cells }))),
        400,
        'invalid_import_row',
        `csv/row/3/${column}`,
      );
    });

  it('refuses production that has not ended and certificates that expired, as 422', async () => {
    await refused(
      importCsv(
        csv(row({ production_starting_interval: '01/12/2026 13:00', production_ending_interval: '01/12/2026 14:00' })),
      ),
      422,
      'future_interval',
      'csv/row/2/production_ending_interval',
    );
    await refused(
      importCsv(csv(row({ expiry_datestamp: '01/12/2026 12:00' }))),
      422,
      'certificate_expired',
      'csv/row/2/expiry_datestamp',
    );
  });

  it('refuses a header without a required column or with an unknown one', async () => {
    await refused(importCsv(`${HEADER.replace(',issuing_body', '')}\n`), 400, 'invalid_csv', 'csv/row/1');
    await refused(importCsv(`${HEADER},colour\n`), 400, 'invalid_csv', 'csv/row/1');
  });

  it('takes JSON rows too, naming a refused one by its index', async () => {
    const cells = (r: string) => Object.fromEntries(COLUMNS.map((c, k) => [c, r.split(',')[k]!]).filter(([, v]) => v));
    await refused(
      s.request('POST', `/api/certificates/import?account_id=${w.producerAccount}&origin_registry=NECS`, {
        token: w.issuer.token,
        body: {
          rows: [cells(row({ issuance_id: 'J1' })), cells(row({ issuance_id: 'J2', energy_source: 'sunshine' }))],
        },
      }),
      400,
      'invalid_import_row',
      'body/rows/1/energy_source',
    );
    const taken = await expectStatus(
      s.request('POST', `/api/certificates/import?account_id=${w.producerAccount}&origin_registry=NECS`, {
        token: w.issuer.token,
        body: { rows: [cells(row({ issuance_id: 'J1' })), cells(row({ issuance_id: 'J2' }))] },
      }),
      201,
    );
    expect(taken.imported_issuances.map((o: any) => [o.origin_issuance_id, o.production_starting_interval])).toEqual([
      ['J1', '2025-06-01T10:00:00.000Z'],
      ['J2', '2025-06-01T10:00:00.000Z'],
    ]);
  });

  it('lets only an issuing body import, into an open account that exists', async () => {
    await refused(
      importCsv(csv(row({ issuance_id: 'P' })), undefined, w.producer.token),
      403,
      'role_required',
      undefined!,
    );
    await refused(
      importCsv(csv(row({ issuance_id: 'P' })), 'account_id=999999&origin_registry=NECS'),
      404,
      'account_not_found',
      undefined!,
    );
  });
});

describe('imported bundles act like any other', () => {
  const CONSUMER = '571313174000000099';
  let bundle: any;

  beforeAll(async () => {
    const r = await expectStatus(
      importCsv(
        csv(
          row({
            issuance_id: 'NO-ACT',
            emissions_factor_production_device: '12.5',
            quality_scheme_reference: 'EECS',
          }),
          row({ issuance_id: 'NO-WITHDRAW', energy_source: 'hydro' }),
        ),
      ),
      201,
    );
    bundle = r.bundles[0];
    await expectStatus(
      s.request('POST', '/api/metering-points', {
        token: w.trader.token,
        body: { id: CONSUMER, type: 'consumption', account_id: w.traderAccount },
      }),
      201,
    );
    await expectStatus(
      s.request('POST', `/api/metering-points/${CONSUMER}/readings`, {
        token: w.trader.token,
        body: {
          readings: [
            {
              interval_start_datetime: '2025-06-01T10:00:00Z',
              interval_end_datetime: '2025-06-01T11:00:00Z',
              interval_usage: 500,
            },
          ],
        },
      }),
      200,
    );
  });

  it('is transferred, split at its lowest ids, cancelled and claimed, and counts in a disclosure at its hour', async () => {
    const moved = await expectStatus(
      s.request('POST', '/api/certificates/transfer', {
        token: w.producer.token,
        body: {
          source_id: w.producerAccount,
          target_id: w.traderAccount,
          granular_certificate_bundle_ids: [bundle.id],
          certificate_quantity: 400,
        },
      }),
      200,
    );
    const part = moved.bundles[0];
    expect(part).toMatchObject({
      account_id: w.traderAccount,
      certificate_bundle_id_range_start: 1,
      certificate_bundle_id_range_end: 400,
      device_id: null,
      imported_issuance_id: bundle.imported_issuance_id,
      split_from_bundle_id: bundle.id,
    });
    expect(moved.remainders[0]).toMatchObject({ id: bundle.id, certificate_bundle_id_range_start: 401 });
    const cancelled = await expectStatus(
      s.request('POST', '/api/certificates/cancel', {
        token: w.trader.token,
        body: { source_id: w.traderAccount, granular_certificate_bundle_ids: [part.id], beneficiary: 'Trader' },
      }),
      200,
    );
    const statement = await expectStatus(
      s.request('GET', `/api/certificates/statements/${cancelled.statement_id}`, { token: w.trader.token }),
      200,
    );
    expect(statement.bundles).toEqual([
      expect.objectContaining({ id: part.id, device_id: null, energy_source: 'wind', bundle_quantity: 400 }),
    ]);
    await expectStatus(
      s.request('POST', '/api/certificates/claim', {
        token: w.trader.token,
        body: { source_id: w.traderAccount, granular_certificate_bundle_ids: [part.id], metering_point_id: CONSUMER },
      }),
      200,
    );
    const links = await expectStatus(
      s.request('POST', '/api/disclosures', {
        token: w.trader.token,
        body: {
          metering_point_ids: [CONSUMER],
          period_start: '2025-06-01T00:00:00Z',
          period_end: '2025-06-02T00:00:00Z',
        },
      }),
      201,
    );
    const d = await expectStatus(s.request('GET', `/api/disclosures/${links.id}/data.json`), 200);
    expect(d).toMatchObject({ consumption_wh: 500, claimed_wh: 400, matched_wh: 400 });
    expect(d.hours).toEqual([
      {
        hour_start: '2025-06-01T10:00:00.000Z',
        consumption_wh: 500,
        claimed_wh: 400,
        matched_wh: 400,
        matched_share: 0.8,
        claimed: [{ energy_source: 'wind', technology: 'wind', wh: 400 }],
      },
    ]);
  });

  it('is withdrawn by the issuing body and never re-issued here', async () => {
    const held = await expectStatus(
      s.request('POST', '/api/certificates/query', {
        token: w.producer.token,
        body: { source_id: w.producerAccount, energy_source: 'hydro' },
      }),
      200,
    );
    const [hydro] = held.items;
    expect(hydro).toMatchObject({ device_id: null, certificate_bundle_status: 'active' });
    await expectStatus(
      s.request('POST', '/api/certificates/withdraw', {
        token: w.issuer.token,
        body: { source_id: w.producerAccount, granular_certificate_bundle_ids: [hydro.id] },
      }),
      200,
    );
    const before = await state();
    const r = await s.request('POST', '/api/certificates/reissue', {
      token: w.issuer.token,
      body: { granular_certificate_bundle_id: hydro.id },
    });
    expect([r.status, r.body.code, r.body.errors[0].field]).toEqual([
      422,
      'imported_bundle',
      'body/granular_certificate_bundle_id',
    ]);
    expect(await state()).toEqual(before);
  });

  it('expires at its origin expiry date like any other', async () => {
    const db = s.db.database.kysely;
    await db.transaction().execute((trx) => expireBundles(trx, new Date('2027-06-01T10:00:00Z')));
    const remainder = await expectStatus(
      s.request('GET', `/api/certificates/${bundle.id}`, { token: w.producer.token }),
      200,
    );
    expect(remainder.certificate_bundle_status).toBe('expired');
  });
});

describe('concurrency and the checker', () => {
  it('imports one of two files racing for overlapping ids of one origin issuance', async () => {
    const files = [
      csv(
        row({ issuance_id: 'RACE', certificate_bundle_id_range_start: '1', certificate_bundle_id_range_end: '1000' }),
      ),
      csv(
        row({ issuance_id: 'RACE', certificate_bundle_id_range_start: '500', certificate_bundle_id_range_end: '1499' }),
      ),
    ];
    const replies = await Promise.all(files.map((f) => importCsv(f)));
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('finds overlapping imported ranges of one origin issuance, and bundles untrue to their origin', async () => {
    const db = s.db.database.kysely;
    const violations = await checkAfter(db, async (trx) => {
      await sql`INSERT INTO imported_issuances (origin_registry, origin_issuance_id, certificate_bundle_id_range_start,
                  certificate_bundle_id_range_end, bundle_quantity, energy_source, issuance_post_energy_carrier_conversion,
                  production_starting_interval, production_ending_interval, local_timezone, expiry_datestamp, is_storage,
                  country_of_issuance, connected_grid_identification, issuing_body, issue_market_zone, account_id)
                SELECT origin_registry, origin_issuance_id, certificate_bundle_id_range_start + 1,
                  certificate_bundle_id_range_end + 1, bundle_quantity, energy_source, issuance_post_energy_carrier_conversion,
                  production_starting_interval, production_ending_interval, local_timezone, expiry_datestamp, is_storage,
                  country_of_issuance, connected_grid_identification, issuing_body, issue_market_zone, account_id
                FROM imported_issuances WHERE origin_issuance_id = 'RACE'`.execute(trx);
      await sql`UPDATE bundles SET energy_source = 'coal' WHERE imported_issuance_id IS NOT NULL
                AND certificate_bundle_status = 'active' AND energy_source = 'wind'`.execute(trx);
    });
    expect(violations.map((v) => v.rule).sort()).toEqual(
      expect.arrayContaining(['imported_once', 'imports_true_to_origin', 'replay_rebuilds_state']),
    );
    expect(violations.find((v) => v.rule === 'imported_once')?.detail).toMatch(
      /^issuance RACE of NECS: imported issuances \d+ and \d+ overlap$/,
    );
  });
});
