// The period a device's hours are shown for: whole UTC days, both ends included, as a person picks
// them, and the half-open [from, to) instants the API reads.
const DAY_MS = 86_400_000;
/** A year of hours draws in a few milliseconds (uPlot); more would only be a long wait for the readings. */
export const MAX_DAYS = 366;

export interface Period {
  /** First day, YYYY-MM-DD (UTC). */
  from: string;
  /** Last day, YYYY-MM-DD (UTC), included. */
  to: string;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (date: string) => (/^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN);

/** The `days` UTC days up to and including today's. */
export function lastDays(now: Date, days = 7): Period {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return { from: day(today - (days - 1) * DAY_MS), to: day(today) };
}

/** The period as the API's [from, to) instants, or what is wrong with it. */
export function periodRange(p: Period): { from: string; to: string } | { error: string } {
  const from = dayMs(p.from),
    to = dayMs(p.to);
  if (Number.isNaN(from) || Number.isNaN(to)) return { error: 'Choose both days of the period.' };
  if (to < from) return { error: 'The period ends before it starts.' };
  if ((to - from) / DAY_MS + 1 > MAX_DAYS) return { error: `Choose at most ${MAX_DAYS} days.` };
  return { from: new Date(from).toISOString(), to: new Date(to + DAY_MS).toISOString() };
}

/**
 * The days a readings CSV covers (its interval columns, as the API reads them), so that the view
 * can move to what was just uploaded; undefined when no row has both instants.
 */
export function csvSpan(text: string): Period | undefined {
  const [header = '', ...lines] = text.split(/\r?\n/);
  const columns = header.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  const start = columns.indexOf('interval_start_datetime'),
    end = columns.indexOf('interval_end_datetime');
  if (start < 0 || end < 0) return undefined;
  let first = Number.POSITIVE_INFINITY,
    last = Number.NEGATIVE_INFINITY;
  for (const line of lines) {
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const s = Date.parse(cells[start] ?? ''),
      e = Date.parse(cells[end] ?? '');
    if (Number.isNaN(s) || Number.isNaN(e)) continue;
    first = Math.min(first, s);
    last = Math.max(last, e);
  }
  // The last interval ends at midnight of the day after its own: the period's last day is the interval's.
  return first <= last ? { from: day(first), to: day(last - 1) } : undefined;
}
