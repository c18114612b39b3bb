// Each resource's hourly mean power in W over a session's history window: from its metering
// point's readings when bound to one (no second upload), else from its uploaded values in any
// units and interval length. Hours nothing covers are NaN; the engine fills them (fillGaps).
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { hourlyProduction } from '../metering/index.ts';
import type { ResourceRow } from './tables.ts';
import { utcHour } from '../platform/utc-hour.ts';

const HOUR_MS = 3_600_000;

export async function hourlySeries(
  db: Db,
  resources: ResourceRow[],
  start: Date,
  hours: number,
): Promise<Map<string, Float64Array>> {
  const end = new Date(start.getTime() + hours * HOUR_MS);
  const series = new Map(resources.map((r) => [r.id, new Float64Array(hours).fill(Number.NaN)]));
  const put = (id: string, hour: Date, watts: number) => {
    const i = (hour.getTime() - start.getTime()) / HOUR_MS;
    const values = series.get(id);
    if (values && i >= 0 && i < hours) values[i] = watts;
  };
  const uploaded = resources.filter((r) => r.metering_point_id === null).map((r) => r.id);
  if (uploaded.length > 0) {
    // The hour's mean over the minutes its values cover, each value weighted by its interval.
    const { rows } = await sql<{ resource_id: string; hour: Date; watts: number }>`
      SELECT resource_id, ${utcHour(sql`datetime`)} AS hour,
             sum(value * CASE units WHEN 'w' THEN 1 WHEN 'kw' THEN 1e3 ELSE 1e6 END * time_interval)
               / sum(time_interval) AS watts
      FROM market_data
      WHERE resource_id = ANY(${uploaded}::uuid[])
        AND datetime >= ${start.toISOString()}::timestamptz AND datetime < ${end.toISOString()}::timestamptz
      GROUP BY 1, 2`.execute(db);
    for (const r of rows) put(r.resource_id, r.hour, Number(r.watts));
  }
  for (const r of resources) {
    if (r.metering_point_id === null) continue;
    // A point's Wh in a whole hour is its mean power in W over that hour; a partial hour is unknown.
    for (const h of await hourlyProduction(db, [r.metering_point_id], { from: start, to: end }))
      if (h.complete) put(r.id, h.start, h.wh);
  }
  return series;
}
