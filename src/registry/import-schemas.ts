// Request and answer schemas of certificate import: the EnergyTag import template's columns, as a
// CSV body or as JSON rows keyed by the same names, and the origin record each row becomes.
import { Type } from 'typebox';
import { component, Content, Id, Nullable, strict, Timestamp } from '../platform/http/schemas.ts';
import { type Column, MAX_IMPORT_ROWS, OPTIONAL_COLUMNS, TEMPLATE_COLUMNS } from './import-rows.ts';
import * as example from './examples.ts';
import { Bundle, EnergySource } from './schemas.ts';

/** What each column of the template holds, as import-rows.ts reads it. */
const COLUMNS: Record<Column, string> = {
  issuance_id: 'The id the origin registry issued the bundle under (any text)',
  bundle_quantity: 'Certificates (Wh) in the bundle: range end − range start + 1',
  certificate_bundle_id_range_start: 'First original certificate id (inclusive); kept as the Tally id',
  certificate_bundle_id_range_end: 'Last original certificate id (inclusive); kept as the Tally id',
  energy_carrier: 'electricity (the only carrier Tally holds)',
  energy_source: 'One of Tally’s energy sources, e.g. solar_pv, wind',
  face_value: '1: one certificate is 1 Wh',
  issuance_post_energy_carrier_conversion: 'TRUE or FALSE',
  emissions_factor_production_device: 'Optional: kgCO2e/MWh of the production device',
  emissions_factor_source: 'Optional: how that factor was found',
  production_starting_interval: 'dd/mm/yyyy HH:MM on the clocks of local_timezone',
  production_ending_interval: 'dd/mm/yyyy HH:MM on the clocks of local_timezone; at most one hour after the start',
  local_timezone: 'IANA time zone of the three times, e.g. America/Chicago',
  expiry_datestamp: 'dd/mm/yyyy HH:MM on the clocks of local_timezone: when the certificates expire',
  is_storage: 'TRUE for a storage-discharge certificate, else FALSE',
  storage_efficiency_factor: 'Optional, storage only: above 0, at most 1',
  country_of_issuance: 'The domain of the issuing body',
  connected_grid_identification: 'The grid the energy was injected into',
  issuing_body: 'The issuing body',
  legal_status: 'Optional',
  issuance_purpose: 'Optional, e.g. compliance',
  support_received: 'Optional',
  quality_scheme_reference: 'Optional',
  dissemination_level: 'Optional',
  issue_market_zone: 'The market or bidding zone',
  device_name: 'Optional, beyond the template: the production device’s name at the origin',
  device_technology_type: 'Optional, beyond the template: its technology, e.g. Solar PV',
  device_production_start_date: 'Optional, beyond the template: dd/mm/yyyy it began producing',
  device_capacity: 'Optional, beyond the template: its capacity in W',
  device_latitude: 'Optional, beyond the template, with device_longitude: WGS 84 degrees',
  device_longitude: 'Optional, beyond the template, with device_latitude: WGS 84 degrees',
};

const EXAMPLE_ROW: Partial<Record<Column, string>> = {
  issuance_id: 'GC-1-2025-01-21-1500',
  bundle_quantity: '5210000',
  certificate_bundle_id_range_start: '0',
  certificate_bundle_id_range_end: '5209999',
  energy_carrier: 'electricity',
  energy_source: 'solar_pv',
  face_value: '1',
  issuance_post_energy_carrier_conversion: 'FALSE',
  production_starting_interval: '21/01/2025 21:00',
  production_ending_interval: '21/01/2025 22:00',
  local_timezone: 'America/Chicago',
  expiry_datestamp: '21/01/2027 21:00',
  is_storage: 'FALSE',
  country_of_issuance: 'United States',
  connected_grid_identification: 'ERCOT',
  issuing_body: 'ERCOT',
  issuance_purpose: 'compliance',
  issue_market_zone: 'ERCOT',
};

const Cell = (column: Column) => Type.String({ maxLength: 500, description: COLUMNS[column] });

/** One row of the JSON form: the template's columns, each as the text the CSV would hold. */
const ImportRowJson = Type.Object(
  {
    ...Object.fromEntries(TEMPLATE_COLUMNS.map((c) => [c, OPTIONAL_COLUMNS.has(c) ? Type.Optional(Cell(c)) : Cell(c)])),
  },
  { ...strict, description: 'One origin bundle, in the columns of the import template' },
);

export const ImportUpload = Content({
  'application/json': Type.Object(
    {
      rows: Type.Array(ImportRowJson, {
        minItems: 1,
        maxItems: MAX_IMPORT_ROWS,
        description: 'Origin bundles, one a row; problems name `body/rows/N/<column>`',
      }),
    },
    { ...strict, examples: [{ rows: [EXAMPLE_ROW] }] },
  ),
  'text/csv': Type.String({
    description:
      `The import template as CSV: a header (row 1) naming its columns in any order (${[...OPTIONAL_COLUMNS].join(', ')} ` +
      'may be left out or empty), then one origin bundle a row; problems name `csv/row/N/<column>`',
    examples: [`${TEMPLATE_COLUMNS.join(',')}\n${TEMPLATE_COLUMNS.map((c) => EXAMPLE_ROW[c] ?? '').join(',')}\n`],
  }),
});

export const ImportQuery = Type.Object(
  {
    account_id: { ...Id('The account the imported bundles enter'), examples: [2] },
    origin_registry: Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'The registry the certificates were issued in; with issuance_id and the id range it names an origin bundle, ' +
        'imported at most once',
      examples: ['ERCOT'],
    }),
  },
  strict,
);

const Text = (description: string) => Type.String({ description });

export const ImportedIssuance = component(
  'ImportedIssuance',
  Type.Object(
    {
      id: Id('Origin record id (a bundle’s imported_issuance_id)'),
      origin_registry: Text('The registry the certificates were issued in'),
      origin_issuance_id: Text('The id they were issued under there (the template’s issuance_id)'),
      certificate_bundle_id_range_start: Type.Integer({ description: 'First original certificate id' }),
      certificate_bundle_id_range_end: Type.Integer({ description: 'Last original certificate id' }),
      bundle_quantity: Type.Integer({ description: 'Certificates (Wh) imported' }),
      energy_source: EnergySource,
      issuance_post_energy_carrier_conversion: Type.Boolean({ description: 'Issued after an energy conversion' }),
      emissions_factor_production_device: Nullable(Type.Number({ description: 'kgCO2e/MWh of the device' })),
      emissions_factor_source: Nullable(Text('How the emissions factor was found')),
      production_starting_interval: Timestamp('Start of production (UTC)'),
      production_ending_interval: Timestamp('End of production (UTC)'),
      local_timezone: Text('The time zone the file gave its times in'),
      expiry_datestamp: Timestamp('When the certificates expire (UTC)'),
      is_storage: Type.Boolean({ description: 'A storage-discharge certificate' }),
      storage_efficiency_factor: Nullable(Type.Number({ description: 'Storage efficiency' })),
      country_of_issuance: Text('Domain of the issuing body'),
      connected_grid_identification: Text('Grid the energy was injected into'),
      issuing_body: Text('The issuing body'),
      legal_status: Nullable(Text('Legal status')),
      issuance_purpose: Nullable(Text('Issuance purpose')),
      support_received: Nullable(Text('Support received')),
      quality_scheme_reference: Nullable(Text('Quality scheme')),
      dissemination_level: Nullable(Text('Dissemination level')),
      issue_market_zone: Text('Market zone'),
      device_name: Nullable(Text('The production device’s name at the origin, where the file gave it')),
      device_technology_type: Nullable(Text('Its technology, where given')),
      device_production_start_date: Nullable(
        Type.String({ format: 'date', description: 'When it began producing (YYYY-MM-DD), where given' }),
      ),
      device_capacity: Nullable(Type.Integer({ description: 'Its capacity in W, where given' })),
      device_latitude: Nullable(Type.Number({ description: 'Its latitude, where given' })),
      device_longitude: Nullable(Type.Number({ description: 'Its longitude, where given' })),
      account_id: Id('The account the bundle was imported into'),
      imported_by: Nullable(Id('The issuing body’s user who imported it')),
      imported_at: Timestamp('When it was imported'),
    },
    { description: 'Where an imported bundle was issued, as the import file described it' },
  ),
);

/** The template's row, as imported into account 2 on 2 June 2026. */
const importedExample = {
  id: 1,
  origin_registry: 'ERCOT',
  origin_issuance_id: 'GC-1-2025-01-21-1500',
  certificate_bundle_id_range_start: 0,
  certificate_bundle_id_range_end: 5209999,
  bundle_quantity: 5210000,
  energy_source: 'solar_pv',
  issuance_post_energy_carrier_conversion: false,
  emissions_factor_production_device: null,
  emissions_factor_source: null,
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
  account_id: 2,
  imported_by: 1,
  imported_at: '2026-06-02T09:00:00.000Z',
};

export const ImportAnswer = Type.Object(
  {
    imported_issuances: Type.Array(ImportedIssuance, { description: 'The origin records, in row order' }),
    bundles: Type.Array(Bundle, { description: 'The imported bundles, active, in row order' }),
  },
  {
    description: 'What the import recorded',
    examples: [
      {
        imported_issuances: [importedExample],
        bundles: [
          {
            ...example.bundle,
            device_id: null,
            imported_issuance_id: 1,
            certificate_bundle_id_range_start: 0,
            certificate_bundle_id_range_end: 5209999,
            bundle_quantity: 5210000,
            production_starting_interval: importedExample.production_starting_interval,
            production_ending_interval: importedExample.production_ending_interval,
            issuance_datestamp: importedExample.imported_at,
            expiry_datestamp: importedExample.expiry_datestamp,
          },
        ],
      },
    ],
  },
);
