// A disclosure's dataset as the page draws it. The dataset lists only the hours with consumption or
// claims; the heat map and the chart need every hour of the period, in order, with the claimed Wh
// split by energy source.
import type { components } from '../api/schema';

export type Dataset = components['schemas']['DisclosureDataset'];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface HourlyView {
  /** Start of each hour of the period, in Unix seconds. */
  times: number[];
  consumption: number[];
  claimed: number[];
  matched: number[];
  /** Matched ÷ consumption per hour; null without consumption. */
  share: (number | null)[];
  /** Energy sources, the most claimed first, and each one's claimed Wh per hour. */
  sources: { source: string; wh: number[] }[];
  /** The heat map's columns: the UTC days the period touches (yyyy-mm-dd). */
  days: string[];
  /** Hours between midnight UTC of the first day and the period's first hour. */
  offset: number;
}

export function hourlyView(d: Dataset): HourlyView {
  const start = Date.parse(d.period_start);
  const count = Math.max(0, Math.ceil((Date.parse(d.period_end) - start) / HOUR_MS));
  const times = Array.from({ length: count }, (_, i) => (start + i * HOUR_MS) / 1000);
  const consumption = new Array<number>(count).fill(0);
  const claimed = new Array<number>(count).fill(0);
  const matched = new Array<number>(count).fill(0);
  const share = new Array<number | null>(count).fill(null);
  const bySource = new Map<string, number[]>();
  for (const h of d.hours) {
    const i = Math.round((Date.parse(h.hour_start) - start) / HOUR_MS);
    if (i < 0 || i >= count) continue;
    consumption[i] = h.consumption_wh;
    claimed[i] = h.claimed_wh;
    matched[i] = h.matched_wh;
    share[i] = h.matched_share;
    for (const c of h.claimed) {
      const wh = bySource.get(c.energy_source) ?? new Array<number>(count).fill(0);
      wh[i] = (wh[i] ?? 0) + c.wh;
      bySource.set(c.energy_source, wh);
    }
  }
  const total = (wh: number[]) => wh.reduce((a, b) => a + b, 0);
  const sources = [...bySource]
    .map(([source, wh]) => ({ source, wh, total: total(wh) }))
    .sort((a, b) => b.total - a.total || a.source.localeCompare(b.source))
    .map(({ source, wh }) => ({ source, wh }));
  const firstDay = Math.floor(start / DAY_MS) * DAY_MS;
  const lastDay = count === 0 ? firstDay : Math.floor((start + (count - 1) * HOUR_MS) / DAY_MS) * DAY_MS;
  const days: string[] = [];
  for (let t = firstDay; t <= lastDay; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return { times, consumption, claimed, matched, share, sources, days, offset: (start - firstDay) / HOUR_MS };
}

/** The hour at a heat-map cell (a day's column, an hour's row), or undefined outside the period. */
export function hourAt(view: HourlyView, day: number, hourOfDay: number): number | undefined {
  const i = day * 24 + hourOfDay - view.offset;
  return i >= 0 && i < view.times.length ? i : undefined;
}
