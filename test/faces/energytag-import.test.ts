// Imported certificates on the EnergyTag face: the draft has no import operation, so bundles are
// imported through Tally's own route and then show on the face like any other, their origin record
// standing for the device (docs/energytag-conformance.md, "Certificate import"). Every face answer is
// checked against the draft's schemas; a file without the device columns the template lacks shows
// its bundles without the draft's device fields, and that is the only difference the check finds.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uuidOf } from '../../src/faces/energytag/index.ts';
import { draftValidator, getWithBody, loadDraft } from '../helpers/energytag.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectStatus } from '../helpers/world.ts';

const validator = draftValidator(loadDraft());
const PREFIX = '/energytag/v2';
const QUERY = '/certificates/certificates/query';

const HEADER =
  'issuance_id,bundle_quantity,certificate_bundle_id_range_start,certificate_bundle_id_range_end,energy_carrier,' +
  'energy_source,face_value,issuance_post_energy_carrier_conversion,emissions_factor_production_device,' +
  'emissions_factor_source,production_starting_interval,production_ending_interval,local_timezone,' +
  'expiry_datestamp,is_storage,storage_efficiency_factor,country_of_issuance,connected_grid_identification,' +
  'issuing_body,legal_status,issuance_purpose,support_received,quality_scheme_reference,dissemination_level,' +
  'issue_market_zone';
const TEMPLATE_ROW =
  'GC-1-2025-01-21-1500,5210000,0,5209999,electricity,solar_pv,1,FALSE,,,21/01/2025 21:00,21/01/2025 22:00,' +
  'America/Chicago,21/01/2027 21:00,FALSE,,United States,ERCOT,ERCOT,,compliance,,,,ERCOT';
const DEVICE_COLUMNS =
  ',device_name,device_technology_type,device_production_start_date,device_capacity,device_latitude,device_longitude';

let s: TestServer;
let issuer: { token: string };
let trader: { email: string; token: string };
let withDevice: number;
let bare: number;
let face: string;

beforeAll(async () => {
  s = await startServer();
  issuer = await s.user('issuer');
  trader = await s.user('trader');
  const account = async (account_name: string) =>
    (await expectStatus(s.request('POST', '/api/accounts', { token: trader.token, body: { account_name } }), 201)).id;
  withDevice = await account('Importer');
  bare = await account('Template');
  const load = (account: number, csv: string) =>
    expectStatus(
      s.request('POST', `/api/certificates/import?account_id=${account}&origin_registry=ERCOT`, {
        token: issuer.token,
        raw: csv,
        headers: { 'content-type': 'text/csv' },
      }),
      201,
    );
  await load(
    withDevice,
    `${HEADER}${DEVICE_COLUMNS}\n` +
      'GC-7-2025-06-01-1200,1000,1,1000,electricity,wind,1,FALSE,11.5,lifecycle,01/06/2025 12:00,01/06/2025 13:00,' +
      'America/Chicago,01/06/2027 12:00,FALSE,,United States,ERCOT,ERCOT,,compliance,,EECS,,ERCOT,' +
      'West Texas Wind,Onshore Wind Turbine,15/03/2019,50000000,31.9,-102.1\n',
  );
  await load(bare, `${HEADER}\n${TEMPLATE_ROW}\n`);
  const login = await s.request('POST', `${PREFIX}/token`, {
    raw: new URLSearchParams({
      grant_type: 'password',
      username: trader.email,
      password: 'correct horse battery',
    }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  face = login.body.access_token;
});
afterAll(() => s.close());

async function query(account: number, filter: Record<string, unknown> = {}) {
  const r = await getWithBody(s.url, `${PREFIX}${QUERY}`, { source_id: uuidOf('account', account), ...filter }, face);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body;
}

it('shows an imported bundle like any other, its origin record standing for the device', async () => {
  const answer = await query(withDevice);
  expect(validator.check('GET', QUERY, 202, answer)).toEqual([]);
  const [b] = answer.filtered_certificate_bundles;
  const origin = b.device_id;
  expect(b).toEqual({
    id: origin,
    device_id: origin,
    account_id: uuidOf('account', withDevice),
    bundle_id: expect.any(String),
    issuance_id: expect.any(String),
    certificate_bundle_id_range_start: 1,
    certificate_bundle_id_range_end: 1000,
    bundle_quantity: 1000,
    certificate_bundle_status: 'Active',
    energy_carrier: 'Electricity',
    energy_source: 'wind',
    face_value: 1,
    issuance_post_energy_carrier_conversion: false,
    registry_configuration: 1,
    device_name: 'West Texas Wind',
    device_technology_type: 'Onshore Wind Turbine',
    device_production_start_date: '2019-03-15',
    device_capacity: 50000000,
    device_location: [31.9, -102.1],
    device_type: 'production',
    emissions_factor_production_device: 11.5,
    emissions_factor_source: 'lifecycle',
    production_starting_interval: '2025-06-01T17:00:00.000Z',
    production_ending_interval: '2025-06-01T18:00:00.000Z',
    issuance_datestamp: '2026-12-01',
    expiry_datestamp: '2027-06-01',
    country_of_issuance: 'United States',
    connected_grid_identification: 'ERCOT',
    issuing_body: 'ERCOT',
    issue_market_zone: 'ERCOT',
    issuance_purpose: 'compliance',
    quality_scheme_reference: 'EECS',
  });
  expect(origin).toMatch(/^7a11e7a9-0014-8000-8/);
});

it('cancels imported certificates through the draft’s cancel, like any other', async () => {
  const before = await s.eventCount();
  const r = await s.request('POST', `${PREFIX}/certificates/certificates/cancel`, {
    token: face,
    body: { source_id: uuidOf('account', withDevice), certificate_quantity: 250 },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  expect(validator.check('POST', '/certificates/certificates/cancel', 202, r.body)).toEqual([]);
  expect(await s.eventCount()).toBe(before + 1);
  const cancelled = await query(withDevice, { certificate_bundle_status: 'Cancelled' });
  expect(validator.check('GET', QUERY, 202, cancelled)).toEqual([]);
  expect(
    cancelled.filtered_certificate_bundles.map((b: any) => [
      b.certificate_bundle_id_range_start,
      b.certificate_bundle_id_range_end,
      b.beneficiary,
    ]),
  ).toEqual([[1, 250, 'Importer']]);
});

it('shows a bundle of the bare template without the device fields the template does not carry', async () => {
  const answer = await query(bare);
  const [b] = answer.filtered_certificate_bundles;
  expect(b).toMatchObject({
    certificate_bundle_id_range_start: 0,
    certificate_bundle_id_range_end: 5209999,
    device_type: 'production',
    issuing_body: 'ERCOT',
    production_starting_interval: '2025-01-22T03:00:00.000Z',
  });
  const missing = ['device_name', 'device_technology_type', 'device_production_start_date', 'device_capacity'];
  expect(validator.check('GET', QUERY, 202, answer)).toEqual([
    ...missing.map((field) => `/filtered_certificate_bundles/0 must have required property '${field}'`),
    "/filtered_certificate_bundles/0 must have required property 'device_location'",
  ]);
});
