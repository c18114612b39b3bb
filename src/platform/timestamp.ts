// The one reading of a timestamp Tally accepts, for every schema (the `date-time` format), every
// CSV row and every CLI argument: ISO 8601 / RFC 3339 with seconds and an explicit zone,
// `2026-06-01T10:00:00Z` or `2026-06-01T12:00:00.5+02:00`. No leap second (neither JavaScript nor
// PostgreSQL can hold 23:59:60), and the instant falls in the years EARLIEST_YEAR–LATEST_YEAR
// once the offset is applied, so `0001-01-01T00:00:00+23:59` cannot reach the database as year 0.
import { EARLIEST_YEAR, LATEST_YEAR } from './period.ts';

const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d):(\d\d))$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** The instant of these fields, or undefined when one is out of range. */
function instantMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMs: number,
): number | undefined {
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // A day the month does not have (2026-02-30) is refused, not rolled over into the next month.
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap(year) ? 29 : DAYS[month - 1]!)) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs;
  // Only a wall time in the first or last year can move out of range by its offset.
  if (year > EARLIEST_YEAR && year < LATEST_YEAR) return ms;
  const utcYear = new Date(ms).getUTCFullYear();
  return utcYear >= EARLIEST_YEAR && utcYear <= LATEST_YEAR ? ms : undefined;
}

/** The number written in `text` from `from` to `to`, or -1 when a character there is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Separators of the form `toISOString` writes, `2026-06-01T10:00:00.000Z`, by position. */
const ISO_UTC_SEPARATORS: ReadonlyArray<[number, number]> = [
  [4, 45],
  [7, 45],
  [10, 84],
  [13, 58],
  [16, 58],
  [19, 46],
  [23, 90],
];

/**
 * The instant `text` names, in milliseconds since the epoch, or undefined when it is not such a
 * timestamp. Plain arithmetic, no Date: a CSV upload reads two of these per row, and a bulk
 * issuance two per interval, mostly in the form `toISOString` writes, which is read by position
 * without the regular expression (a tenth of its time).
 */
export function timestampMs(text: string): number | undefined {
  if (text.length === 24 && ISO_UTC_SEPARATORS.every(([at, code]) => text.charCodeAt(at) === code)) {
    const year = digits(text, 0, 4),
      month = digits(text, 5, 7),
      day = digits(text, 8, 10),
      hour = digits(text, 11, 13),
      minute = digits(text, 14, 16),
      second = digits(text, 17, 19),
      millis = digits(text, 20, 23);
    if ((year | month | day | hour | minute | second | millis) < 0) return undefined;
    return instantMs(year, month, day, hour, minute, second, millis, 0);
  }
  const m = ISO.exec(text);
  if (!m) return undefined;
  const offsetHours = Number(m[9] ?? 0),
    offsetMinutes = Number(m[10] ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offsetMs = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  return instantMs(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    millis,
    offsetMs,
  );
}

/** The instant `text` names, or undefined when it is not such a timestamp. */
export function parseTimestamp(text: string): Date | undefined {
  const ms = timestampMs(text);
  return ms === undefined ? undefined : new Date(ms);
}

/**
 * `text`, which `timestampMs` read as `ms`, as `toISOString` writes that instant: the text itself
 * when it is already written so (UTC, milliseconds: the form clients mostly send back), which
 * spares a bulk issuance most of its Date formatting. Only for text `timestampMs` accepted, whose
 * fields are in range: this looks at the form alone.
 */
export const isoText = (text: string, ms: number): string =>
  text.length === 24 && text.charCodeAt(19) === 46 /* . */ && text.charCodeAt(23) === 90 /* Z */
    ? text
    : new Date(ms).toISOString();

const DAY_MS = 86_400_000;

/**
 * A writer of the instant `spanMs` after another, as `toISOString` writes it, given that other
 * instant's `toISOString` text and milliseconds. When the span is whole days only the date
 * changes: the time of day is kept from the text and each date written once, so the expiry dates
 * of a bulk issuance (5,000 hours, some 200 dates) take a few hundred Dates rather than 5,000.
 */
export function isoTextAfter(spanMs: number): (text: string, ms: number) => string {
  if (spanMs % DAY_MS !== 0) return (_text, ms) => new Date(ms + spanMs).toISOString();
  // Each day's date as `toISOString` writes it, or '' past year 9999, where that takes more room.
  const dates = new Map<number, string>();
  return (text, ms) => {
    const day = Math.floor((ms + spanMs) / DAY_MS);
    let date = dates.get(day);
    if (date === undefined) {
      const midnight = new Date(day * DAY_MS).toISOString();
      date = midnight.length === 24 ? midnight.slice(0, 10) : '';
      dates.set(day, date);
    }
    return date !== '' && text.length === 24 ? date + text.slice(10) : new Date(ms + spanMs).toISOString();
  };
}

/** What a client is told when a timestamp is refused. */
export const TIMESTAMP_RULE =
  'an ISO 8601 time with seconds and a zone (e.g. 2026-06-01T10:00:00Z), ' +
  `no leap second, in the years ${EARLIEST_YEAR}–${LATEST_YEAR}`;

/** A nullable timestamp column as the API writes it. */
export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
