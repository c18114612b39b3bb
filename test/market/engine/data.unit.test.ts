// The data path's pure helpers: raw points to hourly mean W, and DSBI's gap filling.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillGaps, hourlyMeanWatts } from '../../../src/market/engine/index.ts';

const at = (iso: string) => new Date(iso);
const NaN_ = Number.NaN;

describe('hourlyMeanWatts', () => {
  it('averages aligned quarter hours and converts kW to W', () => {
    const points = [
      { datetime: at('2026-03-01T10:00:00Z'), value: 1 },
      { datetime: at('2026-03-01T10:15:00Z'), value: 2 },
      { datetime: at('2026-03-01T10:30:00Z'), value: 3 },
      { datetime: at('2026-03-01T10:45:00Z'), value: 4 },
      { datetime: at('2026-03-01T11:00:00Z'), value: 0.5 },
    ];
    expect(hourlyMeanWatts(points, 'kw', 15)).toEqual([
      { hour: at('2026-03-01T10:00:00Z'), watts: 2500 },
      { hour: at('2026-03-01T11:00:00Z'), watts: 500 },
    ]);
  });

  it('averages over the part of the hour covered, and counts MW and W as such', () => {
    // Two of twelve 5-minute points: the mean of what is there (DSBI's resample mean).
    expect(
      hourlyMeanWatts(
        [
          { datetime: at('2026-03-01T00:05:00Z'), value: 2 },
          { datetime: at('2026-03-01T00:50:00Z'), value: 4 },
        ],
        'mw',
        5,
      ),
    ).toEqual([{ hour: at('2026-03-01T00:00:00Z'), watts: 3_000_000 }]);
    expect(hourlyMeanWatts([{ datetime: at('2026-03-01T00:00:00Z'), value: 7 }], 'w', 60)).toEqual([
      { hour: at('2026-03-01T00:00:00Z'), watts: 7 },
    ]);
  });

  it('splits a point that straddles an hour by the time it spends in each', () => {
    // 10:30–11:30 at 60 W and 11:30–12:30 at 120 W: hour 11 is half of each.
    const out = hourlyMeanWatts(
      [
        { datetime: at('2026-03-01T10:30:00Z'), value: 60 },
        { datetime: at('2026-03-01T11:30:00Z'), value: 120 },
      ],
      'w',
      60,
    );
    expect(out).toEqual([
      { hour: at('2026-03-01T10:00:00Z'), watts: 60 },
      { hour: at('2026-03-01T11:00:00Z'), watts: 90 },
      { hour: at('2026-03-01T12:00:00Z'), watts: 120 },
    ]);
  });

  it('keeps the last value of a datetime given twice, skips non-finite values, sorts the hours', () => {
    const out = hourlyMeanWatts(
      [
        { datetime: at('2026-03-01T05:00:00Z'), value: 1 },
        { datetime: at('2026-03-01T02:00:00Z'), value: 9 },
        { datetime: at('2026-03-01T02:00:00Z'), value: 3 },
        { datetime: at('2026-03-01T03:00:00Z'), value: Number.NaN },
      ],
      'kw',
      60,
    );
    expect(out).toEqual([
      { hour: at('2026-03-01T02:00:00Z'), watts: 3000 },
      { hour: at('2026-03-01T05:00:00Z'), watts: 1000 },
    ]);
  });

  it('refuses units and intervals DSBI does not have', () => {
    expect(() => hourlyMeanWatts([], 'gw' as never, 15)).toThrow(RangeError);
    expect(() => hourlyMeanWatts([], 'w', 10 as never)).toThrow(RangeError);
  });

  it('gives a constant series its constant value, whatever the interval', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(5, 15, 30, 60),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: -1000, max: 1000 }),
        (interval, count, value) => {
          const start = Date.UTC(2026, 0, 1);
          const points = Array.from({ length: count }, (_, i) => ({
            datetime: new Date(start + i * interval * 60_000),
            value,
          }));
          const out = hourlyMeanWatts(points, 'kw', interval as 5 | 15 | 30 | 60);
          expect(out.length).toBe(Math.ceil((count * interval) / 60));
          for (const h of out) expect(h.watts).toBe(value * 1000);
        },
      ),
    );
  });
});

describe('fillGaps', () => {
  it('back-fills holes of up to 2 h and fills longer ones and the end with the mean', () => {
    const v = Float64Array.from([NaN_, 1, NaN_, NaN_, 5, NaN_, NaN_, NaN_, 9, 2, NaN_]);
    // observed 1, 5, 9, 2: mean 4.25
    const out = fillGaps(v);
    expect([...out.values]).toEqual([1, 1, 5, 5, 5, 4.25, 4.25, 4.25, 9, 2, 4.25]);
    expect(out.backFilled).toBe(3);
    expect(out.meanFilled).toBe(4);
    expect(Number.isNaN(v[0]!)).toBe(true); // the input is left alone
  });

  it('leaves a series without an observed value as it is', () => {
    const out = fillGaps(Float64Array.from([NaN_, NaN_]));
    expect(out.backFilled + out.meanFilled).toBe(0);
    expect([...out.values].every(Number.isNaN)).toBe(true);
    expect(fillGaps(new Float64Array(0)).values.length).toBe(0);
  });

  it('fills every hole and no observed value, back-filling exactly the short holes with a value after them', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(NaN_), fc.integer({ min: -50, max: 50 })), { maxLength: 60 }), (xs) => {
        const v = Float64Array.from(xs);
        const { values, backFilled, meanFilled } = fillGaps(v);
        const observed = xs.filter((x) => !Number.isNaN(x));
        if (observed.length === 0) {
          expect(backFilled + meanFilled).toBe(0);
          return;
        }
        const mean = observed.reduce((a, x) => a + x, 0) / observed.length;
        let expectBack = 0;
        for (let i = 0; i < xs.length; ) {
          if (!Number.isNaN(xs[i]!)) {
            expect(values[i]).toBe(xs[i]);
            i++;
            continue;
          }
          let j = i;
          while (j < xs.length && Number.isNaN(xs[j]!)) j++;
          const back = j < xs.length && j - i <= 2;
          for (let t = i; t < j; t++) expect(values[t]).toBe(back ? xs[j] : mean);
          if (back) expectBack += j - i;
          i = j;
        }
        expect(backFilled).toBe(expectBack);
        expect(backFilled + meanFilled).toBe(xs.length - observed.length);
      }),
    );
  });
});
