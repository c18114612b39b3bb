// `tally check`: every cleared interval's stored matches are the ones its clearing recorded. Each
// clearing transaction's `community.intervals_cleared` event (before 25 November 2026, a
// `community.interval_cleared` event per interval, with the same fields) gives each interval's
// number of matches and their digest (matches-digest.ts); the stored arrays are digested again
// here, interval by interval. The database refuses to change them (migration 0040); this finds
// what got past that, e.g. written with the triggers switched off. An interval stored without a
// record, or recorded and not stored, is named too.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';
import { streamEvents } from '../ledger/index.ts';
import { type DigestedMatch, matchesDigest } from './matches-digest.ts';
import { community } from './tables.ts';

const LIMIT = 20;
const RULE = 'community_matches_recorded';
const CLEARED = ['community.intervals_cleared', 'community.interval_cleared'];
/** Intervals read at a time: a 10,000-member community's interval holds some 15,000 matches. */
const BATCH = 100;

interface RecordedInterval {
  interval_start: string;
  matches_sha256: string;
}

/** Each interval a community's clearing recorded, by start (ms): the digest and the event. */
async function recordedIntervals(db: Db, communityId: number): Promise<Map<number, { sha: string; event: number }>> {
  const recorded = new Map<number, { sha: string; event: number }>();
  for await (const e of streamEvents(db, { types: CLEARED, subject: { type: 'community', id: String(communityId) } })) {
    const payload = e.payload as { intervals?: RecordedInterval[] } & RecordedInterval;
    for (const i of payload.intervals ?? [payload])
      recorded.set(Date.parse(i.interval_start), { sha: i.matches_sha256, event: e.id });
  }
  return recorded;
}

interface StoredInterval {
  interval_start: Date;
  buyers: Array<number | null> | null;
  sellers: Array<number | null> | null;
  wh: number[] | null;
  amounts: number[] | null;
}

function digestOf(i: StoredInterval): string {
  // An interval without matches has no row of them: its digest is that of no matches.
  const matches: DigestedMatch[] = (i.wh ?? []).map((wh, k) => [
    i.buyers![k] ?? null,
    i.sellers![k] ?? null,
    wh,
    i.amounts![k]!,
  ]);
  return matchesDigest(matches);
}

async function checkCommunity(db: Db, communityId: number, found: Violation[]): Promise<void> {
  const recorded = await recordedIntervals(db, communityId);
  const name = (start: Date) => `community ${communityId}, interval ${start.toISOString()}`;
  let after = new Date(0);
  for (;;) {
    const { rows } = await sql<StoredInterval>`
      SELECT i.interval_start, m.buyer_member_ids AS buyers, m.seller_member_ids AS sellers, m.wh,
             m.amount_micro AS amounts
      FROM community_intervals i
      LEFT JOIN community_interval_matches m USING (community_id, interval_start)
      WHERE i.community_id = ${communityId} AND i.interval_start > ${after.toISOString()}::timestamptz
      ORDER BY i.interval_start LIMIT ${BATCH}`.execute(db);
    for (const i of rows) {
      const record = recorded.get(i.interval_start.getTime());
      recorded.delete(i.interval_start.getTime());
      if (!record)
        found.push({ rule: RULE, detail: `${name(i.interval_start)} is stored, but no clearing recorded it` });
      else if (digestOf(i) !== record.sha)
        found.push({
          rule: RULE,
          detail: `${name(i.interval_start)}: its stored matches are not those its clearing recorded in event ${record.event}`,
        });
      if (found.length >= LIMIT) return;
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1]!.interval_start;
  }
  for (const [start, record] of recorded) {
    found.push({
      rule: RULE,
      detail: `${name(new Date(start))} was recorded as cleared in event ${record.event}, but is not stored`,
    });
    if (found.length >= LIMIT) return;
  }
}

export async function checkRecordedMatches(db: Db): Promise<Violation[]> {
  const found: Violation[] = [];
  const communities = await community(db).selectFrom('communities').select('id').orderBy('id').execute();
  for (const { id } of communities) {
    await checkCommunity(db, id, found);
    if (found.length >= LIMIT) break;
  }
  return found;
}
