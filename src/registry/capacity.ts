// How much a device may issue for an interval: its capacity × the interval × 1.1. Both issuance
// and the metered-hours check (point-hours.ts) ask, so it has a file of its own.
import type { DeviceRow } from './tables.ts';

const HOUR_MS = 3_600_000;

/** An interval of an issuance request, checked and parsed; `index` is its place in the request. */
export interface Interval {
  index: number;
  start: Date;
  end: Date;
  wh: number;
}

/** The most a device may issue for an interval: floor(capacity W × hours × 1.1), in exact integers. */
export function capacityLimitWh(capacityW: number, durationMs: number): number {
  return Number((BigInt(capacityW) * BigInt(durationMs) * 11n) / (BigInt(HOUR_MS) * 10n));
}

/** The capacity limit's refusal for one interval, or undefined when it fits. */
export function overCapacity(device: DeviceRow, i: { start: Date; end: Date; wh: number }): number | undefined {
  const limit = capacityLimitWh(device.capacity, i.end.getTime() - i.start.getTime());
  return i.wh > limit ? limit : undefined;
}
