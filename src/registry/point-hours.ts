// Which metered hours each issuance consumed, per production metering point (issued_point_hours).
// An hour of metered production is issued at most once, whatever device the point feeds later and
// whichever path issues it: every issuance of a metered device claims its point hours here under
// the points' row locks, and the table's primary key refuses a second claim.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { conflict, unprocessable } from '../platform/errors.ts';
import {
  formerProductionPoints,
  hourlyProduction,
  type LiveIssuedHour,
  lockPoints,
  productionPoints,
} from '../metering/index.ts';
import { type Interval, overCapacity } from './capacity.ts';
import type { DeviceRow } from './tables.ts';

const HOUR_MS = 3_600_000;

interface Claimed {
  metering_point_id: string;
  hour_start: Date;
  issuance_id: number;
  device_id: number;
}

/**
 * The point hours starting in [from, to) already issued from any of `points`, with the issuance and
 * device that took them.
 */
export async function issuedPointHours(db: Db, points: string[], from: Date, to: Date): Promise<Claimed[]> {
  if (points.length === 0) return [];
  const { rows } = await sql<Claimed>`
    SELECT h.metering_point_id, h.hour_start, h.issuance_id, i.device_id
    FROM issued_point_hours h JOIN issuances i ON i.id = h.issuance_id
    WHERE h.metering_point_id = ANY(${points}::text[])
      AND h.hour_start >= ${from.toISOString()}::timestamptz AND h.hour_start < ${to.toISOString()}::timestamptz
    ORDER BY h.hour_start, h.metering_point_id`.execute(db);
  return rows;
}

/**
 * The floored Wh metered at `points` in each UTC hour of [from, to), its largest reading at an
 * hourly rate, and whether every point read all of it, by the hour's start in ms.
 */
async function meteredWh(
  db: Db,
  points: string[],
  from: Date,
  to: Date,
): Promise<Map<number, { wh: number; peak: number; complete: boolean }>> {
  return new Map(
    (await hourlyProduction(db, points, { from, to })).map((h) => [
      h.start.getTime(),
      { wh: Math.floor(h.wh), peak: h.peak, complete: h.complete },
    ]),
  );
}

/**
 * Before a device issues intervals (sorted by start): locks the production points feeding it, in id
 * order, and checks that each interval is one whole UTC hour, read in full by every point, without
 * a reading beyond its own interval's capacity, no more than the Wh metered at those points in that
 * hour, and not issued from any of them before, under whatever device. Returns the points, whose
 * hours `recordPointHours` then writes. A device no point feeds any more answers to the points that
 * once fed it, so a point moved away cannot have its hours issued again by hand; one no point ever
 * fed is issued on the issuing body's own evidence.
 */
export async function claimMeteredHours(trx: Db, device: DeviceRow, intervals: Interval[]): Promise<string[]> {
  const current = await productionPoints(trx, device.id, { lock: true });
  const points = current.length ? current : await formerProductionPoints(trx, device.id);
  if (points.length === 0 || intervals.length === 0) return points;
  for (const i of intervals) {
    if (i.start.getTime() % HOUR_MS !== 0 || i.end.getTime() - i.start.getTime() !== HOUR_MS) {
      throw unprocessable(
        'whole_hour_required',
        `device ${device.id} is metered (points ${points.join(', ')}): interval ${i.index} must be one whole UTC hour`,
        `body/intervals/${i.index}/production_starting_interval`,
      );
    }
  }
  const from = intervals[0]!.start,
    to = intervals[intervals.length - 1]!.end;
  const metered = await meteredWh(trx, points, from, to);
  for (const i of intervals) {
    const { wh, peak, complete } = metered.get(i.start.getTime()) ?? { wh: 0, peak: 0, complete: false };
    // The hour is claimed for every point at once: one whose readings are still to come would lose them for good.
    if (!complete)
      throw unprocessable(
        'incomplete_hour',
        `not every point of ${points.join(', ')} has read all of ` +
          `${i.start.toISOString()}; the hour is issued once it has`,
        `body/intervals/${i.index}/production_starting_interval`,
      );
    const limit = overCapacity(device, { start: i.start, end: i.end, wh: peak });
    if (limit !== undefined)
      throw unprocessable(
        'over_capacity',
        `a reading in ${i.start.toISOString()} exceeds the device's capacity ` +
          `for its own interval (${limit} Wh an hour); the hour is not issued`,
        `body/intervals/${i.index}/production_starting_interval`,
      );
    if (i.wh > wh)
      throw unprocessable(
        'over_metered',
        `${i.wh} Wh exceeds the ${wh} Wh metered at points ${points.join(', ')} in ${i.start.toISOString()}`,
        `body/intervals/${i.index}/wh`,
      );
  }
  const taken = new Map((await issuedPointHours(trx, points, from, to)).map((c) => [c.hour_start.getTime(), c]));
  for (const i of intervals) {
    const c = taken.get(i.start.getTime());
    if (c)
      throw conflict(
        'already_issued',
        `${i.start.toISOString()} of metering point ${c.metering_point_id} was already issued ` +
          `(issuance ${c.issuance_id} of device ${c.device_id}), which covers interval ${i.index}`,
      );
  }
  return points;
}

/** Records that the new issuances consumed these hours of `points`. */
export async function recordPointHours(
  trx: Db,
  points: string[],
  issued: Array<{ issuance_id: number; production_starting_interval: string }>,
): Promise<void> {
  if (points.length === 0 || issued.length === 0) return;
  await sql`INSERT INTO issued_point_hours (metering_point_id, hour_start, issuance_id)
    SELECT p, s, i FROM unnest(${points}::text[]) AS p
    CROSS JOIN unnest(${issued.map((r) => r.production_starting_interval)}::timestamptz[],
                      ${issued.map((r) => r.issuance_id)}::bigint[]) AS t(s, i)`.execute(trx);
}

/**
 * A re-issue of a metered hour keeps the hour's point rows: it locks those points and refuses
 * to bring the hour's live Wh above what they metered (the reading may have been revised down
 * while the withdrawn certificates were not live).
 */
export async function checkReissueMetered(trx: Db, deviceId: number, start: Date, liveWh: number): Promise<void> {
  const hour = new Date(start.getTime() - (start.getTime() % HOUR_MS));
  const { rows } = await sql<{ id: string }>`
    SELECT h.metering_point_id AS id FROM issued_point_hours h JOIN issuances o ON o.id = h.issuance_id
    WHERE o.device_id = ${deviceId} AND h.hour_start = ${hour.toISOString()}::timestamptz ORDER BY 1`.execute(trx);
  const points = rows.map((r) => r.id);
  if (points.length === 0) return;
  await lockPoints(trx, points);
  const wh = (await meteredWh(trx, points, hour, new Date(hour.getTime() + HOUR_MS))).get(hour.getTime())?.wh ?? 0;
  if (liveWh > wh)
    throw unprocessable(
      'over_metered',
      `${liveWh} Wh would be live in ${hour.toISOString()}, ` +
        `more than the ${wh} Wh metered at points ${points.join(', ')}`,
      'body/bundle_quantity',
    );
}

/**
 * Hours of a point, starting in [from, to) or the hour before `from`, that were issued from it
 * and still have certificates that are not withdrawn: those of every issuance of that device in
 * that hour, re-issues included, whichever device the point feeds now.
 */
export async function liveIssuedHours(db: Db, pointId: string, from: Date, to: Date): Promise<LiveIssuedHour[]> {
  const { rows } = await sql<LiveIssuedHour>`
    SELECT h.hour_start AS start, h.hour_start + interval '1 hour' AS "end", array_agg(b.id ORDER BY b.id) AS bundle_ids
    FROM issued_point_hours h
    JOIN issuances o ON o.id = h.issuance_id
    JOIN issuances i ON i.device_id = o.device_id AND i.production_starting_interval < h.hour_start + interval '1 hour'
      AND i.production_ending_interval > h.hour_start
    JOIN bundles b ON b.issuance_id = i.id
    WHERE h.metering_point_id = ${pointId} AND h.hour_start > ${from.toISOString()}::timestamptz - interval '1 hour'
      AND h.hour_start < ${to.toISOString()}::timestamptz AND b.certificate_bundle_status <> 'withdrawn'
    GROUP BY h.hour_start ORDER BY h.hour_start`.execute(db);
  return rows;
}
