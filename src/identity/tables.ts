import type { Kysely } from 'kysely';
import type { Db } from '../platform/database.ts';

import type { Role } from '../platform/principal.ts';

export { ROLES, type Role } from '../platform/principal.ts';

export interface IdentityTables {
  users: {
    id: number;
    email: string;
    name: string;
    password_hash: string;
    role: Role;
    email_verified_at: Date | null;
    verification_token_hash: string | null;
    created_at: Date;
  };
  refresh_tokens: {
    id: number;
    user_id: number;
    family: string;
    token_hash: string;
    expires_at: Date;
    used_at: Date | null;
    revoked_at: Date | null;
    created_at: Date;
  };
  api_keys: {
    id: number;
    user_id: number;
    name: string;
    prefix: string;
    key_hash: string;
    created_at: Date;
    last_used_at: Date | null;
    revoked_at: Date | null;
  };
}

export const identity = (db: Db) => db as Kysely<IdentityTables>;
