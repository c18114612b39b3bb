// The append-only event log. Every module records its state changes here, inside the transaction
// that makes the change, so the log and the tables cannot disagree.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { markWorkDone } from '../platform/idempotent-work.ts';
import { fixedStatement } from '../platform/fixed-statement.ts';
import { commitHorizon } from './horizon.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from '../platform/pagination.ts';
import { ledger, type EventRow } from './tables.ts';

export interface NewEvent {
  /** What happened, `<subject>.<verb>`: `certificates.issued`, `account.created`, … */
  type: string;
  subject_type: string;
  subject_id: string | number;
  /** Accounts whose members may read this event. */
  account_ids?: number[];
  actor_id: number | null;
  /** Everything needed to rebuild the change: full rows after it, not just their ids. */
  payload: unknown;
}

export async function appendEvent(db: Db, event: NewEvent): Promise<number> {
  await markWorkDone(db);
  const [row] = await insertEvent(
    db,
    event.type,
    event.subject_type,
    String(event.subject_id),
    event.account_ids ?? [],
    event.actor_id,
    JSON.stringify(event.payload),
  );
  return row!.id;
}

/** `appendEvent`'s statement, built once: every change to the registry makes it. */
const insertEvent = fixedStatement(
  (
    db: Db,
    type: string,
    subject_type: string,
    subject_id: string,
    account_ids: number[],
    actor_id: number | null,
    payload: string,
  ) =>
    ledger(db)
      .insertInto('events')
      .values({ type, subject_type, subject_id, account_ids, actor_id, payload })
      .returning('id'),
);

export interface EventFilter {
  subject_type?: string | undefined;
  subject_id?: string | undefined;
  type?: string | undefined;
  /** Only events touching this account. */
  account_id?: number | undefined;
  /** Only events touching one of these accounts, showing only their bundles; undefined means every event, whole. */
  visible_accounts?: number[] | undefined;
  /** Oldest first (the log's order, the default) or newest first (what happened last). */
  order?: 'asc' | 'desc' | undefined;
}

export type EventView = Omit<EventRow, 'recorded_at' | 'xact_id'> & { recorded_at: string };

/** An event as readers see it, and as it is hashed and exported when sealed: one mapping for both. */
export const eventView = (e: Omit<EventRow, 'xact_id'>): EventView => ({
  id: e.id,
  type: e.type,
  subject_type: e.subject_type,
  subject_id: e.subject_id,
  account_ids: e.account_ids,
  actor_id: e.actor_id,
  payload: e.payload,
  recorded_at: e.recorded_at.toISOString(),
});

/**
 * The event as a reader limited to `visible` accounts sees it. One event may touch several accounts
 * (a split transfer leaves the source's remainder beside the target's part; the expiry job touches
 * every holder): the account the event is about sees it whole, any other reader only the bundles
 * held in accounts it may read. The stored, sealed and replayed event is unchanged: this is a
 * view, not a second record.
 */
function readerView(e: EventView, visible: number[]): EventView {
  const payload = e.payload as { bundles?: unknown } | null;
  if (!payload || !Array.isArray(payload.bundles)) return e;
  if (e.subject_type === 'account' && visible.includes(Number(e.subject_id))) return e;
  const readable = (b: unknown) =>
    typeof b !== 'object' || b === null || !('account_id' in b) || visible.includes(Number(b.account_id));
  return { ...e, payload: { ...payload, bundles: payload.bundles.filter(readable) } };
}

/**
 * Events in commit-safe order. Ids are taken at insert but become visible at commit, so a page
 * ordered by id alone could pass over an id whose transaction commits later. Pages are ordered
 * by (writing transaction, id) instead and stop at the commit horizon: nothing can appear behind
 * a cursor once it has moved on.
 */
export async function listEvents(db: Db, filter: EventFilter, page: PageRequest): Promise<Page<EventView>> {
  const { limit, cursor } = page;
  let query = ledger(db)
    .selectFrom('events')
    .select([
      'id',
      'type',
      'subject_type',
      'subject_id',
      'account_ids',
      'actor_id',
      'payload',
      'recorded_at',
      sql<string>`xact_id::text`.as('xact'),
    ])
    .where(sql<boolean>`xact_id < ${await commitHorizon(db)}::xid8`);
  if (filter.subject_type !== undefined) query = query.where('subject_type', '=', filter.subject_type);
  if (filter.subject_id !== undefined) query = query.where('subject_id', '=', filter.subject_id);
  if (filter.type !== undefined) query = query.where('type', '=', filter.type);
  if (filter.account_id !== undefined)
    query = query.where(sql<boolean>`account_ids @> ARRAY[${filter.account_id}]::bigint[]`);
  if (filter.visible_accounts !== undefined)
    query = query.where(sql<boolean>`account_ids && ${filter.visible_accounts}::bigint[]`);
  const desc = filter.order === 'desc';
  if (cursor !== undefined) {
    const after = decodeCursor(cursor, { x: 'int', id: 'int' }, page.field);
    const beyond = desc ? sql.raw('<') : sql.raw('>');
    query = query.where(sql<boolean>`(xact_id, id) ${beyond} (${String(after.x)}::xid8, ${after.id}::bigint)`);
  }
  const rows = await query
    .orderBy('xact_id', desc ? 'desc' : 'asc')
    .orderBy('id', desc ? 'desc' : 'asc')
    .limit(limit + 1)
    .execute();
  const visible = filter.visible_accounts;
  const items = rows
    .slice(0, limit)
    .map(eventView)
    .map((e) => (visible === undefined ? e : readerView(e, visible)));
  const last = rows[limit - 1];
  return {
    items,
    next_cursor: rows.length > limit && last ? encodeCursor({ x: Number(last.xact), id: last.id }) : null,
  };
}

/**
 * The id of the first event of this type about this subject (the one that published a disclosure,
 * say), for pointing a reader to its inclusion proof; undefined when there is none.
 */
export async function firstEventOf(
  db: Db,
  subject: { subject_type: string; subject_id: string; type: string },
): Promise<number | undefined> {
  const row = await ledger(db)
    .selectFrom('events')
    .select('id')
    .where('subject_type', '=', subject.subject_type)
    .where('subject_id', '=', subject.subject_id)
    .where('type', '=', subject.type)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/** Which events to stream: of these types, about this subject. */
export interface EventSelection {
  types?: readonly string[];
  subject?: { type: string; id: string };
}

/**
 * Every event in order (or those `only` selects), in batches: for replaying the log or comparing a
 * module's tables with what its events recorded (`tally check`) without holding it all in memory.
 */
export async function* streamEvents(db: Db, only: EventSelection = {}, batch = 1000): AsyncGenerator<EventRow> {
  let after = 0;
  for (;;) {
    let q = ledger(db).selectFrom('events').selectAll().where('id', '>', after);
    if (only.types) q = q.where('type', 'in', only.types);
    if (only.subject) q = q.where('subject_type', '=', only.subject.type).where('subject_id', '=', only.subject.id);
    const rows = await q.orderBy('id').limit(batch).execute();
    for (const r of rows) yield r;
    const last = rows[rows.length - 1];
    if (!last || rows.length < batch) return;
    after = last.id;
  }
}
