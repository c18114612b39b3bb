// Uploaded data of resources not bound to a metering point: stored as sent (value, units,
// interval), one value per time, a later upload replacing an earlier one at the same time.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { badRequest, conflict } from '../platform/errors.ts';
import { keyset, type Page, type PageRequest } from '../platform/pagination.ts';
import { checkPeriod } from '../platform/period.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { ownedResource, readableResource } from './resources.ts';
import type { SeriesInput, StoredPointView } from './schemas.ts';
import { market } from './tables.ts';

const MINUTE_MS = 60_000;

/** Each value must start on its interval's grid in UTC, and a time appears once per upload. */
function checkPoints(series: SeriesInput): Date[] {
  const step = series.time_interval * MINUTE_MS;
  const seen = new Set<number>();
  return series.points.map((p, i) => {
    const t = new Date(p.datetime);
    const field = `body/points/${i}/datetime`;
    if (t.getTime() % step !== 0)
      throw badRequest(
        'off_interval_grid',
        `${p.datetime} does not start a ${series.time_interval}-minute interval`,
        field,
      );
    if (seen.has(t.getTime())) throw badRequest('duplicate_datetime', `${p.datetime} appears twice`, field);
    seen.add(t.getTime());
    return t;
  });
}

export async function uploadSeries(
  db: Db,
  principal: Principal,
  resourceId: string,
  series: SeriesInput,
): Promise<{ written: number; replaced: number }> {
  const times = checkPoints(series);
  return db.transaction().execute(async (trx) => {
    const resource = await ownedResource(trx, principal, resourceId);
    if (resource.metering_point_id !== null)
      throw conflict(
        'resource_bound_to_point',
        `resource ${resource.id} takes its series from metering point ${resource.metering_point_id}`,
      );
    if (series.points.length === 0) return { written: 0, replaced: 0 };
    // One statement for the whole upload; `xmax <> 0` marks a row an earlier upload had written.
    const { rows } = await sql<{ replaced: boolean }>`
      INSERT INTO market_data (resource_id, datetime, value, units, time_interval)
      SELECT ${resource.id}::uuid, t, v, ${series.units}, ${series.time_interval}
      FROM unnest(${times.map((t) => t.toISOString())}::timestamptz[], ${series.points.map((p) => p.value)}::float8[]) AS u(t, v)
      ON CONFLICT (resource_id, datetime) DO UPDATE
        SET value = excluded.value, units = excluded.units, time_interval = excluded.time_interval
      RETURNING xmax <> 0 AS replaced`.execute(trx);
    const replaced = rows.filter((r) => r.replaced).length;
    await appendEvent(trx, {
      type: 'market.data.uploaded',
      subject_type: 'market_resource',
      subject_id: resource.id,
      actor_id: principal.userId,
      // [start, value] as sent, so the series can be rebuilt from the log.
      payload: {
        resource_id: resource.id,
        units: series.units,
        time_interval: series.time_interval,
        points: series.points.map((p, i) => [times[i]?.toISOString(), p.value]),
      },
    });
    return { written: rows.length, replaced };
  });
}

const byTime = keyset({ t: 'time' });

/** The resource's uploaded values starting in [from, to), in time order, as they were sent. */
export async function readSeries(
  db: Db,
  principal: Principal,
  resourceId: string,
  period: { from: Date; to: Date },
  page: PageRequest,
): Promise<Page<StoredPointView>> {
  checkPeriod(period.from, period.to, 'querystring/to', { bounded: true });
  const resource = await readableResource(db, principal, resourceId);
  const after = byTime.after(page);
  let query = market(db)
    .selectFrom('market_data')
    .select(['datetime', 'value', 'units', 'time_interval'])
    .where('resource_id', '=', resource.id)
    .where('datetime', '>=', period.from)
    .where('datetime', '<', period.to);
  if (after !== undefined) query = query.where('datetime', '>', after.t);
  const rows = await query
    .orderBy('datetime')
    .limit(page.limit + 1)
    .execute();
  const points = rows.map((r) => ({
    datetime: r.datetime.toISOString(),
    value: r.value,
    units: r.units,
    time_interval: r.time_interval,
  }));
  return byTime.page(points, page.limit, (p) => ({ t: new Date(p.datetime) }));
}
