// An account's holdings over time, from the registry's sums by period and energy source: every
// period from the first to the last (a period without holdings is zero, not skipped), and a layer
// of Wh per energy source, the largest first.
import type { Layer } from '../components/stacked';

export type Granularity = 'hour' | 'day' | 'month';

export interface PeriodSum {
  period_start: string;
  energy_source: string;
  wh: number;
}

/** The start of the period after `t` (UTC). */
function next(t: Date, granularity: Granularity): Date {
  const d = new Date(t);
  if (granularity === 'hour') d.setUTCHours(d.getUTCHours() + 1);
  else if (granularity === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else d.setUTCMonth(d.getUTCMonth() + 1);
  return d;
}

export function holdingsOverTime(sums: PeriodSum[], granularity: Granularity): { times: number[]; layers: Layer[] } {
  if (sums.length === 0) return { times: [], layers: [] };
  const starts = sums.map((s) => Date.parse(s.period_start));
  const times: number[] = [];
  for (let t = new Date(Math.min(...starts)); t.getTime() <= Math.max(...starts); t = next(t, granularity)) {
    times.push(t.getTime() / 1000);
  }
  const index = new Map(times.map((t, i) => [t, i]));
  const bySource = new Map<string, number[]>();
  for (const s of sums) {
    const values = bySource.get(s.energy_source) ?? new Array<number>(times.length).fill(0);
    const i = index.get(Date.parse(s.period_start) / 1000);
    if (i !== undefined) values[i] = (values[i] ?? 0) + s.wh;
    bySource.set(s.energy_source, values);
  }
  const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const layers = [...bySource]
    .map(([label, values]) => ({ label, values }))
    .sort((a, b) => total(b.values) - total(a.values) || a.label.localeCompare(b.label));
  return { times, layers };
}
