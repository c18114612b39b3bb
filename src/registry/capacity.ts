// How much a device may issue for an interval: its capacity × the interval × 1.1. Both issuance
// and the metered-hours check (point-hours.ts) ask, so it has a file of its own.
import type { DeviceRow } from './tables.ts';

const HOUR_MS = 3_600_000;

/**
 * An interval of an issuance request, checked and parsed; `index` is its place in the request,
 * `from` and `to` its start and end as the API writes them (what the bundle and its event show).
 */
export interface Interval {
  index: number;
  start: Date;
  end: Date;
  from: string;
  to: string;
  wh: number;
}

/** An interval from instants in hand (the automatic issuance's hours, a re-issued bundle's). */
export const intervalOf = (index: number, start: Date, end: Date, wh: number): Interval => ({
  index,
  start,
  end,
  from: start.toISOString(),
  to: end.toISOString(),
  wh,
});

/** The most a device may issue for an interval: floor(capacity W × hours × 1.1), in exact integers. */
export function capacityLimitWh(capacityW: number, durationMs: number): number {
  return Number((BigInt(capacityW) * BigInt(durationMs) * 11n) / (BigInt(HOUR_MS) * 10n));
}

/** The capacity limit's refusal for one interval, or undefined when it fits. */
export function overCapacity(device: DeviceRow, i: { start: Date; end: Date; wh: number }): number | undefined {
  const limit = capacityLimitWh(device.capacity, i.end.getTime() - i.start.getTime());
  return i.wh > limit ? limit : undefined;
}
