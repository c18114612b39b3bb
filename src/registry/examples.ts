// Examples for the OpenAPI document, from the README's worked example: Solar Co (account 1) sells
// certificates of its solar park (device 1) to Buyer Ltd (account 2), which cancels and claims them.
// Each must be valid against its schema: `redocly lint` checks them in test/openapi.test.ts.

const created = '2026-06-01T08:00:00.000Z';

export const metadata = {
  id: 1,
  country_of_issuance: 'DK',
  connected_grid_identification: 'DK1',
  issuing_body: 'Energinet',
  legal_status: null,
  issuance_purpose: 'disclosure',
  support_received: null,
  quality_scheme_reference: null,
  dissemination_level: null,
  issue_market_zone: 'DK1',
  created_at: created,
};

export const newDevice = {
  device_name: 'Solar park',
  account_id: 1,
  technology_code: 'T010101',
  fuel_code: 'F01040100',
  capacity: 5000000,
  operational_date: '2021-04-01',
  country: 'DK',
  grid: 'DK1',
  location: { latitude: 56.15, longitude: 10.2 },
  time_zone: 'Europe/Copenhagen',
  issuance_metadata: { issuing_body: 'Energinet', issuance_purpose: 'disclosure' },
};

export const device = {
  id: 1,
  account_id: 1,
  device_name: 'Solar park',
  device_type: 'production',
  technology_code: 'T010101',
  fuel_code: 'F01040100',
  technology_label: 'Solar',
  energy_source: 'solar_pv',
  capacity: 5000000,
  operational_date: '2021-04-01',
  country: 'DK',
  grid: 'DK1',
  location: { latitude: 56.15, longitude: 10.2 },
  time_zone: 'Europe/Copenhagen',
  next_certificate_id: 4200001,
  auto_issue: false,
  issuance_metadata: metadata,
  decommissioned_at: null,
  created_at: created,
  updated_at: created,
};

export const hour = {
  production_starting_interval: '2026-06-01T10:00:00.000Z',
  production_ending_interval: '2026-06-01T11:00:00.000Z',
};

export const bundle = {
  id: 1,
  issuance_id: 1,
  device_id: 1,
  account_id: 2,
  certificate_bundle_id_range_start: 1,
  certificate_bundle_id_range_end: 1200000,
  bundle_quantity: 1200000,
  certificate_bundle_status: 'active',
  energy_source: 'solar_pv',
  ...hour,
  issuance_datestamp: '2026-06-02T09:00:00.000Z',
  expiry_datestamp: '2027-06-02T09:00:00.000Z',
  split_from_bundle_id: null,
  beneficiary: null,
  cancellation_purpose: null,
  cancelled_at: null,
  cancellation_statement_id: null,
  claim_consumer: null,
  claim_metering_point_id: null,
  claim_period_start: null,
  claim_period_end: null,
  claimed_at: null,
  charged_storage_device_id: null,
  origin_device_id: null,
  sdr_id: null,
  discharging_starting_interval: null,
  discharging_ending_interval: null,
  storage_efficiency_factor: null,
  imported_issuance_id: null,
  holder_reference: null,
};

/** A transfer of the first hour's bundle, whole (a partial quantity would split it into `remainders`). */
export const actionResult = {
  action: 'transfer',
  action_id: 9,
  source_id: 1,
  target_id: 2,
  certificate_quantity: 1200000,
  bundles: [bundle],
  remainders: [],
  statement_id: null,
};

export const transfer = { source_id: 1, target_id: 2, granular_certificate_bundle_ids: [1] };
export const cancel = {
  source_id: 2,
  granular_certificate_bundle_ids: [1, 4],
  beneficiary: 'Buyer Ltd',
  purpose: 'Scope 2, June 2026',
};
export const claim = {
  source_id: 2,
  granular_certificate_bundle_ids: [1, 4],
  metering_point_id: '571313174000000042',
  period_start: '2026-06-01T00:00:00Z',
  period_end: '2026-06-02T00:00:00Z',
};
export const bundleAction = { source_id: 1, granular_certificate_bundle_ids: [3] };

export const statement = {
  id: 1,
  account_id: 2,
  beneficiary: 'Buyer Ltd',
  purpose: 'Scope 2, June 2026',
  cancelled_at: '2026-06-02T10:00:00.000Z',
  total_wh: 2000000,
  bundles: [
    {
      id: 1,
      device_id: 1,
      energy_source: 'solar_pv',
      certificate_bundle_id_range_start: 1,
      certificate_bundle_id_range_end: 1200000,
      bundle_quantity: 1200000,
      ...hour,
    },
    {
      id: 4,
      device_id: 1,
      energy_source: 'solar_pv',
      certificate_bundle_id_range_start: 1200001,
      certificate_bundle_id_range_end: 2000000,
      bundle_quantity: 800000,
      production_starting_interval: '2026-06-01T11:00:00.000Z',
      production_ending_interval: '2026-06-01T12:00:00.000Z',
    },
  ],
  by_energy_source: [{ energy_source: 'solar_pv', wh: 2000000 }],
  by_hour: [
    { hour: '2026-06-01T10:00:00.000Z', energy_source: 'solar_pv', wh: 1200000 },
    { hour: '2026-06-01T11:00:00.000Z', energy_source: 'solar_pv', wh: 800000 },
  ],
};
