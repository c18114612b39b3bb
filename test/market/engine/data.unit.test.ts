// DSBI's gap filling of an hourly series.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillGaps } from '../../../src/market/engine/index.ts';

const NaN_ = Number.NaN;

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
