// The disclosure module's table as Kysely sees it; columns the database fills are marked `Generated`.
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';

export interface DisclosuresTable {
  id: string;
  account_id: number | null;
  metering_point_ids: Generated<string[]>;
  period_start: Date;
  period_end: Date;
  created_by: number;
  created_at: Generated<Date>;
}

export type DisclosureTables = { disclosures: DisclosuresTable };
export type DisclosureRow = Selectable<DisclosuresTable>;

/** The disclosure module's table over any handle (a transaction included). */
export const disclosure = (db: Db): Kysely<DisclosureTables> => db.withTables<DisclosureTables>();
