// The rows of a certificate import, in the format of the EnergyTag import template
// (gc_import_template.csv): one origin bundle per row, as CSV (the header is row 1) or as JSON rows
// keyed by the same column names. Each cell is read and checked here, so a problem names its row and
// column (`csv/row/3/certificate_bundle_id_range_end`, `body/rows/1/energy_source`) before anything
// is written.
import { badRequest, unprocessable } from '../platform/errors.ts';
import { EARLIEST_YEAR, LATEST_YEAR } from '../platform/period.ts';
import { checkTimeZone, instantsOfWallTime } from '../platform/time-zone.ts';
import { splitCsvLine } from '../metering/index.ts';
import type { Insertable } from 'kysely';
import { ENERGY_SOURCES, type EnergySource, type ImportedIssuancesTable } from './tables.ts';

/** Rows one import takes, all or nothing, in one transaction. */
export const MAX_IMPORT_ROWS = 10_000;

/** The columns of the import template, in its order. */
export const TEMPLATE_COLUMNS = [
  'issuance_id',
  'bundle_quantity',
  'certificate_bundle_id_range_start',
  'certificate_bundle_id_range_end',
  'energy_carrier',
  'energy_source',
  'face_value',
  'issuance_post_energy_carrier_conversion',
  'emissions_factor_production_device',
  'emissions_factor_source',
  'production_starting_interval',
  'production_ending_interval',
  'local_timezone',
  'expiry_datestamp',
  'is_storage',
  'storage_efficiency_factor',
  'country_of_issuance',
  'connected_grid_identification',
  'issuing_body',
  'legal_status',
  'issuance_purpose',
  'support_received',
  'quality_scheme_reference',
  'dissemination_level',
  'issue_market_zone',
  // Beyond the template: the production device as the origin registry describes it, which the
  // EnergyTag draft's bundle shows.
  'device_name',
  'device_technology_type',
  'device_production_start_date',
  'device_capacity',
  'device_latitude',
  'device_longitude',
] as const;
export type Column = (typeof TEMPLATE_COLUMNS)[number];
/** The columns a row may leave empty (or a file leave out); a row gives a value for every other. */
export const OPTIONAL_COLUMNS: ReadonlySet<Column> = new Set([
  'emissions_factor_production_device',
  'emissions_factor_source',
  'storage_efficiency_factor',
  'legal_status',
  'issuance_purpose',
  'support_received',
  'quality_scheme_reference',
  'dissemination_level',
  'device_name',
  'device_technology_type',
  'device_production_start_date',
  'device_capacity',
  'device_latitude',
  'device_longitude',
]);
const KNOWN = new Set<string>(TEMPLATE_COLUMNS);

/** A row as sent: its cells by column, and where it was in the request. */
export interface RawImportRow {
  cells: Partial<Record<Column, string>>;
  /** `csv/row/3` or `body/rows/1`. */
  at: string;
}

/**
 * One origin bundle, checked: what the import records about it, as its origin record's columns
 * (less what the import as a whole says: the registry, the account, who imported it and when), and
 * the row's place in the file.
 */
export type ImportRow = { at: string } & Omit<
  Insertable<ImportedIssuancesTable>,
  'origin_registry' | 'account_id' | 'imported_by' | 'imported_at'
>;

/** The rows of a CSV upload or file; the header (row 1) names the columns, in any order. */
export function importCsvRows(text: string): RawImportRow[] {
  const [headerLine = '', ...lines] = text.split(/\r?\n/);
  const header = splitCsvLine(headerLine.replace(/^\uFEFF/, ''));
  const unknown = header.find((h) => !KNOWN.has(h));
  if (unknown !== undefined) throw badRequest('invalid_csv', `unknown column ${unknown}`, 'csv/row/1');
  const missing = TEMPLATE_COLUMNS.find((c) => !OPTIONAL_COLUMNS.has(c) && !header.includes(c));
  if (missing !== undefined) throw badRequest('invalid_csv', `the header lacks the column ${missing}`, 'csv/row/1');
  const rows: RawImportRow[] = [];
  for (let k = 0; k < lines.length; k++) {
    if (!lines[k]!.trim()) continue;
    const at = `csv/row/${k + 2}`;
    const cells = splitCsvLine(lines[k]!);
    if (cells.length !== header.length)
      throw badRequest('invalid_csv', `row ${k + 2} has ${cells.length} cells, the header ${header.length}`, at);
    rows.push({ at, cells: Object.fromEntries(header.map((h, i) => [h, cells[i]!])) });
  }
  if (rows.length === 0) throw badRequest('invalid_csv', 'the file holds no rows under its header', 'csv/row/2');
  if (rows.length > MAX_IMPORT_ROWS)
    throw badRequest(
      'invalid_csv',
      `an import holds at most ${MAX_IMPORT_ROWS} rows; split the file`,
      rows[MAX_IMPORT_ROWS]!.at,
    );
  return rows;
}

const WALL_TIME = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d)$/;
const INTEGER = /^\d{1,16}$/;
const HOUR_MS = 3_600_000;

/** Reads and checks one row; `now` decides what has happened and what has expired. */
export function checkImportRow(raw: RawImportRow, now: Date): ImportRow {
  const { at } = raw;
  const refuse = (column: Column, why: string) =>
    badRequest('invalid_import_row', `${at}: ${column} ${why}`, `${at}/${column}`);
  const text = (column: Column): string | null => {
    const value = raw.cells[column]?.trim() ?? '';
    if (value.includes('\0')) throw refuse(column, 'holds a NUL character');
    if (value.length > 500) throw refuse(column, 'is longer than 500 characters');
    return value === '' ? null : value;
  };
  const required = (column: Column): string => {
    const value = text(column);
    if (value === null) throw refuse(column, 'is empty');
    return value;
  };
  const integer = (column: Column): number => {
    const value = required(column);
    if (!INTEGER.test(value) || !Number.isSafeInteger(Number(value)))
      throw refuse(column, `${JSON.stringify(value)} is not a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`);
    return Number(value);
  };
  const boolean = (column: Column): boolean => {
    const value = required(column).toUpperCase();
    if (value !== 'TRUE' && value !== 'FALSE') throw refuse(column, 'is TRUE or FALSE');
    return value === 'TRUE';
  };
  const decimal = (column: Column, min: number, max: number): number | null => {
    const value = text(column);
    if (value === null) return null;
    const n = Number(value);
    if (!/^-?\d+(\.\d+)?$/.test(value) || n < min || n > max)
      throw refuse(column, `${JSON.stringify(value)} is not a decimal number from ${min} to ${max}`);
    return n;
  };
  const zone = required('local_timezone');
  checkTimeZone(zone, `${at}/local_timezone`);
  /** dd/mm/yyyy HH:MM on the clocks of local_timezone: exactly one instant, or refused. */
  const wallTime = (column: Column): Date => {
    const value = required(column);
    const m = WALL_TIME.exec(value);
    const [day, month, year, hour, minute] = (m?.slice(1) ?? []).map(Number) as number[];
    const wall = m ? Date.UTC(year!, month! - 1, day!, hour!, minute!) : Number.NaN;
    const fields = new Date(wall);
    if (
      !m ||
      year! < EARLIEST_YEAR ||
      year! > LATEST_YEAR ||
      fields.getUTCDate() !== day ||
      fields.getUTCMonth() !== month! - 1 ||
      fields.getUTCHours() !== hour ||
      fields.getUTCMinutes() !== minute
    )
      throw refuse(column, `${JSON.stringify(value)} is not a time dd/mm/yyyy HH:MM`);
    const instants = instantsOfWallTime(wall, zone);
    if (instants.length === 0) throw refuse(column, `${value} does not exist in ${zone} (clocks skip it)`);
    if (instants.length > 1)
      throw refuse(column, `${value} happens twice in ${zone} (clocks go back); it is ambiguous`);
    return new Date(instants[0]!);
  };

  const issuanceId = required('issuance_id');
  if (issuanceId.length > 200) throw refuse('issuance_id', 'is longer than 200 characters');
  const start = integer('certificate_bundle_id_range_start');
  const end = integer('certificate_bundle_id_range_end');
  const quantity = integer('bundle_quantity');
  if (end < start) throw refuse('certificate_bundle_id_range_end', `${end} is before the range start ${start}`);
  if (quantity !== end - start + 1)
    throw refuse('bundle_quantity', `${quantity} is not the size of the range ${start}–${end} (${end - start + 1})`);
  if (required('energy_carrier').toLowerCase() !== 'electricity')
    throw refuse('energy_carrier', 'is electricity: Tally holds electricity certificates only');
  const source = required('energy_source');
  if (!(ENERGY_SOURCES as readonly string[]).includes(source))
    throw refuse('energy_source', `${JSON.stringify(source)} is not one of ${ENERGY_SOURCES.join(', ')}`);
  if (required('face_value') !== '1') throw refuse('face_value', 'is 1: a certificate is 1 Wh');
  const from = wallTime('production_starting_interval');
  const to = wallTime('production_ending_interval');
  if (to <= from) throw refuse('production_ending_interval', 'is not after production_starting_interval');
  if (to.getTime() - from.getTime() > HOUR_MS)
    throw refuse('production_ending_interval', 'is more than one hour after the start');
  if (to > now)
    throw unprocessable(
      'future_interval',
      `${at}: the production has not ended yet`,
      `${at}/production_ending_interval`,
    );
  const expiry = wallTime('expiry_datestamp');
  if (expiry <= to) throw refuse('expiry_datestamp', 'is not after the production interval');
  if (expiry <= now)
    throw unprocessable('certificate_expired', `${at}: the certificates have expired`, `${at}/expiry_datestamp`);
  const isStorage = boolean('is_storage');
  const efficiency = decimal('storage_efficiency_factor', 0, 1);
  if (efficiency !== null && (!isStorage || efficiency === 0))
    throw refuse('storage_efficiency_factor', 'is given for storage only, above 0 and at most 1');
  const capacity = text('device_capacity') === null ? null : integer('device_capacity');
  if (capacity === 0) throw refuse('device_capacity', 'is at least 1 W');
  const latitude = decimal('device_latitude', -90, 90);
  const longitude = decimal('device_longitude', -180, 180);
  if ((latitude === null) !== (longitude === null))
    throw refuse(latitude === null ? 'device_latitude' : 'device_longitude', 'is given with the other coordinate');
  const started = text('device_production_start_date');
  const date = started === null ? null : /^(\d\d)\/(\d\d)\/(\d{4})$/.exec(started);
  const startDate = date ? `${date[3]}-${date[2]}-${date[1]}` : null;
  const startMs = startDate === null ? Number.NaN : Date.parse(`${startDate}T00:00:00Z`);
  if (started !== null && (Number.isNaN(startMs) || new Date(startMs).toISOString().slice(0, 10) !== startDate))
    throw refuse('device_production_start_date', `${JSON.stringify(started)} is not a date dd/mm/yyyy`);
  return {
    at,
    origin_issuance_id: issuanceId,
    certificate_bundle_id_range_start: start,
    certificate_bundle_id_range_end: end,
    bundle_quantity: quantity,
    energy_source: source as EnergySource,
    issuance_post_energy_carrier_conversion: boolean('issuance_post_energy_carrier_conversion'),
    emissions_factor_production_device: decimal('emissions_factor_production_device', 0, Number.MAX_SAFE_INTEGER),
    emissions_factor_source: text('emissions_factor_source'),
    production_starting_interval: from,
    production_ending_interval: to,
    local_timezone: zone,
    expiry_datestamp: expiry,
    is_storage: isStorage,
    storage_efficiency_factor: efficiency,
    country_of_issuance: required('country_of_issuance'),
    connected_grid_identification: required('connected_grid_identification'),
    issuing_body: required('issuing_body'),
    legal_status: text('legal_status'),
    issuance_purpose: text('issuance_purpose'),
    support_received: text('support_received'),
    quality_scheme_reference: text('quality_scheme_reference'),
    dissemination_level: text('dissemination_level'),
    issue_market_zone: required('issue_market_zone'),
    device_name: text('device_name'),
    device_technology_type: text('device_technology_type'),
    device_production_start_date: startDate,
    device_capacity: capacity,
    device_latitude: latitude,
    device_longitude: longitude,
  };
}
