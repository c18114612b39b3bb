// Uploaded data of resources not bound to a metering point: stored as sent (value, units,
// interval), one value per time, a later upload replacing an earlier one at the same time.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { badRequest, conflict } from '../platform/errors.ts';
import { keyset, type Page, type PageRequest } from '../platform/pagination.ts';
import { checkPeriod } from '../platform/period.ts';
import { type Principal, readsEverything } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { ownedResource, readableResource } from './resources.ts';
import { type SeriesInput, type StoredPointView, UUID_PATTERN } from './schemas.ts';
import { market, type ResourceType, type TimeInterval, type Units } from './tables.ts';

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
  now: Date,
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
      INSERT INTO market_data (resource_id, datetime, value, units, time_interval, registered_at)
      SELECT ${resource.id}::uuid, t, v, ${series.units}, ${series.time_interval}, ${now.toISOString()}::timestamptz
      FROM unnest(${times.map((t) => t.toISOString())}::timestamptz[], ${series.points.map((p) => p.value)}::float8[]) AS u(t, v)
      ON CONFLICT (resource_id, datetime) DO UPDATE
        SET value = excluded.value, units = excluded.units, time_interval = excluded.time_interval,
            registered_at = excluded.registered_at
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

/** An uploaded value with the resource it belongs to, as the DSBI face lists them. */
export interface DataRow {
  resource_id: string;
  resource_name: string;
  resource_type: ResourceType;
  datetime: Date;
  value: number;
  units: Units;
  time_interval: TimeInterval;
  registered_at: Date;
}

const byTimeAndResource = keyset({ t: 'time', resource: new RegExp(UUID_PATTERN) });

/**
 * Uploaded values of every live resource the caller may read (its own; every user's for roles that
 * read everything, or one user's), starting in [from, to), in time order.
 */
export async function listData(
  db: Db,
  principal: Principal,
  filter: { user_id?: number | undefined; resource_id?: string | undefined; from?: Date; to?: Date },
  page: PageRequest,
): Promise<Page<DataRow>> {
  let query = market(db)
    .selectFrom('market_data as d')
    .innerJoin('market_resources as r', 'r.id', 'd.resource_id')
    .select([
      'd.resource_id',
      'r.name as resource_name',
      'r.type as resource_type',
      'd.datetime',
      'd.value',
      'd.units',
      'd.time_interval',
      'd.registered_at',
    ])
    .where('r.deleted_at', 'is', null);
  if (!readsEverything(principal)) query = query.where('r.user_id', '=', principal.userId);
  else if (filter.user_id !== undefined) query = query.where('r.user_id', '=', filter.user_id);
  if (filter.resource_id !== undefined) query = query.where('d.resource_id', '=', filter.resource_id.toLowerCase());
  if (filter.from !== undefined) query = query.where('d.datetime', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('d.datetime', '<', filter.to);
  const after = byTimeAndResource.after(page);
  if (after !== undefined)
    query = query.where((e) =>
      e.or([
        e('d.datetime', '>', after.t),
        e.and([e('d.datetime', '=', after.t), e('d.resource_id', '>', after.resource)]),
      ]),
    );
  const rows = await query
    .orderBy('d.datetime')
    .orderBy('d.resource_id')
    .limit(page.limit + 1)
    .execute();
  return byTimeAndResource.page(rows, page.limit, (r) => ({ t: r.datetime, resource: r.resource_id }));
}

/**
 * The units each resource's data came in: those of its latest uploaded value; W for a resource
 * bound to a metering point or with no data yet (the hourly series the engine forecasts are in W).
 */
export async function resourceUnits(db: Db, resourceIds: string[]): Promise<Map<string, Units>> {
  const ids = [...new Set(resourceIds.map((id) => id.toLowerCase()))];
  const units = new Map<string, Units>(ids.map((id) => [id, 'w']));
  if (ids.length === 0) return units;
  const { rows } = await sql<{ resource_id: string; units: Units }>`
    SELECT DISTINCT ON (resource_id) resource_id, units FROM market_data
    WHERE resource_id = ANY(${ids}::uuid[])
    ORDER BY resource_id, datetime DESC`.execute(db);
  for (const r of rows) units.set(r.resource_id, r.units);
  return units;
}
