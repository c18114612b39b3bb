// Long-lived keys for machines. The plain key is shown once at creation; only its digest is kept.
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import { appendEvent } from '../ledger/index.ts';
import { notFound } from '../platform/errors.ts';
import { afterId, mapPage, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import type { ApiKey, NewApiKey } from './schemas.ts';
import { identity } from './tables.ts';
import { digest, newSecret } from './secrets.ts';

export const API_KEY_PREFIX = 'tly_';

/** The static type of the answer schema (schemas.ts), so the two cannot drift. */
export type ApiKeyView = Static<typeof ApiKey>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const view = (r: {
  id: number;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiKeyView => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  created_at: r.created_at.toISOString(),
  last_used_at: iso(r.last_used_at),
  revoked_at: iso(r.revoked_at),
});
const columns = ['id', 'name', 'prefix', 'created_at', 'last_used_at', 'revoked_at'] as const;

export async function createApiKey(db: Db, userId: number, name: string): Promise<Static<typeof NewApiKey>> {
  const key = newSecret(API_KEY_PREFIX);
  return db.transaction().execute(async (trx) => {
    const row = await identity(trx)
      .insertInto('api_keys')
      .values({
        user_id: userId,
        name,
        prefix: key.slice(0, API_KEY_PREFIX.length + 6),
        key_hash: digest(key),
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    const created = view(row);
    await appendEvent(trx, {
      type: 'api_key.created',
      subject_type: 'user',
      subject_id: userId,
      actor_id: userId,
      payload: created,
    });
    return { ...created, key };
  });
}

export async function listApiKeys(db: Db, userId: number, page: PageRequest): Promise<Page<ApiKeyView>> {
  const rows = await identity(db)
    .selectFrom('api_keys')
    .select(columns)
    .where('user_id', '=', userId)
    .where('id', '>', afterId(page))
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return mapPage(pageOf(rows, page.limit), view);
}

export async function revokeApiKey(db: Db, userId: number, keyId: number, now: Date): Promise<ApiKeyView> {
  return db.transaction().execute(async (trx) => {
    const before = await identity(trx)
      .selectFrom('api_keys')
      .select('revoked_at')
      .where('id', '=', keyId)
      .where('user_id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound('api_key', keyId);
    const row = await identity(trx)
      .updateTable('api_keys')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(now)) }))
      .where('id', '=', keyId)
      .returning(columns)
      .executeTakeFirstOrThrow();
    const revoked = view(row);
    if (before.revoked_at === null)
      await appendEvent(trx, {
        type: 'api_key.revoked',
        subject_type: 'user',
        subject_id: userId,
        actor_id: userId,
        payload: revoked,
      });
    return revoked;
  });
}

/** last_used_at is a hint for people, not an audit trail: refresh it at most this often, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The user a live key belongs to, or undefined; `now` is when it is used. */
export async function userOfApiKey(db: Db, key: string, now: Date): Promise<number | undefined> {
  const row = await identity(db)
    .selectFrom('api_keys')
    .select(['id', 'user_id', 'last_used_at'])
    .where('key_hash', '=', digest(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await identity(db).updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return row.user_id;
}
