import type { Kysely } from 'kysely';
import type { Db } from '../platform/database.ts';

export const STATUSES = ['active', 'reserved', 'locked', 'cancelled', 'claimed', 'withdrawn', 'expired'] as const;
export type BundleStatus = (typeof STATUSES)[number];

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

export interface DeviceRow {
  id: number;
  account_id: number;
  device_name: string;
  device_type: 'production' | 'storage';
  technology_code: string | null;
  fuel_code: string | null;
  technology_label: string | null;
  energy_source: EnergySource;
  capacity: number;
  operational_date: Date;
  latitude: number;
  longitude: number;
  grid: string;
  country: string;
  time_zone: string;
  issuance_metadata_id: number | null;
  next_certificate_id: number;
  auto_issue: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface IssuanceMetadataRow {
  id: number;
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
  created_at: Date;
}

export interface IssuanceRow {
  id: number;
  device_id: number;
  issuance_metadata_id: number;
  production_starting_interval: Date;
  production_ending_interval: Date;
  bundle_quantity: number;
  certificate_bundle_id_range_start: number;
  certificate_bundle_id_range_end: number;
  reissue_of_bundle_id: number | null;
  issued_by: number | null;
  issued_at: Date;
}

export interface BundleRow {
  id: number;
  issuance_id: number;
  device_id: number;
  account_id: number;
  certificate_bundle_id_range_start: number;
  certificate_bundle_id_range_end: number;
  bundle_quantity: number;
  certificate_bundle_status: BundleStatus;
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
  updated_at: Date;
}

export interface RegistryTables {
  devices: DeviceRow;
  issuance_metadata: IssuanceMetadataRow;
  issuances: IssuanceRow;
  bundles: BundleRow;
  cancellation_statements: {
    id: number;
    account_id: number;
    beneficiary: string;
    purpose: string | null;
    actor_id: number | null;
    created_at: Date;
    statement: unknown;
  };
}

export const registry = (db: Db) => db as Kysely<RegistryTables>;
