// The dashboard's holdings over time: every period between the first and the last, zero where
// nothing is held, a layer per energy source, the largest first.
import { describe, expect, it } from 'vitest';
import { holdingsOverTime } from '../src/dashboard/shape';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('holdings over time', () => {
  it('fills the days between, sums per source and puts the largest source first', () => {
    const over = holdingsOverTime(
      [
        { period_start: '2025-06-01T00:00:00.000Z', energy_source: 'wind', wh: 500 },
        { period_start: '2025-06-01T00:00:00.000Z', energy_source: 'solar_pv', wh: 2000 },
        { period_start: '2025-06-03T00:00:00.000Z', energy_source: 'wind', wh: 700 },
      ],
      'day',
    );
    expect(over.times).toEqual([at('2025-06-01T00:00:00Z'), at('2025-06-02T00:00:00Z'), at('2025-06-03T00:00:00Z')]);
    expect(over.layers).toEqual([
      { label: 'solar_pv', values: [2000, 0, 0] },
      { label: 'wind', values: [500, 0, 700] },
    ]);
  });

  it('steps by calendar month, across a year, and by hour', () => {
    const months = holdingsOverTime(
      [
        { period_start: '2025-11-01T00:00:00.000Z', energy_source: 'hydro', wh: 1 },
        { period_start: '2026-02-01T00:00:00.000Z', energy_source: 'hydro', wh: 2 },
      ],
      'month',
    );
    expect(months.times.map((t) => new Date(t * 1000).toISOString().slice(0, 7))).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
    expect(months.layers).toEqual([{ label: 'hydro', values: [1, 0, 0, 2] }]);
    const hours = holdingsOverTime(
      [
        { period_start: '2025-06-01T22:00:00.000Z', energy_source: 'solar_pv', wh: 3 },
        { period_start: '2025-06-02T01:00:00.000Z', energy_source: 'solar_pv', wh: 4 },
      ],
      'hour',
    );
    expect(hours.layers).toEqual([{ label: 'solar_pv', values: [3, 0, 0, 4] }]);
    expect(holdingsOverTime([], 'day')).toEqual({ times: [], layers: [] });
  });
});
