import type { Db } from '../platform/database.ts';
import { createUser, findUserByEmail, type UserView } from './users.ts';

/**
 * Makes sure the first admin exists (from TALLY_ADMIN_EMAIL/PASSWORD); an existing user is left as it
 * is. Several processes starting at once on one database all ask: the one whose insert lands creates
 * the admin, and the others find it, since the email is unique.
 */
export async function ensureAdmin(db: Db, admin: { email: string; password: string }, now: Date): Promise<UserView> {
  const existing = await findUserByEmail(db, admin.email);
  if (existing) return existing;
  try {
    const { user } = await createUser(
      db,
      { email: admin.email, password: admin.password, name: 'Administrator', role: 'admin', verifiedAt: now },
      null,
    );
    return user;
  } catch (error) {
    const created = await findUserByEmail(db, admin.email);
    if (created) return created;
    throw error;
  }
}
