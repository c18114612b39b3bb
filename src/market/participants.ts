// A user as the market knows them: created on their first market action, with the UUID the DSBI
// face names them by, their wallet and their balance.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { market, type ParticipantRow } from './tables.ts';

/** The caller's participant row, made on first use; locked for update inside a transaction when asked. */
export async function participant(db: Db, userId: number, opts: { forUpdate?: boolean } = {}): Promise<ParticipantRow> {
  await market(db)
    .insertInto('market_participants')
    .values({ user_id: userId })
    .onConflict((c) => c.doNothing())
    .execute();
  let query = market(db).selectFrom('market_participants').selectAll().where('user_id', '=', userId);
  if (opts.forUpdate) query = query.forUpdate();
  return query.executeTakeFirstOrThrow();
}

/** The user a participant UUID names, or undefined. */
export async function userOfUuid(db: Db, uuid: string): Promise<number | undefined> {
  const row = await market(db)
    .selectFrom('market_participants')
    .select('user_id')
    .where(sql<boolean>`uuid::text = ${uuid.toLowerCase()}`)
    .executeTakeFirst();
  return row?.user_id;
}

/** The UUIDs of the given users (made for those who have none yet). */
export async function uuidsOf(db: Db, userIds: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return new Map();
  await sql`INSERT INTO market_participants (user_id) SELECT unnest(${unique}::bigint[]) ON CONFLICT DO NOTHING`.execute(
    db,
  );
  const rows = await market(db)
    .selectFrom('market_participants')
    .select(['user_id', 'uuid'])
    .where(sql<boolean>`user_id = ANY(${unique}::bigint[])`)
    .execute();
  return new Map(rows.map((r) => [r.user_id, r.uuid]));
}
