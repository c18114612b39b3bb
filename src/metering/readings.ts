// Importing and reading meter readings. Re-sending a reading changes nothing; a changed value is a
// revision, its old value kept in reading_revisions; a revision of an hour issued from the point
// that still has live certificates is refused until the issuing body withdraws them.
import { sql } from 'kysely';
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, notFound, unprocessable } from '../platform/errors.ts';
import { registrableAccount } from '../accounts/index.ts';
import { certificates } from './certificates.ts';
import type { ReadingInput } from './csv.ts';
import { MAX_READING_WH } from './limits.ts';
import { countImported } from './metrics.ts';
import { readablePoint } from './points.ts';
import type { ImportResult, Reading as ReadingSchema } from './schemas.ts';
import { metering, READING_MINUTES, type MeteringPointRow, type Quality, type ReadingRow } from './tables.ts';
import { checkPeriod } from '../platform/period.ts';
import { keyset, type Page, type PageRequest } from '../platform/pagination.ts';
import { utcHour } from '../platform/utc-hour.ts';

const MINUTE_MS = 60_000;
const LENGTHS_MS = new Set(READING_MINUTES.map((m) => m * MINUTE_MS));

interface Reading {
  start: Date;
  end: Date;
  wh: number;
  quality: Quality;
  at: string;
}

/**
 * Checks each reading alone and against the others of the same point; returns them sorted by
 * start. Every way in (JSON, CSV, a file, a DataHub sync) comes through here.
 */
function checkReadings(point: MeteringPointRow, inputs: ReadingInput[], at: Date): Reading[] {
  const now = at.getTime();
  const readings = inputs.map((r) => {
    const start = new Date(r.interval_start_datetime);
    const end = new Date(r.interval_end_datetime);
    if (Number.isNaN(start.getTime()))
      throw badRequest(
        'invalid_reading',
        `${r.at}: interval_start_datetime is not a timestamp`,
        `${r.at}/interval_start_datetime`,
      );
    if (Number.isNaN(end.getTime()))
      throw badRequest(
        'invalid_reading',
        `${r.at}: interval_end_datetime is not a timestamp`,
        `${r.at}/interval_end_datetime`,
      );
    if (end.getTime() > now)
      throw unprocessable(
        'future_reading',
        `${r.at}: the interval has not ended yet; a meter reads only the past`,
        `${r.at}/interval_end_datetime`,
      );
    const length = end.getTime() - start.getTime();
    if (!LENGTHS_MS.has(length))
      throw badRequest(
        'invalid_reading',
        `${r.at}: an interval lasts 15, 30 or 60 minutes`,
        `${r.at}/interval_end_datetime`,
      );
    // Aligned to their own length in UTC, so every reading falls inside one hour of issuance.
    if (start.getTime() % length !== 0)
      throw badRequest(
        'invalid_reading',
        `${r.at}: a ${length / MINUTE_MS}-minute interval starts on a multiple of ${length / MINUTE_MS} minutes`,
        `${r.at}/interval_start_datetime`,
      );
    if (!Number.isSafeInteger(r.interval_usage))
      throw badRequest(
        'invalid_reading',
        `${r.at}: interval_usage is not a whole number of Wh`,
        `${r.at}/interval_usage`,
      );
    if (Math.abs(r.interval_usage) > MAX_READING_WH)
      throw badRequest(
        'invalid_reading',
        `${r.at}: interval_usage is beyond the ${MAX_READING_WH} Wh one reading may hold`,
        `${r.at}/interval_usage`,
      );
    if (r.interval_usage < 0 && point.type !== 'storage')
      throw badRequest('invalid_reading', `${r.at}: a ${point.type} reading is not negative`, `${r.at}/interval_usage`);
    return { start, end, wh: r.interval_usage, quality: r.quality ?? 'measured', at: r.at };
  });
  readings.sort((a, b) => a.start.getTime() - b.start.getTime());
  for (let k = 1; k < readings.length; k++) {
    if (readings[k]!.start < readings[k - 1]!.end)
      throw badRequest(
        'overlapping_intervals',
        `${readings[k - 1]!.at} and ${readings[k]!.at} overlap`,
        readings[k]!.at,
      );
  }
  return readings;
}

/** Sorts the readings into new, unchanged and revised against what the point already has. */
async function classify(db: Db, point: MeteringPointRow, readings: Reading[]) {
  const first = readings[0]!,
    last = readings[readings.length - 1]!;
  const existing = await metering(db)
    .selectFrom('readings')
    .selectAll()
    .where('metering_point_id', '=', point.id)
    .where('interval_start', '>', new Date(first.start.getTime() - 60 * MINUTE_MS))
    .where('interval_start', '<', last.end)
    .orderBy('interval_start')
    .execute();
  const byStart = new Map(existing.map((e) => [e.interval_start.getTime(), e]));
  const fresh: Reading[] = [],
    revised: Array<{ reading: Reading; before: ReadingRow }> = [];
  let unchanged = 0;
  // Both lists are sorted by start and neither overlaps itself: one pointer finds any clash.
  let e = 0;
  for (const r of readings) {
    while (e < existing.length && existing[e]!.interval_end <= r.start) e++;
    const same = byStart.get(r.start.getTime());
    if (same && same.interval_end.getTime() === r.end.getTime()) {
      if (same.wh === r.wh) unchanged++;
      else revised.push({ reading: r, before: same });
      continue;
    }
    const clash = existing[e] !== undefined && existing[e]!.interval_start < r.end ? existing[e] : undefined;
    if (clash)
      throw conflict(
        'overlapping_readings',
        `${r.at} overlaps the stored reading ` +
          `${clash.interval_start.toISOString()}–${clash.interval_end.toISOString()} of a different length`,
      );
    fresh.push(r);
  }
  return { fresh, revised, unchanged };
}

/**
 * A revision may not change production issued from this point while its certificates are live,
 * whichever device the point feeds now. The caller holds the point's row lock, which issuance
 * from the point takes too, so an issuance in flight is either seen here or sees the revision.
 */
async function refuseIssuedRevisions(
  db: Db,
  point: MeteringPointRow,
  revised: Array<{ reading: Reading }>,
): Promise<void> {
  if (revised.length === 0) return;
  const from = revised[0]!.reading.start,
    to = revised[revised.length - 1]!.reading.end;
  const live = await certificates().liveIssuedHours(db, point.id, from, to);
  for (const { reading } of revised) {
    const hit = live.find((i) => i.start < reading.end && i.end > reading.start);
    if (hit) {
      throw conflict(
        'reading_issued',
        `${reading.at}: ${reading.start.toISOString()} already has certificates ` +
          `(bundles ${hit.bundle_ids.join(', ')}); the issuing body must withdraw them before the reading is revised`,
      );
    }
  }
}

/** The point, locked, if `principal` may write its readings; a null principal is Tally's own DataHub sync. */
export async function writablePoint(trx: Db, principal: Principal | null, pointId: string): Promise<MeteringPointRow> {
  if (principal === null) {
    const point = await metering(trx)
      .selectFrom('metering_points')
      .selectAll()
      .where('id', '=', pointId)
      .forUpdate()
      .executeTakeFirst();
    if (!point) throw notFound('metering_point', pointId);
    return point;
  }
  const point = await readablePoint(trx, principal, pointId, { forUpdate: true });
  await registrableAccount(trx, principal, point.account_id);
  return point;
}

async function importForPoint(
  trx: Db,
  principal: Principal | null,
  pointId: string,
  inputs: ReadingInput[],
  source: string,
  now: Date,
): Promise<ImportResult> {
  const point = await writablePoint(trx, principal, pointId);
  const readings = checkReadings(point, inputs, now);
  if (readings.length === 0) return { inserted: 0, unchanged: 0, revised: 0 };
  const { fresh, revised, unchanged } = await classify(trx, point, readings);
  await refuseIssuedRevisions(trx, point, revised);

  const column = (rs: Reading[]) => ({
    s: rs.map((r) => r.start.toISOString()),
    e: rs.map((r) => r.end.toISOString()),
    wh: rs.map((r) => r.wh),
    q: rs.map((r) => r.quality),
  });
  if (fresh.length) {
    const c = column(fresh);
    await sql`INSERT INTO readings (metering_point_id, interval_start, interval_end, wh, quality, source)
      SELECT ${point.id}, s, e, wh, q, ${source}
      FROM unnest(${c.s}::timestamptz[], ${c.e}::timestamptz[], ${c.wh}::bigint[], ${c.q}::text[])
        AS t(s, e, wh, q)`.execute(trx);
  }
  if (revised.length) {
    const c = column(revised.map((r) => r.reading));
    await sql`INSERT INTO reading_revisions
        (metering_point_id, interval_start, interval_end, wh, quality, source, revision, recorded_at)
      SELECT metering_point_id, interval_start, interval_end, wh, quality, source, revision, recorded_at FROM readings
      WHERE metering_point_id = ${point.id} AND interval_start = ANY(${c.s}::timestamptz[])`.execute(trx);
    await sql`UPDATE readings r
      SET wh = t.wh, quality = CASE WHEN t.q = 'measured' THEN 'revised' ELSE t.q END, source = ${source},
        revision = r.revision + 1, recorded_at = now()
      FROM unnest(${c.s}::timestamptz[], ${c.wh}::bigint[], ${c.q}::text[]) AS t(s, wh, q)
      WHERE r.metering_point_id = ${point.id} AND r.interval_start = t.s`.execute(trx);
  }
  if (fresh.length || revised.length) {
    const row = (r: Reading) => [r.start.toISOString(), r.end.toISOString(), r.wh, r.quality];
    await appendEvent(trx, {
      type: 'readings.imported',
      subject_type: 'metering_point',
      subject_id: point.id,
      account_ids: [point.account_id],
      actor_id: principal?.userId ?? null,
      // [interval start, interval end, Wh, quality as sent]
      payload: {
        metering_point_id: point.id,
        source,
        inserted: fresh.map(row),
        revised: revised.map(({ reading }) => row(reading)),
      },
    });
  }
  return { inserted: fresh.length, unchanged, revised: revised.length };
}

/**
 * Imports readings for one or more metering points, all or nothing: one bad row, or one refused
 * revision, and nothing of the request is written. `principal` null is Tally itself (a DataHub
 * source it was configured to read), which needs no account rights. A reading of an interval not
 * over at `now` is refused.
 */
export async function importReadings(
  db: Db,
  principal: Principal | null,
  byPoint: Map<string, ReadingInput[]>,
  source: string,
  now: Date,
): Promise<ImportResult> {
  const total = await db.transaction().execute(async (trx) => {
    const total: ImportResult = { inserted: 0, unchanged: 0, revised: 0 };
    // Points in a fixed order, so two concurrent imports lock them in the same order.
    for (const pointId of [...byPoint.keys()].sort()) {
      const r = await importForPoint(trx, principal, pointId, byPoint.get(pointId)!, source, now);
      total.inserted += r.inserted;
      total.unchanged += r.unchanged;
      total.revised += r.revised;
    }
    return total;
  });
  countImported(total);
  return total;
}

/** The static type of the answer schema (schemas.ts), so the two cannot drift. */
export type ReadingView = Static<typeof ReadingSchema>;

/** A point's readings are listed by interval start, unique per point. */
const byStart = keyset({ t: 'time' });

export async function listReadings(
  db: Db,
  principal: Principal,
  pointId: string,
  from: Date,
  to: Date,
  page: PageRequest,
): Promise<Page<ReadingView>> {
  checkPeriod(from, to, 'querystring/to');
  const point = await readablePoint(db, principal, pointId);
  let query = metering(db)
    .selectFrom('readings')
    .selectAll()
    .where('metering_point_id', '=', pointId)
    .where('interval_start', '>=', from)
    .where('interval_start', '<', to);
  const after = byStart.after(page);
  if (after !== undefined) query = query.where('interval_start', '>', after.t);
  const rows = await query
    .orderBy('interval_start')
    .limit(page.limit + 1)
    .execute();
  const { items, next_cursor } = byStart.page(rows, page.limit, (r) => ({ t: r.interval_start }));
  const first = items[0],
    last = items[items.length - 1];
  // Only the hours this page touches.
  const live =
    first && last ? await certificates().liveIssuedHours(db, point.id, first.interval_start, last.interval_end) : [];
  return {
    items: items.map((r) => {
      const bundles = live
        .filter((i) => i.start < r.interval_end && i.end > r.interval_start)
        .flatMap((i) => i.bundle_ids);
      return {
        interval_start_datetime: r.interval_start.toISOString(),
        interval_end_datetime: r.interval_end.toISOString(),
        interval_usage: r.wh,
        quality: r.quality,
        source: r.source,
        revision: r.revision,
        issued: bundles.length > 0,
        bundle_ids: bundles,
      };
    }),
    next_cursor,
  };
}

/**
 * Production of one UTC hour. `peak` is the largest single reading at its hourly rate (a quarter
 * hour's Wh × 4), so a reading beyond its own interval's capacity shows even when the hour's sum fits.
 */
export interface MeteredHour {
  start: Date;
  wh: number;
  peak: number;
  complete: boolean;
}

/**
 * Production per UTC hour (starting in [from, to) when given), summed over the given production
 * points. An hour is complete when every one of those points has readings covering all of it.
 * Readings within MAX_READING_WH never reach 2^53 here; rows stored before that bound existed
 * are capped at the largest safe integer, which no real capacity allows, so such an hour is
 * shown as over capacity instead of failing every caller.
 */
export async function hourlyProduction(
  db: Db,
  pointIds: string[],
  within?: { from: Date; to: Date },
): Promise<MeteredHour[]> {
  if (pointIds.length === 0) return [];
  const period = within
    ? sql`AND interval_start >= ${within.from.toISOString()}::timestamptz
          AND interval_start < ${within.to.toISOString()}::timestamptz`
    : sql``;
  const { rows } = await sql<{ start: Date; wh: number; peak: number; seconds: number; points: number }>`
    SELECT hour AS start, least(sum(wh), ${Number.MAX_SAFE_INTEGER})::bigint AS wh,
           least(max(peak), ${Number.MAX_SAFE_INTEGER})::bigint AS peak,
           min(seconds)::bigint AS seconds, count(*)::bigint AS points FROM (
      SELECT ${utcHour(sql`interval_start`)} AS hour, metering_point_id, sum(wh) AS wh,
             max(wh * (3600 / extract(epoch FROM interval_end - interval_start)::bigint)) AS peak,
             sum(extract(epoch FROM interval_end - interval_start)) AS seconds
      FROM readings WHERE metering_point_id = ANY(${pointIds}::text[]) ${period}
      GROUP BY 1, 2) per_point
    GROUP BY hour ORDER BY hour`.execute(db);
  return rows.map((r) => ({
    start: r.start,
    wh: r.wh,
    peak: r.peak,
    complete: r.points === pointIds.length && r.seconds === 3600,
  }));
}

/** Consumption per UTC hour over the given points, [from, to). */
export async function hourlyConsumption(
  db: Db,
  pointIds: string[],
  from: Date,
  to: Date,
): Promise<Array<{ hour: Date; wh: number }>> {
  if (pointIds.length === 0) return [];
  const { rows } = await sql<{ hour: Date; wh: number }>`
    SELECT ${utcHour(sql`interval_start`)} AS hour, sum(wh)::bigint AS wh FROM readings
    WHERE metering_point_id = ANY(${pointIds}::text[])
      AND interval_start >= ${from.toISOString()}::timestamptz AND interval_start < ${to.toISOString()}::timestamptz
    GROUP BY 1 ORDER BY 1`.execute(db);
  return rows;
}

/**
 * Where a point's interval readings (starting in [from, to), when given) end, or undefined without
 * any: where metering resumes.
 */
export async function readingsEnd(
  db: Db,
  pointId: string,
  within?: { from: Date; to: Date },
): Promise<Date | undefined> {
  let query = metering(db)
    .selectFrom('readings')
    .select((eb) => eb.fn.max('interval_end').as('end'))
    .where('metering_point_id', '=', pointId);
  if (within) query = query.where('interval_start', '>=', within.from).where('interval_start', '<', within.to);
  const row = await query.executeTakeFirst();
  return row?.end ? new Date(row.end) : undefined;
}
