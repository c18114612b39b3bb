// A period a request names, [from, to): the same checks and the same answers on every route.
import { badRequest } from './errors.ts';

/** Times Tally accepts fall in these years: a typo such as 0026 or 20260 is refused, not stored. */
export const EARLIEST_YEAR = 2000;
export const LATEST_YEAR = 9998;

/** At most this long when a route bounds its periods, so one answer stays bounded. */
export const MAX_PERIOD_DAYS = 366;

/**
 * Refuses `to` not after `from`, naming `toField` (e.g. `querystring/to`), and, with `bounded`,
 * a period longer than MAX_PERIOD_DAYS.
 */
export function checkPeriod(from: Date, to: Date, toField: string, opts: { bounded?: boolean } = {}): void {
  const name = toField.slice(toField.lastIndexOf('/') + 1);
  if (to <= from) throw badRequest('reversed_period', `${name} must be after the period's start`, toField);
  if (opts.bounded && to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) {
    throw badRequest('period_too_long', `a period spans at most ${MAX_PERIOD_DAYS} days`, toField);
  }
}
