import { badRequest } from '../platform/errors.ts';
import { checkPeriod } from '../platform/period.ts';

/** A period on the community's interval grid: both ends on multiples of the interval length (UTC). */
export function checkOnGrid(from: Date, to: Date, minutes: number, part: 'querystring' | 'body'): void {
  checkPeriod(from, to, `${part}/to`, { bounded: true });
  const lengthMs = minutes * 60_000;
  if (from.getTime() % lengthMs !== 0)
    throw badRequest('not_on_interval', `from must start a ${minutes}-minute interval`, `${part}/from`);
  if (to.getTime() % lengthMs !== 0)
    throw badRequest('not_on_interval', `to must end a ${minutes}-minute interval`, `${part}/to`);
}
