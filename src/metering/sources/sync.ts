// Reading a meter data source into Tally on a schedule: for every metering point the source has
// authorised and Tally knows, import the whole days after the last imported one, up to today.
import { sql } from 'kysely';
import type { Db } from '../../platform/database.ts';
import { TallyError } from '../../platform/errors.ts';
import { importReadings } from '../readings.ts';
import { metering } from '../tables.ts';
import type { MeterDataSource } from './source.ts';

const DAY_MS = 24 * 3_600_000;
/** How far back a point never imported before is read. */
const FIRST_SYNC_DAYS = 30;
/** Days per request: DataHubs cap the span of one time-series request. */
const SPAN_DAYS = 30;

const startOfDay = (t: number) => new Date(Math.floor(t / DAY_MS) * DAY_MS);

export interface SyncResult {
  points: number;
  inserted: number;
  unchanged: number;
  revised: number;
  refused: Array<{ metering_point_id: string; error: string }>;
}

/**
 * One sync of one source. Each span is imported, then the point's watermark moves past it; if
 * the process stops in between, the next sync sends the same readings again, which changes
 * nothing. A point whose readings Tally refuses (say, a revision of an hour that already has
 * certificates) keeps its watermark and is reported; the other points go on.
 */
export async function syncSource(db: Db, source: MeterDataSource, now: Date): Promise<SyncResult> {
  const authorised = await source.authorisedPoints();
  const known =
    authorised.length === 0
      ? []
      : await metering(db)
          .selectFrom('metering_points')
          .select('id')
          .where(
            'id',
            'in',
            authorised.map((p) => p.id),
          )
          .orderBy('id')
          .execute();
  const name = `datahub:${source.name}`;
  const today = startOfDay(now.getTime());
  const result: SyncResult = { points: known.length, inserted: 0, unchanged: 0, revised: 0, refused: [] };
  for (const { id } of known) {
    const row = await metering(db)
      .selectFrom('meter_source_state')
      .select('imported_until')
      .where('source', '=', source.name)
      .where('metering_point_id', '=', id)
      .executeTakeFirst();
    let from = row?.imported_until ?? new Date(today.getTime() - FIRST_SYNC_DAYS * DAY_MS);
    while (from < today) {
      const to = new Date(Math.min(today.getTime(), from.getTime() + SPAN_DAYS * DAY_MS));
      const readings = (await source.readings([id], from, to)).get(id) ?? [];
      try {
        const r = await importReadings(db, null, new Map([[id, readings]]), name, now);
        result.inserted += r.inserted;
        result.unchanged += r.unchanged;
        result.revised += r.revised;
      } catch (err) {
        if (!(err instanceof TallyError)) throw err;
        result.refused.push({ metering_point_id: id, error: err.message });
        break;
      }
      await sql`INSERT INTO meter_source_state (source, metering_point_id, imported_until)
        VALUES (${source.name}, ${id}, ${to.toISOString()}::timestamptz)
        ON CONFLICT (source, metering_point_id)
          DO UPDATE SET imported_until = excluded.imported_until, synced_at = now()`.execute(db);
      from = to;
    }
  }
  return result;
}
