// Identity's tables as Kysely sees them; columns the database fills are marked `Generated`.
import type { Generated, GeneratedAlways, Kysely, Selectable } from 'kysely';
import type { Db } from '../platform/database.ts';

import type { Role } from '../platform/principal.ts';

export { ROLES, type Role } from '../platform/principal.ts';

export interface UsersTable {
  id: GeneratedAlways<number>;
  email: string;
  name: string;
  password_hash: string;
  role: Generated<Role>;
  email_verified_at: Date | null;
  verification_token_hash: string | null;
  created_at: Generated<Date>;
  /** The organisation the user belongs to, if any (0032). */
  organisation_id: number | null;
  /** When an admin deactivated the user: it cannot log in, its tokens and API keys stop working (0032). */
  deactivated_at: Date | null;
}

/** The draft's organisations: the parties that own users and accounts (0032). */
export interface OrganisationsTable {
  id: GeneratedAlways<number>;
  name: string;
  business_id: number;
  email: string;
  address: string | null;
  website: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface RefreshTokensTable {
  id: GeneratedAlways<number>;
  user_id: number;
  family: string;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

export interface ApiKeysTable {
  id: GeneratedAlways<number>;
  user_id: number;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export type IdentityTables = {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  api_keys: ApiKeysTable;
  organisations: OrganisationsTable;
};

export type OrganisationRow = Selectable<OrganisationsTable>;

/** Identity's tables over any handle (a transaction included). */
export const identity = (db: Db): Kysely<IdentityTables> => db.withTables<IdentityTables>();
