// The one reading of a timestamp Tally accepts, for every schema (the `date-time` format), every
// CSV row and every CLI argument: ISO 8601 / RFC 3339 with seconds and an explicit zone,
// `2026-06-01T10:00:00Z` or `2026-06-01T12:00:00.5+02:00`. No leap second (neither JavaScript nor
// PostgreSQL can hold 23:59:60), and the instant falls in the years EARLIEST_YEAR–LATEST_YEAR
// once the offset is applied, so `0001-01-01T00:00:00+23:59` cannot reach the database as year 0.
import { EARLIEST_YEAR, LATEST_YEAR } from './period.ts';

const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d):(\d\d))$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/**
 * The instant `text` names, in milliseconds since the epoch, or undefined when it is not such a
 * timestamp. Plain arithmetic, no Date: a CSV upload reads two of these per row.
 */
export function timestampMs(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]),
    month = Number(m[2]),
    day = Number(m[3]),
    hour = Number(m[4]),
    minute = Number(m[5]),
    second = Number(m[6]);
  const offsetHours = Number(m[9] ?? 0),
    offsetMinutes = Number(m[10] ?? 0);
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // A day the month does not have (2026-02-30) is refused, not rolled over into the next month.
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap(year) ? 29 : DAYS[month - 1]!)) return undefined;
  const offsetMs = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const ms =
    Date.UTC(year, month - 1, day, hour, minute, second, Number((m[7] ?? '').padEnd(3, '0').slice(0, 3))) - offsetMs;
  // Only a wall time in the first or last year can move out of range by its offset.
  if (year > EARLIEST_YEAR && year < LATEST_YEAR) return ms;
  const utcYear = new Date(ms).getUTCFullYear();
  return utcYear >= EARLIEST_YEAR && utcYear <= LATEST_YEAR ? ms : undefined;
}

/** The instant `text` names, or undefined when it is not such a timestamp. */
export function parseTimestamp(text: string): Date | undefined {
  const ms = timestampMs(text);
  return ms === undefined ? undefined : new Date(ms);
}

/** What a client is told when a timestamp is refused. */
export const TIMESTAMP_RULE =
  'an ISO 8601 time with seconds and a zone (e.g. 2026-06-01T10:00:00Z), ' +
  `no leap second, in the years ${EARLIEST_YEAR}–${LATEST_YEAR}`;

/** A nullable timestamp column as the API writes it. */
export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
