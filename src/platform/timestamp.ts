// The one reading of a timestamp Tally accepts, for every schema (the `date-time` format), every
// CSV row and every CLI argument: ISO 8601 / RFC 3339 with seconds and an explicit zone,
// `2026-06-01T10:00:00Z` or `2026-06-01T12:00:00.5+02:00`. No leap second (neither JavaScript nor
// PostgreSQL can hold 23:59:60), and the instant falls in the years EARLIEST_YEAR–LATEST_YEAR
// once the offset is applied, so `0001-01-01T00:00:00+23:59` cannot reach the database as year 0.
import { EARLIEST_YEAR, LATEST_YEAR } from './period.ts';

const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d):(\d\d))$/;

/** The instant `text` names, or undefined when it is not such a timestamp. */
export function parseTimestamp(text: string): Date | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [fraction = '', sign, offsetHours = 0, offsetMinutes = 0] = [m[7], m[8], Number(m[9] ?? 0), Number(m[10] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  // A day the month does not have (2026-02-30) would roll over into the next month.
  if (wall.getUTCMonth() !== month - 1 || wall.getUTCDate() !== day) return undefined;
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const t = new Date(wall.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3)) - offsetMs);
  const utcYear = t.getUTCFullYear();
  return utcYear >= EARLIEST_YEAR && utcYear <= LATEST_YEAR ? t : undefined;
}

/** What a client is told when a timestamp is refused. */
export const TIMESTAMP_RULE = `an ISO 8601 time with seconds and a zone (e.g. 2026-06-01T10:00:00Z), no leap second, in the years ${EARLIEST_YEAR}–${LATEST_YEAR}`;
