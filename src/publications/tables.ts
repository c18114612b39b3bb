// The publications module's table as Kysely sees it.
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';

export const KINDS = ['disclosure', 'ledger_block', 'market_forecasts'] as const;
export type PublicationKind = (typeof KINDS)[number];

export interface PublicationsTable {
  id: string;
  kind: PublicationKind;
  subject_id: string;
  storage_type: string;
  quote_id: string;
  status: number;
  cid: string | null;
  sha256: string;
  bytes: number;
  file_name: string;
  failure: string | null;
  published_by: number;
  created_at: Date;
}

export type PublicationTables = { publications: PublicationsTable };
export type PublicationRow = Selectable<PublicationsTable>;

export const publication = (db: Db): Kysely<PublicationTables> => db.withTables<PublicationTables>();
