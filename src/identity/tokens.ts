// Password sessions: a short-lived JWT access token and a rotating opaque refresh token.
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Static } from 'typebox';
import type { TokenSettings } from '../platform/context.ts';
import type { Db } from '../platform/database.ts';
import { unauthorized } from '../platform/errors.ts';
import type { TokenPair as TokenPairSchema } from './schemas.ts';
import { identity } from './tables.ts';
import { digest, newSecret } from './secrets.ts';

/** The static type of the answer schema (schemas.ts), so the two cannot drift. */
export type TokenPair = Static<typeof TokenPairSchema>;

const ISSUER = 'tally';

const seconds = (t: Date) => Math.floor(t.getTime() / 1000);

/**
 * A signed access token alone, for a login that hands out no refresh token (the EnergyTag face's
 * OAuth2 password flow, which has no refresh): no refresh token is stored that nobody could use.
 */
export async function signAccess(settings: TokenSettings, userId: number, now: Date): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(userId))
    .setIssuer(ISSUER)
    .setIssuedAt(seconds(now))
    .setExpirationTime(seconds(now) + settings.accessTtl)
    .sign(settings.secret);
}

/**
 * Access tokens this process has verified, by secret and whole text, with the user and expiry they
 * carry. A client sends the same token with every request until it expires, and verifying its
 * signature each time (WebCrypto's HMAC, a job sent off the main thread, its key imported anew) was
 * about a tenth of a transfer's CPU (docs/benchmarks.md). Only a token that verified is kept, under
 * its whole text, so no other text finds it; its expiry is checked against `now` on every use, as
 * jose checks it (expired once `exp` ≤ now in whole seconds). At most VERIFIED_MAX a secret, the
 * oldest dropped first.
 */
const verified = new WeakMap<Uint8Array, Map<string, { userId: number; exp: number }>>();
const VERIFIED_MAX = 10_000;

function remember(secret: Uint8Array, token: string, userId: number, exp: number): void {
  let known = verified.get(secret);
  if (!known) {
    known = new Map();
    verified.set(secret, known);
  }
  if (known.size >= VERIFIED_MAX) known.delete(known.keys().next().value!);
  known.set(token, { userId, exp });
}

/** Returns the user id an access token was issued to; 401 if it is invalid or expired at `now`. */
export async function verifyAccess(settings: TokenSettings, token: string, now: Date): Promise<number> {
  const known = verified.get(settings.secret)?.get(token);
  if (known && known.exp > seconds(now)) return known.userId;
  try {
    const { payload } = await jwtVerify(token, settings.secret, {
      issuer: ISSUER,
      algorithms: ['HS256'],
      currentDate: now,
    });
    const id = Number(payload.sub);
    if (!Number.isSafeInteger(id)) throw new Error('sub');
    // Tally's tokens all expire and none waits for a start (`nbf`): only such a token is kept.
    if (typeof payload.exp === 'number' && payload.nbf === undefined) remember(settings.secret, token, id, payload.exp);
    return id;
  } catch {
    throw unauthorized('the access token is invalid or expired');
  }
}

async function storeRefresh(
  db: Db,
  settings: TokenSettings,
  userId: number,
  family: string,
  now: Date,
): Promise<string> {
  const refresh = newSecret();
  await identity(db)
    .insertInto('refresh_tokens')
    .values({
      user_id: userId,
      family,
      token_hash: digest(refresh),
      expires_at: new Date(now.getTime() + settings.refreshTtl * 1000),
    })
    .execute();
  return refresh;
}

export async function startSession(db: Db, settings: TokenSettings, userId: number, now: Date): Promise<TokenPair> {
  const refresh = await storeRefresh(db, settings, userId, randomUUID(), now);
  return {
    access: await signAccess(settings, userId, now),
    refresh,
    token_type: 'Bearer',
    expires_in: settings.accessTtl,
  };
}

/**
 * Trades a refresh token for a new pair. Each refresh token works once; presenting a used one
 * means it was copied, so the whole family of tokens descending from that login is revoked.
 */
export async function refreshSession(
  db: Db,
  settings: TokenSettings,
  refreshToken: string,
  now: Date,
): Promise<TokenPair> {
  const outcome = await db.transaction().execute(async (trx) => {
    const row = await identity(trx)
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', digest(refreshToken))
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.expires_at <= now) return undefined;
    // A deactivated user's session renews no more (its access tokens are refused anyway).
    const user = await identity(trx)
      .selectFrom('users')
      .select('deactivated_at')
      .where('id', '=', row.user_id)
      .executeTakeFirstOrThrow();
    if (user.deactivated_at !== null) return undefined;
    if (row.used_at !== null) {
      await identity(trx)
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('family', '=', row.family)
        .where('revoked_at', 'is', null)
        .execute();
      return undefined;
    }
    await identity(trx).updateTable('refresh_tokens').set({ used_at: now }).where('id', '=', row.id).execute();
    return { userId: row.user_id, refresh: await storeRefresh(trx, settings, row.user_id, row.family, now) };
  });
  if (!outcome) throw unauthorized('the refresh token is invalid, expired or already used');
  return {
    access: await signAccess(settings, outcome.userId, now),
    refresh: outcome.refresh,
    token_type: 'Bearer',
    expires_in: settings.accessTtl,
  };
}
