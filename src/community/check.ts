// What `tally check` proves of the communities: each cleared interval's matches add up to its
// totals, peers bought exactly what peers sold, no member was on both sides of an interval, no
// metering point was in two memberships at one instant (from the stored results alone), and the
// stored matches are those their clearing recorded in the ledger (check-recorded.ts).
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';
import { checkRecordedMatches } from './check-recorded.ts';

const LIMIT = 20;

export async function checkCommunities(db: Db): Promise<Violation[]> {
  const totals = await sql<{ community_id: number; interval_start: Date }>`
    SELECT i.community_id, i.interval_start FROM community_intervals i
    LEFT JOIN LATERAL (
      SELECT coalesce(sum(wh) FILTER (WHERE seller_member_id IS NULL), 0) AS grid_in,
             coalesce(sum(wh) FILTER (WHERE buyer_member_id IS NULL), 0) AS grid_out,
             coalesce(sum(wh) FILTER (WHERE buyer_member_id IS NOT NULL AND seller_member_id IS NOT NULL), 0) AS peer
      FROM community_matches x WHERE x.community_id = i.community_id AND x.interval_start = i.interval_start) m ON true
    WHERE m.grid_in <> i.grid_import_wh OR m.grid_out <> i.grid_export_wh OR m.peer <> i.peer_wh
       OR i.peer_wh > least(i.demand_wh, i.supply_wh)
    ORDER BY 1, 2 LIMIT ${LIMIT}`.execute(db);
  // Over the stored arrays, not the view: an interval's buyers against its sellers, as two sets.
  const bothSides = await sql<{ community_id: number; interval_start: Date; member: number }>`
    SELECT x.community_id, x.interval_start, m.member FROM community_interval_matches x
    CROSS JOIN LATERAL (
      SELECT unnest(x.buyer_member_ids) INTERSECT SELECT unnest(x.seller_member_ids)) AS m(member)
    WHERE m.member IS NOT NULL
    ORDER BY 1, 2, 3 LIMIT ${LIMIT}`.execute(db);
  // A point shared in two memberships at once would have its energy counted in both.
  const twice = await sql<{ point: string; first: number; second: number }>`
    WITH p AS (
      SELECT id, metering_point_id AS point, valid_from, valid_to FROM community_members
      UNION ALL
      SELECT id, export_metering_point_id, valid_from, valid_to FROM community_members
      WHERE export_metering_point_id IS NOT NULL)
    SELECT a.point, a.id AS first, b.id AS second FROM p a JOIN p b ON a.point = b.point AND a.id < b.id
    WHERE tstzrange(a.valid_from, a.valid_to) && tstzrange(b.valid_from, b.valid_to)
    ORDER BY 1, 2, 3 LIMIT ${LIMIT}`.execute(db);
  return [
    ...twice.rows.map((r) => ({
      rule: 'community_point_once',
      detail: `metering point ${r.point} is in members ${r.first} and ${r.second} at the same time`,
    })),
    ...totals.rows.map((r) => ({
      rule: 'community_energy_balances',
      detail:
        `community ${r.community_id}, interval ${r.interval_start.toISOString()}: ` +
        'its matches do not add up to its grid and peer totals',
    })),
    ...bothSides.rows.map((r) => ({
      rule: 'community_one_side',
      detail:
        `community ${r.community_id}, interval ${r.interval_start.toISOString()}: ` +
        `member ${r.member} both bought and sold`,
    })),
    ...(await checkRecordedMatches(db)),
  ];
}
