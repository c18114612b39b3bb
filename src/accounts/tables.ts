// The accounts module's tables: accounts, who is a member of each, whose transfers each accepts,
// and invitations to join. Created by registry/migrations/0004 and 0016 (the registry held them
// before accounts became a module of their own; migrations are history and stay where they ran).
// Columns the database fills are marked, so an insert may leave them out and a read has them.
import type { Generated, GeneratedAlways, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';

export interface AccountsTable {
  id: GeneratedAlways<number>;
  account_name: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  closed_at: Date | null;
  /** The organisation that owns the account, if any; fixed at creation (identity's 0032 added it). */
  organisation_id: number | null;
}

export interface AccountMembersTable {
  account_id: number;
  user_id: number;
  added_at: Generated<Date>;
}

export interface AccountWhitelistTable {
  account_id: number;
  accepts_from: number;
  added_at: Generated<Date>;
}

export interface InvitationsTable {
  id: GeneratedAlways<number>;
  account_id: number;
  user_id: number | null;
  email: string | null;
  invited_by: number;
  created_at: Generated<Date>;
  answered_at: Date | null;
  accepted: boolean | null;
}

export type AccountTables = {
  accounts: AccountsTable;
  account_members: AccountMembersTable;
  account_whitelist: AccountWhitelistTable;
  account_invitations: InvitationsTable;
};

export type AccountRow = Selectable<AccountsTable>;
export type InvitationRow = Selectable<InvitationsTable>;

/** The account tables over any handle (a transaction included). */
export const accountTables = (db: Db): Kysely<AccountTables> => db.withTables<AccountTables>();
