// A version of everything the ledger records: it changes whenever a change to Tally's state could
// have become visible, so an answer computed from that state may be kept until it changes.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';

/**
 * The last event id and the transactions still writing in this database. Every state change
 * appends an event in its own transaction, so a change that commits later either takes an id
 * above the last one, or belongs to a transaction listed here (which then leaves the list):
 * either way the version moves. A change that is still running cannot be seen by a reader yet.
 */
export async function stateVersion(db: Db): Promise<string> {
  const { rows } = await sql<{ version: string }>`
    SELECT coalesce((SELECT max(id) FROM events), 0)::text || ':' || coalesce((
      SELECT string_agg(backend_xid::text, ',' ORDER BY backend_xid::text)
      FROM pg_stat_activity
      WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()), '')
      AS version`.execute(db);
  return rows[0]!.version;
}
