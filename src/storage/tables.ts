// The storage module's tables as Kysely sees them; columns the database fills are marked `Generated`.
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';

export const RECORD_STATUSES = ['active', 'withdrawn'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];
/** The orders an SDR may declare for taking charge: oldest charge first (the default) or newest. */
export const ALLOCATION_METHODOLOGIES = ['FIFO', 'LIFO'] as const;
export type AllocationMethodology = (typeof ALLOCATION_METHODOLOGIES)[number];

export interface ChargeRecordsTable {
  id: Generated<number>;
  device_id: number;
  account_id: number;
  charging_start_datetime: Date;
  charging_end_datetime: Date;
  charging_energy: number;
  scr_geographic_matching_method: string;
  validator_id: string | null;
  status: Generated<RecordStatus>;
  created_by: number | null;
  created_at: Date;
  withdrawn_at: Date | null;
}

export interface ChargeBackingsTable {
  bundle_id: number;
  scr_id: number;
  wh: number;
}

export interface DischargeRecordsTable {
  id: Generated<number>;
  device_id: number;
  account_id: number;
  discharging_start_datetime: Date;
  discharging_end_datetime: Date;
  discharge_energy: number;
  scr_allocation_methodology: AllocationMethodology;
  efficiency_factor_methodology: string;
  efficiency_factor_interval_start: Date;
  efficiency_factor_interval_end: Date;
  efficiency_ppm: number | null;
  validator_id: string | null;
  status: Generated<RecordStatus>;
  created_by: number | null;
  created_at: Date;
  withdrawn_at: Date | null;
}

export interface AllocationsTable {
  id: Generated<number>;
  sdr_id: number;
  scr_id: number;
  bundle_id: number;
  charge_wh: number;
  discharge_wh: number;
  efficiency_ppm: number;
  status: Generated<'live' | 'released'>;
  created_at: Date;
  released_at: Date | null;
}

export type StorageTables = {
  storage_charge_records: ChargeRecordsTable;
  storage_charge_backings: ChargeBackingsTable;
  storage_discharge_records: DischargeRecordsTable;
  storage_allocations: AllocationsTable;
};

export type ChargeRecordRow = Selectable<ChargeRecordsTable>;
export type DischargeRecordRow = Selectable<DischargeRecordsTable>;
export type AllocationRow = Selectable<AllocationsTable>;

/** The storage module's tables over any handle (a transaction included). */
export const storage = (db: Db): Kysely<StorageTables> => db.withTables<StorageTables>();
