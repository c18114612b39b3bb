// When a standing order's periods start: fixed lengths in UTC, and calendar months that keep the
// first start's day and time (or the month's last day), computed from the first start so a short
// month does not drift the ones after it.
import { describe, expect, it } from 'vitest';
import { periodStart } from '../../src/registry/schedule.ts';

const starts = (first: string, period_unit: 'hour' | 'day' | 'week' | 'month', period_quantity: number, n: number) =>
  [...Array(n).keys()].map((k) =>
    periodStart({ first_period_start: new Date(first), period_unit, period_quantity }, k).toISOString(),
  );

describe('periodStart', () => {
  it('adds hours, days and weeks as fixed UTC lengths', () => {
    expect(starts('2026-03-28T22:30:00Z', 'hour', 2, 3)).toEqual([
      '2026-03-28T22:30:00.000Z',
      '2026-03-29T00:30:00.000Z',
      '2026-03-29T02:30:00.000Z',
    ]);
    expect(starts('2026-03-28T22:30:00Z', 'day', 1, 2)).toEqual([
      '2026-03-28T22:30:00.000Z',
      '2026-03-29T22:30:00.000Z',
    ]);
    expect(starts('2026-12-28T00:00:00Z', 'week', 2, 2)).toEqual([
      '2026-12-28T00:00:00.000Z',
      '2027-01-11T00:00:00.000Z',
    ]);
  });

  it('keeps the day of the month, or the last day of a shorter month, without drifting', () => {
    expect(starts('2027-01-31T06:00:00Z', 'month', 1, 4)).toEqual([
      '2027-01-31T06:00:00.000Z',
      '2027-02-28T06:00:00.000Z',
      '2027-03-31T06:00:00.000Z',
      '2027-04-30T06:00:00.000Z',
    ]);
    expect(starts('2027-11-29T00:00:00Z', 'month', 3, 3)).toEqual([
      '2027-11-29T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
      '2028-05-29T00:00:00.000Z',
    ]);
    expect(starts('2026-12-15T12:00:00Z', 'month', 12, 2)).toEqual([
      '2026-12-15T12:00:00.000Z',
      '2027-12-15T12:00:00.000Z',
    ]);
  });
});
