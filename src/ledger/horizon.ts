// The commit horizon: every event written by a transaction below it is committed (or rolled back)
// and no transaction still running can add an event below it. Readers that page through the log,
// and the sealer, stop there so that nothing can later appear behind them.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';

/**
 * The smallest transaction id (xid8, as text) still writing in this database, or the next one to
 * be assigned when none is. It looks only at this database's sessions (pg_stat_activity), so a
 * long transaction in another database of the same server does not hold the log back, as the
 * server-wide snapshot xmin would. Sessions report 32-bit xids: each is widened to 64 bits by
 * its distance below the snapshot's xmax.
 */
export async function commitHorizon(db: Db): Promise<string> {
  const { rows } = await sql<{ horizon: string }>`
    WITH s AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::numeric AS xmax),
    running AS (
      SELECT s.xmax - ((s.xmax % 4294967296) - a.backend_xid::text::numeric + 4294967296) % 4294967296 AS xid
      FROM pg_stat_activity a, s
      WHERE a.datname = current_database() AND a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid())
    SELECT coalesce((SELECT min(xid) FROM running), (SELECT xmax FROM s))::text AS horizon`.execute(db);
  return rows[0]!.horizon;
}
