import { badRequest } from '../platform/errors.ts';

const MAX_PERIOD_MS = 366 * 86_400_000;

/** A period a request names: `to` after `from`, and at most a year, so one answer stays bounded. */
export function checkPeriod(from: Date, to: Date, part: 'querystring' | 'body'): void {
  if (to <= from) throw badRequest('reversed_period', 'to must be after from', `${part}/to`);
  if (to.getTime() - from.getTime() > MAX_PERIOD_MS) throw badRequest('period_too_long', 'a period spans at most 366 days', `${part}/to`);
}

/** A period on the community's interval grid: both ends on multiples of the interval length (UTC). */
export function checkOnGrid(from: Date, to: Date, minutes: number, part: 'querystring' | 'body'): void {
  checkPeriod(from, to, part);
  const lengthMs = minutes * 60_000;
  if (from.getTime() % lengthMs !== 0) throw badRequest('not_on_interval', `from must start a ${minutes}-minute interval`, `${part}/from`);
  if (to.getTime() % lengthMs !== 0) throw badRequest('not_on_interval', `to must end a ${minutes}-minute interval`, `${part}/to`);
}
