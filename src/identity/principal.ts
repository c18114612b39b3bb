// Who is calling: resolved once per request from a bearer token (JWT or API key) or X-API-Key.
import type { Db } from '../platform/database.ts';
import { fixedStatement } from '../platform/fixed-statement.ts';
import { forbidden, unauthorized } from '../platform/errors.ts';
import { identity, type Role } from './tables.ts';
import { API_KEY_PREFIX, userOfApiKey } from './api-keys.ts';
import { verifyAccess } from './tokens.ts';
import type { TokenSettings } from '../platform/context.ts';
import type { Principal } from '../platform/principal.ts';

export type { Principal };

/** The caller's row as every authenticated request reads it, built once. */
const caller = fixedStatement((db: Db, userId: number) =>
  identity(db)
    .selectFrom('users')
    .select(['id', 'role', 'email', 'email_verified_at', 'deactivated_at'])
    .where('id', '=', userId),
);

export async function authenticate(
  db: Db,
  settings: TokenSettings,
  authorization: string | undefined,
  apiKeyHeader: string | undefined,
  now: Date,
): Promise<Principal | undefined> {
  let userId: number | undefined;
  if (apiKeyHeader !== undefined) {
    userId = await userOfApiKey(db, apiKeyHeader, now);
    if (userId === undefined) throw unauthorized('the API key is invalid or revoked');
  } else if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <token>"');
    const token = match[1];
    if (token.startsWith(API_KEY_PREFIX)) {
      userId = await userOfApiKey(db, token, now);
      if (userId === undefined) throw unauthorized('the API key is invalid or revoked');
    } else {
      userId = await verifyAccess(settings, token, now);
    }
  } else {
    return undefined;
  }
  // The role is read now, not from the token, so a changed role takes effect on the next request.
  const [user] = await caller(db, userId);
  if (!user) throw unauthorized('the user of this credential no longer exists');
  // Read with the role on every request, so a deactivation stops every token and API key at once.
  if (user.deactivated_at !== null) throw unauthorized('the user of this credential is deactivated');
  if (user.email_verified_at === null) throw forbidden('email_not_verified', 'verify your email address first');
  return { userId: user.id, role: user.role, email: user.email };
}

/** The access rule of a route that needs one of `roles` (admin always passes). */
export function requireRole(principal: Principal, ...roles: Role[]): void {
  if (principal.role !== 'admin' && !roles.includes(principal.role)) {
    throw forbidden('role_required', `this action needs the role ${roles.join(' or ')}; you are ${principal.role}`);
  }
}
