// The commit horizon: every event written by a transaction below it is committed (or rolled back)
// and no transaction still running can add an event below it. Readers that page through the log,
// and the sealer, stop there so that nothing can later appear behind them.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';

/**
 * The smallest transaction id (xid8, as text) still writing in this database, or the snapshot's
 * xmax when none is. The snapshot lists every running transaction of the server with its full
 * 64-bit id; only those of this database's sessions (pg_stat_activity) count, so a long
 * transaction in another database of the same server does not hold the log back, as the
 * server-wide snapshot xmin would. Matching the sessions' 32-bit ids against the snapshot's list,
 * rather than widening them, ignores a transaction that took its id after the snapshot: its id
 * is at or above xmax, and so above the horizon anyway.
 */
export async function commitHorizon(db: Db): Promise<string> {
  // pg_stat_activity is read once per transaction and cached; a caller asking again inside one
  // transaction (the sealer does, block after block) must see the sessions as they are now.
  await sql`SELECT pg_stat_clear_snapshot()`.execute(db);
  const { rows } = await sql<{ horizon: string }>`
    WITH s AS (SELECT pg_current_snapshot() AS snapshot)
    SELECT coalesce(
      (SELECT min(x) FROM s, pg_snapshot_xip(s.snapshot) AS x
       WHERE (x::text::numeric % 4294967296)::text::xid IN (
         SELECT backend_xid FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL)),
      (SELECT pg_snapshot_xmax(snapshot) FROM s))::text AS horizon`.execute(db);
  return rows[0]!.horizon;
}
