// Metered energy per point on a grid of equal intervals, for markets that settle interval by
// interval. Two kinds of data feed it:
// - interval readings: a production point exports, a consumption point imports. Finer readings
//   are summed; a coarser one is spread evenly over the intervals it covers (whole Wh, the
//   remainder to the earliest). An interval counts as measured only when readings cover all of it.
// - cumulative import/export registers: an interval's energy is the register at its closing
//   reading (the last one inside it) minus the closing reading of the interval before. When the
//   interval before has no reading, the difference from the last earlier reading is still the
//   member's energy, but it cannot be placed in time, so it is marked `gridOnly` (the original
//   platform books it to the grid). A point's very first reading only sets the baseline.
// A point with register readings in or before the grid is read from its registers alone: mixing
// the two would count a register difference that spans an interval reading twice.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { apportion } from '../platform/apportion.ts';
import type { PointType } from './tables.ts';

export interface IntervalEnergy {
  importWh: number;
  exportWh: number;
  gridOnly: boolean;
}

/** Intervals `[from + k·length, from + (k+1)·length)` for k < count. */
export interface IntervalGrid {
  from: Date;
  count: number;
  minutes: number;
}

/** Per interval: a point's energy, or undefined when the interval has no (complete) data. */
export type EnergySeries = Array<IntervalEnergy | undefined>;
export type EnergyByPoint = Map<string, EnergySeries>;

export async function intervalEnergy(
  db: Db,
  points: Array<{ id: string; type: PointType }>,
  grid: IntervalGrid,
): Promise<EnergyByPoint> {
  const out: EnergyByPoint = new Map(points.map((p) => [p.id, new Array<IntervalEnergy | undefined>(grid.count)]));
  if (points.length === 0 || grid.count === 0) return out;
  const types = new Map(points.map((p) => [p.id, p.type]));
  for (const id of await addRegisters(db, [...types.keys()], grid, out)) types.delete(id);
  if (types.size) await addIntervalReadings(db, types, grid, out);
  return out;
}

async function addIntervalReadings(
  db: Db,
  types: Map<string, PointType>,
  grid: IntervalGrid,
  out: EnergyByPoint,
): Promise<void> {
  const lengthS = grid.minutes * 60;
  const fromS = grid.from.getTime() / 1000;
  const toS = fromS + grid.count * lengthS;
  // One row per point with its readings as arrays: a tenth of the rows to parse for 15-minute data.
  // Each reading is placed by its own start, so the arrays need no order, only to be aligned, which
  // aggregates fed by the same rows are; sorting each of them would triple the query's time.
  const { rows } = await sql<{ id: string; starts: number[]; lengths: number[]; whs: number[] }>`
    SELECT metering_point_id AS id,
           array_agg(date_part('epoch', interval_start)::bigint) AS starts,
           array_agg(date_part('epoch', interval_end - interval_start)::bigint) AS lengths,
           array_agg(wh) AS whs
    FROM readings
    WHERE metering_point_id = ANY(${[...types.keys()]}::text[])
      AND interval_end > to_timestamp(${fromS}) AND interval_start < to_timestamp(${toS})
    GROUP BY metering_point_id`.execute(db);
  for (const r of rows) {
    const exports = types.get(r.id) === 'production';
    const wh = new Array<number>(grid.count).fill(0);
    const covered = new Array<number>(grid.count).fill(0);
    r.starts.forEach((start, k) => {
      const length = r.lengths[k]!;
      const first = Math.floor((start - fromS) / lengthS);
      if (length <= lengthS) {
        // Readings and intervals are aligned to their own lengths, which divide one another.
        if (first >= 0 && first < grid.count) {
          wh[first]! += r.whs[k]!;
          covered[first]! += length;
        }
        return;
      }
      const parts = length / lengthS;
      apportion(r.whs[k]!, new Array<number>(parts).fill(1)).forEach((part, i) => {
        const at = first + i;
        if (at >= 0 && at < grid.count) {
          wh[at]! += part;
          covered[at]! += lengthS;
        }
      });
    });
    const series = out.get(r.id)!;
    for (let k = 0; k < grid.count; k++) {
      if (covered[k] !== lengthS) continue;
      series[k] = exports
        ? { importWh: 0, exportWh: wh[k]!, gridOnly: false }
        : { importWh: wh[k]!, exportWh: 0, gridOnly: false };
    }
  }
}

/** Fills in the points that have register readings; returns their ids. */
async function addRegisters(db: Db, ids: string[], grid: IntervalGrid, out: EnergyByPoint): Promise<string[]> {
  const lengthMs = grid.minutes * 60_000;
  const fromMs = grid.from.getTime();
  const toMs = fromMs + grid.count * lengthMs;
  // Every reading inside the grid, plus the last one at or before its start as the baseline.
  const { rows } = await sql<{ id: string; at: number[]; imports: number[]; exports: number[] }>`
    SELECT metering_point_id AS id,
           array_agg((extract(epoch FROM read_at) * 1000)::bigint ORDER BY read_at) AS at,
           array_agg(import_wh ORDER BY read_at) AS imports,
           array_agg(export_wh ORDER BY read_at) AS exports
    FROM (
      SELECT metering_point_id, read_at, import_wh, export_wh FROM register_readings
      WHERE metering_point_id = ANY(${ids}::text[])
        AND read_at > to_timestamp(${fromMs / 1000}) AND read_at <= to_timestamp(${toMs / 1000})
      UNION ALL
      SELECT b.* FROM unnest(${ids}::text[]) AS p(id) CROSS JOIN LATERAL (
        SELECT metering_point_id, read_at, import_wh, export_wh FROM register_readings
        WHERE metering_point_id = p.id AND read_at <= to_timestamp(${fromMs / 1000})
        ORDER BY read_at DESC LIMIT 1) b
    ) r
    GROUP BY metering_point_id`.execute(db);
  for (const r of rows) {
    const series = out.get(r.id)!;
    let next = 0; // index of the first reading after the current interval's start
    for (let k = 0; k < grid.count; k++) {
      const start = fromMs + k * lengthMs;
      const end = start + lengthMs;
      while (next < r.at.length && r.at[next]! <= start) next++;
      const previous = next - 1;
      let closing = -1;
      while (next < r.at.length && r.at[next]! <= end) closing = next++;
      if (closing < 0) continue;
      if (previous < 0) {
        series[k] = { importWh: 0, exportWh: 0, gridOnly: false };
        continue;
      }
      series[k] = {
        importWh: r.imports[closing]! - r.imports[previous]!,
        exportWh: r.exports[closing]! - r.exports[previous]!,
        gridOnly: r.at[previous]! <= start - lengthMs,
      };
    }
  }
  return rows.map((r) => r.id);
}
