// When each period of a standing order starts: pure arithmetic, kept apart so tests can hammer it.
// Every period is computed from the first one (never from the previous), so months that clamp a
// day (31 January → 28 February) do not drift the ones after them.

export const PERIOD_UNITS = ['hour', 'day', 'week', 'month'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

export interface Schedule {
  first_period_start: Date;
  period_unit: PeriodUnit;
  period_quantity: number;
}

const HOUR_MS = 3_600_000;
const FIXED_MS: Record<Exclude<PeriodUnit, 'month'>, number> = {
  hour: HOUR_MS,
  day: 24 * HOUR_MS,
  week: 7 * 24 * HOUR_MS,
};

/**
 * The start of period `n` (0 is the first): the first start plus n × quantity units, in UTC. A
 * month keeps the first start's day and time of day, or the month's last day when it has fewer.
 */
export function periodStart(s: Schedule, n: number): Date {
  const first = s.first_period_start;
  if (s.period_unit !== 'month') return new Date(first.getTime() + n * s.period_quantity * FIXED_MS[s.period_unit]);
  const months = first.getUTCMonth() + n * s.period_quantity;
  const year = first.getUTCFullYear() + Math.floor(months / 12);
  const month = months % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const timeOfDay = first.getTime() - Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate());
  return new Date(Date.UTC(year, month, Math.min(first.getUTCDate(), lastDay)) + timeOfDay);
}
