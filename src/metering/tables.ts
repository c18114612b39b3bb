import type { Kysely } from 'kysely';
import type { Db } from '../platform/database.ts';

export const POINT_TYPES = ['production', 'consumption', 'storage'] as const;
export type PointType = (typeof POINT_TYPES)[number];
export const QUALITIES = ['measured', 'estimated', 'revised'] as const;
export type Quality = (typeof QUALITIES)[number];

export interface MeteringPointRow {
  id: string;
  type: PointType;
  account_id: number;
  device_id: number | null;
  grid_area: string | null;
  time_zone: string;
  created_at: Date;
  updated_at: Date;
}

export interface ReadingRow {
  metering_point_id: string;
  interval_start: Date;
  interval_end: Date;
  wh: number;
  quality: Quality;
  source: string;
  revision: number;
  recorded_at: Date;
}

/** A cumulative register snapshot: total Wh imported and exported up to `read_at`. */
export interface RegisterReadingRow {
  metering_point_id: string;
  read_at: Date;
  import_wh: number;
  export_wh: number;
  source: string;
  recorded_at: Date;
}

export interface MeteringTables {
  metering_points: MeteringPointRow;
  readings: ReadingRow;
  reading_revisions: ReadingRow & { superseded_at: Date };
  register_readings: RegisterReadingRow;
}

export const metering = (db: Db) => db as Kysely<MeteringTables>;
