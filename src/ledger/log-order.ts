// The log's order: events by writing transaction, then id (the events_order index), read only
// below the commit horizon, where no running transaction can still add one. The sealer and the
// event stream both walk the log so, each from its own position.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { commitHorizon } from './horizon.ts';
import { type EventRow, ledger } from './tables.ts';

/** A place in the log: the last event read, by its transaction and id. */
export interface LogPosition {
  xact_id: string;
  id: number;
}

/** The events after `after` (all of them without it): a range of the events_order index. */
export const eventsAfter = (db: Db, after: LogPosition | undefined) => {
  const events = ledger(db).selectFrom('events');
  return after ? events.where(sql<boolean>`(xact_id, id) > (${after.xact_id}::xid8, ${after.id}::bigint)`) : events;
};

/** Up to `limit` committed events after `after`, in the log's order. */
export async function committedEventsAfter(db: Db, after: LogPosition | undefined, limit: number): Promise<EventRow[]> {
  const horizon = await commitHorizon(db);
  return eventsAfter(db, after)
    .selectAll()
    .where(sql<boolean>`xact_id < ${horizon}::xid8`)
    .orderBy('xact_id')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** How many events, committed or still above the horizon, lie after `after`: a reader's lag. */
export async function countEventsAfter(db: Db, after: LogPosition | undefined): Promise<number> {
  const row = await eventsAfter(db, after)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Where event `id` stands in the log; undefined when this database has no such event. */
export async function positionOf(db: Db, id: number): Promise<LogPosition | undefined> {
  return ledger(db).selectFrom('events').select(['xact_id', 'id']).where('id', '=', id).executeTakeFirst();
}
