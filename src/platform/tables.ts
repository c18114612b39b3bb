// The platform's own tables as Kysely sees them; columns the database fills are marked `Generated`.
import type { Generated, Kysely } from 'kysely';
import type { Db } from './database.ts';

export interface SchemaMigrationsTable {
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

/** Values Tally makes for itself once and shares with every instance (settings.ts). */
export interface PlatformSettingsTable {
  name: string;
  value: string;
}

/** The first answer to each (caller, Idempotency-Key), replayed to every retry. */
export interface IdempotencyKeysTable {
  caller: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status_code: number;
  content_type: string | null;
  body: string;
  created_at: Generated<Date>;
}

/** Keys whose first request committed work (idempotent-work.ts). */
export interface IdempotencyWorkTable {
  caller: string;
  key: string;
  request_hash: string;
  created_at: Generated<Date>;
}

/** Leases of jobs that talk to the outside world (jobs.ts). */
export interface JobLeasesTable {
  name: string;
  holder: string;
  lease_until: Date;
}

export type PlatformTables = {
  schema_migrations: SchemaMigrationsTable;
  platform_settings: PlatformSettingsTable;
  idempotency_keys: IdempotencyKeysTable;
  idempotency_work: IdempotencyWorkTable;
  job_leases: JobLeasesTable;
};

/** The platform's tables over any handle (a transaction included). */
export const platform = (db: Db): Kysely<PlatformTables> => db.withTables<PlatformTables>();
