// Users' notification switches, as DSBI keeps them: kinds of notification (bid, session, market,
// forecast, data, and any an admin adds), and per user one switch per notification of each kind,
// on by default. Tally sends no notification itself; it keeps the switches for clients that do.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { badRequest, notFound } from '../platform/errors.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { market } from './tables.ts';

/** DSBI's notifications of its five kinds: a user gets these (a blank one of any other kind). */
export const DEFAULT_NOTIFICATIONS: Record<string, Array<[title: string, description: string]>> = {
  bid: [
    ['New bid', 'Bid has been received'],
    ['Validation bid', 'Bid has been validated'],
  ],
  session: [
    ['New session', 'A new session is available'],
    ['Session results', 'Results for a session are available'],
  ],
  market: [
    ['Market update', 'There is an update for the market'],
    ['Market transaction', 'A transaction from the market for you has been made'],
  ],
  forecast: [['New forecast', 'A new forecast is available for one or more of your resources']],
  data: [
    ['Data correctly received', 'The market validated the reception of data sent for one of your resources'],
    ['Data incorrectly received', 'An error occurred with the data sent for one of your resources'],
  ],
};

export interface NotificationView {
  id: number;
  user_id: number;
  type: string;
  title: string;
  description: string;
  state: boolean;
}

export interface NotificationTypeView {
  id: number;
  name: string;
}

/** Makes the user's switches of every kind they have none of yet, under a lock of the user's. */
async function ensureSwitches(trx: Db, userId: number): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(7346103, ${userId}::int)`.execute(trx);
  const missing = await market(trx)
    .selectFrom('market_notification_types as t')
    .select(['t.id', 't.name'])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('market_notifications as n')
            .select('n.id')
            .whereRef('n.type_id', '=', 't.id')
            .where('n.user_id', '=', userId),
        ),
      ),
    )
    .orderBy('t.id')
    .execute();
  if (missing.length === 0) return;
  const values = missing.flatMap((t) =>
    (DEFAULT_NOTIFICATIONS[t.name] ?? [['', '']]).map(([title, description]) => ({
      user_id: userId,
      type_id: t.id,
      title,
      description,
    })),
  );
  const rows = await market(trx).insertInto('market_notifications').values(values).returning('id').execute();
  await appendEvent(trx, {
    type: 'market.notifications.created',
    subject_type: 'market_participant',
    subject_id: userId,
    actor_id: userId,
    payload: { user_id: userId, notification_ids: rows.map((r) => r.id), types: missing.map((t) => t.name) },
  });
}

const notificationsOf = (db: Db, userId: number) =>
  market(db)
    .selectFrom('market_notifications as n')
    .innerJoin('market_notification_types as t', 't.id', 'n.type_id')
    .select(['n.id', 'n.user_id', 't.name as type', 'n.title', 'n.description', 'n.state'])
    .where('n.user_id', '=', userId);

/** The caller's switches, in id order; made on the first look. */
export async function listNotifications(db: Db, principal: Principal): Promise<NotificationView[]> {
  return db.transaction().execute(async (trx) => {
    await ensureSwitches(trx, principal.userId);
    return notificationsOf(trx, principal.userId).orderBy('n.id').execute();
  });
}

/** Turns one of the caller's switches on or off; another's is not found. */
export async function setNotificationState(
  db: Db,
  principal: Principal,
  id: number,
  state: boolean,
): Promise<NotificationView> {
  return db.transaction().execute(async (trx) => {
    const updated = await market(trx)
      .updateTable('market_notifications')
      .set({ state })
      .where('id', '=', id)
      .where('user_id', '=', principal.userId)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw notFound('notification', id);
    const view = await notificationsOf(trx, principal.userId).where('n.id', '=', id).executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'market.notification.state_set',
      subject_type: 'market_participant',
      subject_id: principal.userId,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}

export async function listNotificationTypes(db: Db): Promise<NotificationTypeView[]> {
  return market(db).selectFrom('market_notification_types').select(['id', 'name']).orderBy('id').execute();
}

/**
 * Python's difflib SequenceMatcher(None, a, b).ratio(): twice the characters in matching blocks
 * over both lengths (no junk: names are far shorter than its autojunk threshold of 200).
 */
export function similarity(a: string, b: string): number {
  if (a.length + b.length === 0) return 1;
  const longest = (alo: number, ahi: number, blo: number, bhi: number): [number, number, number] => {
    let best: [number, number, number] = [alo, blo, 0];
    let lengths = new Map<number, number>();
    for (let i = alo; i < ahi; i++) {
      const next = new Map<number, number>();
      for (let j = blo; j < bhi; j++) {
        if (a[i] !== b[j]) continue;
        const k = (lengths.get(j - 1) ?? 0) + 1;
        next.set(j, k);
        if (k > best[2]) best = [i - k + 1, j - k + 1, k];
      }
      lengths = next;
    }
    return best;
  };
  let matched = 0;
  const queue: Array<[number, number, number, number]> = [[0, a.length, 0, b.length]];
  for (let range = queue.pop(); range !== undefined; range = queue.pop()) {
    const [alo, ahi, blo, bhi] = range;
    const [i, j, k] = longest(alo, ahi, blo, bhi);
    if (k === 0) continue;
    matched += k;
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  return (2 * matched) / (a.length + b.length);
}

/** DSBI's rule: a kind whose name is 70 % similar to another's is refused as a duplicate. */
async function checkDistinct(trx: Db, name: string, except?: number): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(7346104)`.execute(trx);
  for (const t of await listNotificationTypes(trx))
    if (t.id !== except && similarity(t.name, name) >= 0.7)
      throw badRequest('similar_notification_type', `a similar notification kind exists: ${t.name}`, 'body/name');
}

/** Adds a kind (admin); every user gets a blank switch of it on their next look. */
export async function createNotificationType(
  db: Db,
  principal: Principal,
  name: string,
): Promise<NotificationTypeView> {
  return db.transaction().execute(async (trx) => {
    await checkDistinct(trx, name);
    const row = await market(trx)
      .insertInto('market_notification_types')
      .values({ name })
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'market.notification_type.created',
      subject_type: 'market_notification_type',
      subject_id: row.id,
      actor_id: principal.userId,
      payload: row,
    });
    return row;
  });
}

export async function renameNotificationType(
  db: Db,
  principal: Principal,
  id: number,
  name: string,
): Promise<NotificationTypeView> {
  return db.transaction().execute(async (trx) => {
    await checkDistinct(trx, name, id);
    const row = await market(trx)
      .updateTable('market_notification_types')
      .set({ name })
      .where('id', '=', id)
      .returning(['id', 'name'])
      .executeTakeFirst();
    if (!row) throw notFound('notification_type', id);
    await appendEvent(trx, {
      type: 'market.notification_type.renamed',
      subject_type: 'market_notification_type',
      subject_id: id,
      actor_id: principal.userId,
      payload: row,
    });
    return row;
  });
}

/** Removes a kind (admin) and every user's switches of it. */
export async function deleteNotificationType(db: Db, principal: Principal, id: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await market(trx)
      .deleteFrom('market_notification_types')
      .where('id', '=', id)
      .returning(['id', 'name'])
      .executeTakeFirst();
    if (!row) throw notFound('notification_type', id);
    await appendEvent(trx, {
      type: 'market.notification_type.deleted',
      subject_type: 'market_notification_type',
      subject_id: id,
      actor_id: principal.userId,
      payload: row,
    });
  });
}
