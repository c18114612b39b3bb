// The data path's pure parts: raw points in any of DSBI's units and intervals become hourly mean
// power in W, and holes in an hourly series are filled the way DSBI fills them.
import type { Units } from './types.ts';

const HOUR_MS = 3_600_000;
const WATTS: Record<Units, number> = { w: 1, kw: 1_000, mw: 1_000_000 };

/**
 * Hourly mean power in W. Each point is the mean power over [datetime, datetime + interval); an
 * hour's value is the time-weighted mean of the points over the part of the hour they cover, so
 * aligned points are simply averaged (DSBI's `resample('h').mean()`) and a point that straddles
 * an hour boundary counts in both hours for the time it spends in each. Hours no point covers are
 * absent. A datetime given twice keeps its last value (the upsert's rule); non-finite values are
 * skipped. Hours come out ascending.
 */
export function hourlyMeanWatts(
  points: Array<{ datetime: Date; value: number }>,
  units: Units,
  intervalMinutes: 5 | 15 | 30 | 60,
): Array<{ hour: Date; watts: number }> {
  const factor = WATTS[units];
  if (factor === undefined) throw new RangeError(`units must be w, kw or mw, not ${String(units)}`);
  if (![5, 15, 30, 60].includes(intervalMinutes))
    throw new RangeError(`intervalMinutes must be 5, 15, 30 or 60, not ${String(intervalMinutes)}`);
  const length = intervalMinutes * 60_000;
  const latest = new Map<number, number>();
  for (const p of points) {
    const at = p.datetime.getTime();
    if (!Number.isFinite(at)) throw new RangeError('a point has an invalid datetime');
    latest.set(at, p.value);
  }
  const hours = new Map<number, { sum: number; ms: number }>();
  for (const [start, value] of latest) {
    if (!Number.isFinite(value)) continue;
    const end = start + length;
    for (let h = Math.floor(start / HOUR_MS) * HOUR_MS; h < end; h += HOUR_MS) {
      const covered = Math.min(end, h + HOUR_MS) - Math.max(start, h);
      const acc = hours.get(h) ?? { sum: 0, ms: 0 };
      acc.sum += value * factor * covered;
      acc.ms += covered;
      hours.set(h, acc);
    }
  }
  return [...hours.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([h, acc]) => ({ hour: new Date(h), watts: acc.sum / acc.ms }));
}

/**
 * Fills the NaN holes of an hourly series: a hole of at most 2 h that has a value after it takes
 * that value (back-fill); a longer hole, or one at the end, takes the mean of the observed values.
 * (The rule. DSBI's pandas `bfill(limit=2)` would also back-fill the last 2 h of a longer
 * hole; here a long hole is filled with the mean throughout.) A series with no observed value is
 * returned unchanged.
 */
export function fillGaps(values: Float64Array): { values: Float64Array; backFilled: number; meanFilled: number } {
  const out = Float64Array.from(values);
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  if (count === 0) return { values: out, backFilled: 0, meanFilled: 0 };
  const mean = sum / count;
  let backFilled = 0;
  let meanFilled = 0;
  let i = 0;
  while (i < out.length) {
    if (!Number.isNaN(out[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j < out.length && Number.isNaN(out[j]!)) j++;
    const back = j < out.length && j - i <= 2;
    out.fill(back ? out[j]! : mean, i, j);
    if (back) backFilled += j - i;
    else meanFilled += j - i;
    i = j;
  }
  return { values: out, backFilled, meanFilled };
}
