// The append-only event log. Every module records its state changes here, inside the transaction
// that makes the change, so the log and the tables cannot disagree.
import { sql, type Kysely } from 'kysely';
import type { Db } from '../platform/database.ts';
import { decodeCursor, pageOf, type Page } from '../platform/pagination.ts';

export interface EventsTable {
  id: number;
  type: string;
  subject_type: string;
  subject_id: string;
  account_ids: number[];
  actor_id: number | null;
  payload: unknown;
  recorded_at: Date;
  xact_id: string;
}
interface LedgerTables { events: EventsTable }
const q = (db: Db) => db as Kysely<LedgerTables>;

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
  const row = await q(db)
    .insertInto('events')
    .values({
      type: event.type,
      subject_type: event.subject_type,
      subject_id: String(event.subject_id),
      account_ids: event.account_ids ?? [],
      actor_id: event.actor_id,
      payload: JSON.stringify(event.payload),
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface EventFilter {
  subject_type?: string | undefined;
  subject_id?: string | undefined;
  type?: string | undefined;
  /** Only events touching this account. */
  account_id?: number | undefined;
  /** Only events touching one of these accounts; undefined means every event. */
  visible_accounts?: number[] | undefined;
  after_id?: number | undefined;
}

export type EventView = Omit<EventsTable, 'recorded_at' | 'xact_id'> & { recorded_at: string };

export async function listEvents(db: Db, filter: EventFilter, limit: number, cursor?: string): Promise<Page<EventView>> {
  let query = q(db).selectFrom('events').select(['id', 'type', 'subject_type', 'subject_id', 'account_ids', 'actor_id', 'payload', 'recorded_at']);
  if (filter.subject_type !== undefined) query = query.where('subject_type', '=', filter.subject_type);
  if (filter.subject_id !== undefined) query = query.where('subject_id', '=', filter.subject_id);
  if (filter.type !== undefined) query = query.where('type', '=', filter.type);
  if (filter.account_id !== undefined) query = query.where(sql<boolean>`account_ids @> ARRAY[${filter.account_id}]::bigint[]`);
  if (filter.visible_accounts !== undefined) query = query.where(sql<boolean>`account_ids && ${filter.visible_accounts}::bigint[]`);
  if (cursor !== undefined) query = query.where('id', '>', decodeCursor(cursor, ['id']).id);
  const rows = await query.orderBy('id').limit(limit + 1).execute();
  return pageOf(rows.map((r) => ({ ...r, recorded_at: r.recorded_at.toISOString() })), limit);
}

/** Every event in order, in batches: for replaying the log (`tally check`) without holding it all in memory. */
export async function* streamEvents(db: Db, types?: string[], batch = 1000): AsyncGenerator<EventsTable> {
  let after = 0;
  for (;;) {
    let query = q(db).selectFrom('events').selectAll().where('id', '>', after);
    if (types) query = query.where('type', 'in', types);
    const rows = await query.orderBy('id').limit(batch).execute();
    for (const r of rows) yield r;
    const last = rows[rows.length - 1];
    if (!last || rows.length < batch) return;
    after = last.id;
  }
}
