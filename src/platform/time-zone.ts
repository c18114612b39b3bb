import { badRequest } from './errors.ts';

/** Refuses anything that is not an IANA time zone the runtime knows, naming `field`. */
export function checkTimeZone(tz: string, field: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw badRequest('invalid_time_zone', `${tz} is not an IANA time zone`, field);
  }
}
