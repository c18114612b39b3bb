// The registry's tables as Kysely sees them. Columns the database fills (identities, defaults,
// the generated bundle quantity) are marked, so an insert may leave them out, a read always has
// them, and a wrong column name or type fails the compiler.
import type { ColumnType, Generated, GeneratedAlways, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';

export const STATUSES = ['active', 'reserved', 'locked', 'cancelled', 'claimed', 'withdrawn', 'expired'] as const;
export type BundleStatus = (typeof STATUSES)[number];
/** The statuses a holder may still act on (the rest are final): what a closed account may not hold. */
export const LIVE_STATUSES = ['active', 'reserved', 'locked'] as const satisfies readonly BundleStatus[];

export const ENERGY_SOURCES = [
  'solar_pv',
  'wind',
  'hydro',
  'marine',
  'geothermal',
  'biomass',
  'biogas',
  'waste',
  'nuclear',
  'natural_gas',
  'coal',
  'oil',
  'battery_storage',
  'other',
] as const;
export type EnergySource = (typeof ENERGY_SOURCES)[number];

export const DEVICE_TYPES = ['production', 'storage'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** ISO 3166-1 alpha-2, as a device's country is stored. */
export const COUNTRY_PATTERN = '^[A-Z]{2}$';

/** A JSON document: read back parsed, written as its JSON text. */
type Json = ColumnType<unknown, string, string>;

export interface DevicesTable {
  id: GeneratedAlways<number>;
  account_id: number;
  device_name: string;
  device_type: DeviceType;
  technology_code: string | null;
  fuel_code: string | null;
  technology_label: string | null;
  energy_source: EnergySource;
  capacity: number;
  /** A `date`: written as YYYY-MM-DD, read as midnight UTC. */
  operational_date: ColumnType<Date, string, string>;
  latitude: number;
  longitude: number;
  grid: string;
  country: string;
  time_zone: string;
  issuance_metadata_id: number | null;
  next_certificate_id: number;
  auto_issue: Generated<boolean>;
  /** From this instant nothing more is issued for the device; null while it runs. */
  decommissioned_at: Generated<Date | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface IssuanceMetadataTable {
  id: GeneratedAlways<number>;
  device_id: number;
  country_of_issuance: string;
  connected_grid_identification: string;
  issuing_body: string;
  legal_status: string | null;
  issuance_purpose: string | null;
  support_received: string | null;
  quality_scheme_reference: string | null;
  dissemination_level: string | null;
  issue_market_zone: string;
  created_at: Generated<Date>;
}

export interface IssuancesTable {
  id: GeneratedAlways<number>;
  /** Null for an imported issuance, which has imported_issuance_id instead. */
  device_id: number | null;
  issuance_metadata_id: number | null;
  production_starting_interval: Date;
  production_ending_interval: Date;
  bundle_quantity: number;
  certificate_bundle_id_range_start: number;
  certificate_bundle_id_range_end: number;
  reissue_of_bundle_id: number | null;
  issued_by: number | null;
  issued_at: Generated<Date>;
  /** The storage allocation an SD-GC was issued from (null for production). */
  storage_allocation_id: Generated<number | null>;
  imported_issuance_id: Generated<number | null>;
}

export interface BundlesTable {
  id: GeneratedAlways<number>;
  issuance_id: number;
  /** Null for an imported bundle, which has imported_issuance_id instead. */
  device_id: number | null;
  account_id: number;
  certificate_bundle_id_range_start: number;
  certificate_bundle_id_range_end: number;
  /** range end − range start + 1, computed by the database. */
  bundle_quantity: GeneratedAlways<number>;
  certificate_bundle_status: Generated<BundleStatus>;
  energy_source: EnergySource;
  production_starting_interval: Date;
  production_ending_interval: Date;
  issuance_datestamp: Date;
  expiry_datestamp: Date;
  split_from_bundle_id: number | null;
  beneficiary: string | null;
  cancellation_purpose: string | null;
  cancelled_at: Date | null;
  cancellation_statement_id: number | null;
  claim_consumer: string | null;
  claim_metering_point_id: string | null;
  claim_period_start: Date | null;
  claim_period_end: Date | null;
  claimed_at: Date | null;
  /** A cancelled bundle that charged this storage device (an SCR's backing): never claimed. */
  charged_storage_device_id: number | null;
  /** An SD-GC's production device (device_id is the storage device that issued it). */
  origin_device_id: number | null;
  /** An SD-GC's storage discharge record. */
  sdr_id: number | null;
  discharging_starting_interval: Date | null;
  discharging_ending_interval: Date | null;
  storage_efficiency_factor: number | null;
  updated_at: Generated<Date>;
  /** The origin record of an imported bundle (imported_issuances); null for Tally's own. */
  imported_issuance_id: Generated<number | null>;
  /** The holder's own reference, the one field changed in place (update_mutables); cleared by a transfer. */
  holder_reference: Generated<string | null>;
}

export interface CancellationStatementsTable {
  id: GeneratedAlways<number>;
  account_id: number;
  beneficiary: string;
  purpose: string | null;
  actor_id: number | null;
  created_at: Generated<Date>;
  statement: Json;
}

/** One origin bundle imported from another registry, as the import file gave it (migration 0030). */
export interface ImportedIssuancesTable {
  id: GeneratedAlways<number>;
  origin_registry: string;
  origin_issuance_id: string;
  certificate_bundle_id_range_start: number;
  certificate_bundle_id_range_end: number;
  bundle_quantity: number;
  energy_source: EnergySource;
  issuance_post_energy_carrier_conversion: boolean;
  emissions_factor_production_device: number | null;
  emissions_factor_source: string | null;
  production_starting_interval: Date;
  production_ending_interval: Date;
  local_timezone: string;
  expiry_datestamp: Date;
  is_storage: boolean;
  storage_efficiency_factor: number | null;
  country_of_issuance: string;
  connected_grid_identification: string;
  issuing_body: string;
  legal_status: string | null;
  issuance_purpose: string | null;
  support_received: string | null;
  quality_scheme_reference: string | null;
  dissemination_level: string | null;
  issue_market_zone: string;
  device_name: string | null;
  device_technology_type: string | null;
  /** A `date`: written as YYYY-MM-DD, read as midnight UTC. */
  device_production_start_date: ColumnType<Date | null, string | null, string | null>;
  device_capacity: number | null;
  device_latitude: number | null;
  device_longitude: number | null;
  account_id: number;
  imported_by: number | null;
  imported_at: Generated<Date>;
}

export interface IssuedPointHoursTable {
  metering_point_id: string;
  hour_start: Date;
  issuance_id: number;
}

export type RegistryTables = {
  devices: DevicesTable;
  issuance_metadata: IssuanceMetadataTable;
  issuances: IssuancesTable;
  bundles: BundlesTable;
  cancellation_statements: CancellationStatementsTable;
  issued_point_hours: IssuedPointHoursTable;
  imported_issuances: ImportedIssuancesTable;
};

export type DeviceRow = Selectable<DevicesTable>;
export type IssuanceMetadataRow = Selectable<IssuanceMetadataTable>;
export type IssuanceRow = Selectable<IssuancesTable>;
export type BundleRow = Selectable<BundlesTable>;
export type ImportedIssuanceRow = Selectable<ImportedIssuancesTable>;

/** The registry's tables over any handle (a transaction included). */
export const registry = (db: Db): Kysely<RegistryTables> => db.withTables<RegistryTables>();
