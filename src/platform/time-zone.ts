import { badRequest } from './errors.ts';

/** Refuses anything that is not an IANA time zone the runtime knows, naming `field`. */
export function checkTimeZone(tz: string, field: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw badRequest('invalid_time_zone', `${tz} is not an IANA time zone`, field);
  }
}

/** Milliseconds `tz` is ahead of UTC at instant `t`. */
function offsetMs(tz: string, t: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = new Date(0);
  wall.setUTCFullYear(n('year'), n('month') - 1, n('day')); // Date.UTC would read years 0–99 as 1900–1999
  wall.setUTCHours(n('hour'), n('minute'), n('second'));
  return wall.getTime() - Math.floor(t / 1000) * 1000;
}

/**
 * The instant `date` (YYYY-MM-DD) starts in `tz`: local midnight, or where clocks jump over
 * midnight (daylight saving starting at 00:00, as in Santiago or Asunción) the first instant after.
 */
export function localMidnight(date: string, tz: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d); // Date.UTC would take years 0–99 for 1900–1999
  const wall = day.getTime();
  // The offset at the wall time read as UTC, then at the candidate it gives; across a change of
  // offset the two candidates differ, and the day starts at the earliest one that is on that day.
  const first = wall - offsetMs(tz, wall);
  const second = wall - offsetMs(tz, first);
  const onDay = [Math.min(first, second), Math.max(first, second)].filter((t) => localDate(new Date(t), tz) === date);
  return new Date(onDay[0] ?? Math.max(first, second));
}

/** The local calendar date (YYYY-MM-DD) of instant `t` in `tz`. */
export function localDate(t: Date, tz: string): string {
  const local = new Date(t.getTime() + offsetMs(tz, t.getTime()));
  return (
    `${String(local.getUTCFullYear()).padStart(4, '0')}-` +
    `${String(local.getUTCMonth() + 1).padStart(2, '0')}-${String(local.getUTCDate()).padStart(2, '0')}`
  );
}

/** [start, end) of a calendar month (YYYY-MM) in `tz`. */
export function localMonth(month: string, tz: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: localMidnight(`${month}-01`, tz), to: localMidnight(`${next}-01`, tz) };
}

const DAY_MS = 86_400_000;

/**
 * The instants at which clocks in `tz` show the wall time `wall` (its fields read as UTC): one as a
 * rule, two in the hour repeated when clocks go back, none in the hour skipped when they go forward.
 * The offsets a day either side are the candidates: a zone changes its offset at most once a day.
 */
export function instantsOfWallTime(wall: number, tz: string): number[] {
  const candidates = new Set([wall - offsetMs(tz, wall - DAY_MS), wall - offsetMs(tz, wall + DAY_MS)]);
  return [...candidates].filter((t) => t + offsetMs(tz, t) === wall).sort((a, b) => a - b);
}
