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
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(t / 1000) * 1000;
}

/** The instant local midnight starts `date` (YYYY-MM-DD) in `tz`; the second look settles days that change offset. */
export function localMidnight(date: string, tz: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  const first = wall - offsetMs(tz, wall);
  return new Date(wall - offsetMs(tz, first));
}

/** The local calendar date (YYYY-MM-DD) of instant `t` in `tz`. */
export function localDate(t: Date, tz: string): string {
  return new Date(t.getTime() + offsetMs(tz, t.getTime())).toISOString().slice(0, 10);
}

/** [start, end) of a calendar month (YYYY-MM) in `tz`. */
export function localMonth(month: string, tz: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: localMidnight(`${month}-01`, tz), to: localMidnight(`${next}-01`, tz) };
}
