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
  const first = rows[0]?.first ?? undefined;
  const lengthMs = c.interval_minutes * 60_000;
  // A membership may start at a local midnight that is not on the interval grid (a :30 time zone).
  return { last, next: last ?? (first && new Date(Math.ceil(first.getTime() / lengthMs) * lengthMs)) };
}
