// The driver's int8 arrays: whatever PostgreSQL writes for a one-dimensional bigint[] becomes the
// numbers (and nulls) the general array parser makes of it, a value past 2^53 is refused, and the
// array text Tally writes of its parameters (integerArray) reads back the same.
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseInt8Array } from '../../src/platform/database.ts';
import { integerArray } from '../../src/platform/array-literal.ts';

const general = pg.types.getTypeParser(1016 as Parameters<typeof pg.types.getTypeParser>[0], 'text') as (
  text: string,
) => Array<string | null>;
/** An int8[] as PostgreSQL's text output writes it. */
const written = (values: Array<number | null>) => `{${values.map((v) => (v === null ? 'NULL' : String(v))).join(',')}}`;
const element = fc.option(
  fc.maxSafeInteger().map((n) => (Object.is(n, -0) ? 0 : n)),
  { nil: null, freq: 4 },
);

describe('parseInt8Array', () => {
  it('gives the general parser’s elements as numbers, nulls kept', () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 50 }), (values) => {
        const text = written(values);
        expect(parseInt8Array(text)).toEqual(values);
        expect(parseInt8Array(text)).toEqual(general(text).map((e) => (e === null ? null : Number(e))));
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses an element past the safe integers, and reads an empty array', () => {
    expect(() => parseInt8Array('{1,9007199254740993}')).toThrow(RangeError);
    expect(parseInt8Array('{}')).toEqual([]);
  });

  it('reads what integerArray writes of several lists, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.array(element, { maxLength: 20 }), { maxLength: 6 }), (lists) => {
        const items = lists.map((list) => list.map((value) => ({ value })));
        const text = integerArray(items, (item) => item.value);
        expect(text).toBe(written(lists.flat()));
        expect(parseInt8Array(text)).toEqual(lists.flat());
      }),
      { numRuns: 1_000 },
    );
  });
});
