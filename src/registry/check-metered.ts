// Invariants that tie certificates to metering, for `tally check`: no hour of metered production
// has more live certificates than it metered, across every device its points ever fed, and no
// device has two issuances (other than a re-issue) for overlapping time.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import type { Violation } from '../platform/violation.ts';
import { utcHour } from '../platform/utc-hour.ts';

const LIMIT = 20;

/**
 * Groups production points and devices that ever fed one another (now, by the ledger's history of
 * links, or by a recorded issuance) into connected sets: a metered hour counted twice shows up
 * only when every device that could have issued it is summed against every point that metered it.
 */
async function fedGroups(db: Db): Promise<{ points: Map<string, number>; devices: Map<number, number> }> {
  const { rows } = await sql<{ point: string; device: number }>`
    SELECT p.id AS point, p.device_id AS device FROM metering_points p
    WHERE p.type = 'production' AND p.device_id IS NOT NULL
    UNION
    SELECT e.subject_id, (e.payload->>'device_id')::bigint
    FROM events e JOIN metering_points p ON p.id = e.subject_id AND p.type = 'production'
    WHERE e.type IN ('metering_point.created', 'metering_point.updated') AND e.payload->>'device_id' IS NOT NULL
    UNION
    SELECT h.metering_point_id, i.device_id FROM issued_point_hours h JOIN issuances i ON i.id = h.issuance_id`.execute(
    db,
  );
  // Union-find over "point:<id>" and "device:<id>" nodes.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = parent.get(x) ?? x;
    while ((parent.get(root) ?? root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const r of rows) parent.set(find(`point:${r.point}`), find(`device:${r.device}`));
  const ids = new Map<string, number>();
  const group = (node: string) => {
    const root = find(node);
    if (!ids.has(root)) ids.set(root, ids.size);
    return ids.get(root)!;
  };
  return {
    points: new Map(rows.map((r) => [r.point, group(`point:${r.point}`)])),
    devices: new Map(rows.map((r) => [r.device, group(`device:${r.device}`)])),
  };
}

/**
 * For every group and UTC hour with live certificates: their Wh are at most the Wh its points
 * metered in that hour. Hours without readings and without a recorded issuance from a point are
 * left out: a device may have had certificates for them before any point fed it.
 */
async function issuedWithinMetered(db: Db): Promise<Violation[]> {
  const { points, devices } = await fedGroups(db);
  if (devices.size === 0) return [];
  const { rows } = await sql<{ hour: Date; live: string; metered: string; devices: number[]; points: string[] }>`
    WITH pg AS (SELECT * FROM unnest(${[...points.keys()]}::text[], ${[...points.values()]}::int[]) AS t(point, grp)),
    dg AS (SELECT * FROM unnest(${[...devices.keys()]}::bigint[], ${[...devices.values()]}::int[]) AS t(device, grp)),
    live AS (
      SELECT dg.grp, ${utcHour(sql`b.production_starting_interval`)} AS hour, sum(b.bundle_quantity) AS wh,
             array_agg(DISTINCT dg.device ORDER BY dg.device) AS devices
      FROM dg JOIN bundles b ON b.device_id = dg.device
      WHERE b.certificate_bundle_status <> 'withdrawn' AND b.sdr_id IS NULL GROUP BY 1, 2),
    metered AS (
      SELECT l.grp, l.hour, coalesce(sum(r.wh), 0) AS wh, count(r.wh) AS readings,
             array_agg(DISTINCT pg.point ORDER BY pg.point) AS points
      FROM live l JOIN pg ON pg.grp = l.grp
      LEFT JOIN readings r ON r.metering_point_id = pg.point
        AND r.interval_start >= l.hour AND r.interval_start < l.hour + interval '1 hour'
      GROUP BY 1, 2)
    SELECT l.hour, l.wh::text AS live, m.wh::text AS metered, l.devices, m.points
    FROM live l JOIN metered m ON m.grp = l.grp AND m.hour = l.hour
    WHERE l.wh > m.wh AND (m.readings > 0 OR EXISTS (
      SELECT 1 FROM issued_point_hours h JOIN pg ON pg.point = h.metering_point_id
      WHERE pg.grp = l.grp AND h.hour_start = l.hour))
    ORDER BY l.hour LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'issued_within_metered',
    detail:
      `metering point${r.points.length > 1 ? 's' : ''} ${r.points.join(', ')} at ${r.hour.toISOString()}: ` +
      `${r.live} Wh live for ${r.metered} Wh metered (devices ${r.devices.join(', ')})`,
  }));
}

/**
 * A device's original issuances never overlap in time; a re-issue repeats the interval of the bundle
 * it replaces, SD-GCs carry the production hours of the charge they came from (the storage module's
 * check holds them to it), and imported issuances have no device: imports keep their origin ranges
 * apart instead.
 */
async function issuancesDisjoint(db: Db): Promise<Violation[]> {
  const { rows } = await sql<{ device_id: number; start: Date; prev_start: Date }>`
    SELECT device_id, start, prev_start FROM (
      SELECT device_id, production_starting_interval AS start, lag(production_starting_interval) OVER w AS prev_start,
             lag(production_ending_interval) OVER w AS prev_end
      FROM issuances WHERE reissue_of_bundle_id IS NULL AND device_id IS NOT NULL AND storage_allocation_id IS NULL
      WINDOW w AS (PARTITION BY device_id ORDER BY production_starting_interval)) t
    WHERE prev_end > start ORDER BY device_id, start LIMIT ${LIMIT}`.execute(db);
  return rows.map((r) => ({
    rule: 'issuances_disjoint',
    detail:
      `device ${r.device_id}: the issuance of ${r.start.toISOString()} ` +
      `overlaps the one of ${r.prev_start.toISOString()}`,
  }));
}

/** Every metering invariant of the registry; an empty list means all hold. */
export async function checkMetered(db: Db): Promise<Violation[]> {
  return [...(await issuedWithinMetered(db)), ...(await issuancesDisjoint(db))];
}
