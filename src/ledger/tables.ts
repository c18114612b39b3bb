// The ledger's tables as Kysely sees them; columns the database fills may be left out of an insert.
// Every one of them refuses UPDATE and DELETE (triggers); the types say so too.
import type { ColumnType, GeneratedAlways, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';

/** Written once, never updated. */
type Fixed<T> = ColumnType<T, T, never>;
/** Filled by the database on insert, never updated. */
type FixedDefault<T> = ColumnType<T, T | undefined, never>;

export interface EventsTable {
  id: GeneratedAlways<number>;
  type: Fixed<string>;
  subject_type: Fixed<string>;
  subject_id: Fixed<string>;
  account_ids: FixedDefault<number[]>;
  actor_id: Fixed<number | null>;
  /** The event's data: read back parsed, written as its JSON text. */
  payload: ColumnType<unknown, string, never>;
  recorded_at: FixedDefault<Date>;
  /** The writing transaction (xid8, as text): the sealer's order. */
  xact_id: GeneratedAlways<string>;
}

export interface LedgerBlocksTable {
  height: Fixed<number>;
  size: Fixed<number>;
  root: Fixed<string>;
  previous_hash: Fixed<string>;
  block_hash: Fixed<string>;
  last_xact_id: Fixed<string>;
  last_event_id: Fixed<number>;
  sealed_at: Fixed<Date>;
}

export interface LedgerLeavesTable {
  event_id: Fixed<number>;
  block_height: Fixed<number>;
  leaf_index: Fixed<number>;
  leaf_hash: Fixed<string>;
}

export interface LedgerHeadsTable {
  height: Fixed<number>;
  block_hash: Fixed<string>;
  size: Fixed<number>;
  timestamp: Fixed<Date>;
  key_id: Fixed<string>;
  signature: Fixed<string>;
}

export interface LedgerKeysTable {
  key_id: Fixed<string>;
  public_key: Fixed<string>;
  added_at: FixedDefault<Date>;
}

export type LedgerTables = {
  events: EventsTable;
  ledger_blocks: LedgerBlocksTable;
  ledger_leaves: LedgerLeavesTable;
  ledger_heads: LedgerHeadsTable;
  ledger_keys: LedgerKeysTable;
};

export type EventRow = Selectable<EventsTable>;
export type BlockTableRow = Selectable<LedgerBlocksTable>;
export type HeadRow = Selectable<LedgerHeadsTable>;

/** The ledger's tables over any handle (a transaction included). */
export const ledger = (db: Db): Kysely<LedgerTables> => db.withTables<LedgerTables>();
