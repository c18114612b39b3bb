// The accounts module's tables: accounts, who is a member of each, whose transfers each accepts,
// and invitations to join. Created by registry/migrations/0004 and 0016 (the registry held them
// before accounts became a module of their own; migrations are history and stay where they ran).
import type { Kysely } from 'kysely';
import type { Db } from '../platform/database.ts';

export interface AccountRow {
  id: number;
  account_name: string;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

export interface InvitationRow {
  id: number;
  account_id: number;
  user_id: number | null;
  email: string | null;
  invited_by: number;
  created_at: Date;
  answered_at: Date | null;
  accepted: boolean | null;
}

export interface AccountTables {
  accounts: AccountRow;
  account_members: { account_id: number; user_id: number; added_at: Date };
  account_whitelist: { account_id: number; accepts_from: number; added_at: Date };
  account_invitations: InvitationRow;
}

export const accountTables = (db: Db) => db as Kysely<AccountTables>;
