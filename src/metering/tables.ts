// Metering's tables as Kysely sees them; columns the database fills are marked `Generated`.
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';

export const POINT_TYPES = ['production', 'consumption', 'storage'] as const;
export type PointType = (typeof POINT_TYPES)[number];
export const QUALITIES = ['measured', 'estimated', 'revised'] as const;
export type Quality = (typeof QUALITIES)[number];
/** How long a reading's interval may be, in minutes. */
export const READING_MINUTES = [15, 30, 60] as const;

export interface MeteringPointsTable {
  id: string;
  type: PointType;
  account_id: number;
  device_id: number | null;
  grid_area: string | null;
  time_zone: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Every device a production point has ever fed; kept by a trigger on metering_points. */
export interface PointDeviceLinksTable {
  device_id: number;
  metering_point_id: string;
  first_linked_at: Generated<Date>;
}

export interface ReadingsTable {
  metering_point_id: string;
  interval_start: Date;
  interval_end: Date;
  wh: number;
  quality: Quality;
  source: string;
  revision: Generated<number>;
  recorded_at: Generated<Date>;
}

export interface ReadingRevisionsTable {
  metering_point_id: string;
  interval_start: Date;
  interval_end: Date;
  wh: number;
  quality: Quality;
  source: string;
  revision: number;
  recorded_at: Date;
  superseded_at: Generated<Date>;
}

/** A cumulative register snapshot: total Wh imported and exported up to `read_at`. */
export interface RegisterReadingsTable {
  metering_point_id: string;
  read_at: Date;
  import_wh: number;
  export_wh: number;
  source: string;
  recorded_at: Generated<Date>;
}

/** How far each meter data source has been imported, per point. */
export interface MeterSourceStateTable {
  source: string;
  metering_point_id: string;
  imported_until: Date;
  synced_at: Generated<Date>;
}

export type MeteringTables = {
  metering_points: MeteringPointsTable;
  point_device_links: PointDeviceLinksTable;
  readings: ReadingsTable;
  reading_revisions: ReadingRevisionsTable;
  register_readings: RegisterReadingsTable;
  meter_source_state: MeterSourceStateTable;
};

export type MeteringPointRow = Selectable<MeteringPointsTable>;
export type ReadingRow = Selectable<ReadingsTable>;
export type RegisterReadingRow = Selectable<RegisterReadingsTable>;

/** Metering's tables over any handle (a transaction included). */
export const metering = (db: Db): Kysely<MeteringTables> => db.withTables<MeteringTables>();
