// Where a community's clearing stands: read by clearing itself, by the job and by membership
// changes (which may not rewrite cleared time). Its own file, so none of them imports another
// for it.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { CommunityRow } from './tables.ts';

/**
 * Where clearing stands: `last`, the end of the last cleared interval, and `next`, where clearing
 * goes on (`last`, or before anything was cleared the first membership's start on the grid).
 */
export async function clearingPosition(
  db: Db,
  c: CommunityRow,
): Promise<{ last: Date | undefined; next: Date | undefined }> {
  const { rows } = await sql<{ last: Date | null; first: Date | null }>`
    SELECT (SELECT max(interval_end) FROM community_intervals WHERE community_id = ${c.id}) AS last,
           (SELECT min(valid_from) FROM community_members WHERE community_id = ${c.id}) AS first`.execute(db);
  const last = rows[0]?.last ?? undefined;
  return { last, next: nextToClear(last, rows[0]?.first ?? undefined, c.interval_minutes) };
}

/** Where clearing goes on: after `last`, or before anything was cleared, the first membership's start on the grid. */
function nextToClear(last: Date | undefined, first: Date | undefined, intervalMinutes: number): Date | undefined {
  const lengthMs = intervalMinutes * 60_000;
  // A membership may start at a local midnight that is not on the interval grid (a :30 time zone).
  return last ?? (first && new Date(Math.ceil(first.getTime() / lengthMs) * lengthMs));
}

/**
 * How far each community's clearing lags behind `now`, in seconds: from where clearing goes on to
 * `now` (0 if it is ahead). A community without members has nothing to clear and is left out. For
 * the metrics: per community one probe of the primary key (its last interval) and of the members'
 * index, however long its history.
 */
export async function clearingLags(db: Db, now: Date): Promise<Array<{ community_id: number; seconds: number }>> {
  const { rows } = await sql<{ id: number; interval_minutes: number; last: Date | null; first: Date | null }>`
    SELECT c.id, c.interval_minutes,
      (SELECT i.interval_end FROM community_intervals i
       WHERE i.community_id = c.id ORDER BY i.interval_start DESC LIMIT 1) AS last,
      (SELECT min(m.valid_from) FROM community_members m WHERE m.community_id = c.id) AS first
    FROM communities c ORDER BY c.id`.execute(db);
  return rows.flatMap((r) => {
    const next = nextToClear(r.last ?? undefined, r.first ?? undefined, r.interval_minutes);
    return next ? [{ community_id: r.id, seconds: Math.max(0, (now.getTime() - next.getTime()) / 1000) }] : [];
  });
}
