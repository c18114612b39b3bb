// The driver's timestamps: every UTC timestamp PostgreSQL writes becomes the same Date as the
// general parser (pg's) makes of it, fractions cut to the millisecond, years 1–9999 alike.
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz } from '../../src/platform/database.ts';

const general = pg.types.getTypeParser(1184, 'text') as (text: string) => Date;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A timestamp as a UTC session writes it: no fraction, or 1–6 digits of one without trailing zeros. */
const written = fc
  .record({
    ms: fc.integer({ min: -62135596800000, max: 253402300799000 }), // 0001-01-01 to 9999-12-31
    fraction: fc.option(fc.integer({ min: 1, max: 999_999 }), { nil: undefined }),
  })
  .map(({ ms, fraction }) => {
    const d = new Date(ms);
    const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const digits = fraction === undefined ? '' : `.${pad(fraction, 6).replace(/0+$/, '')}`;
    return `${date} ${time}${digits}+00`;
  });

describe('parseTimestamptz', () => {
  it('gives the general parser’s instant for every UTC timestamp of years 1–9999', () => {
    fc.assert(
      fc.property(written, (text) => {
        expect(parseTimestamptz(text).getTime()).toBe(general(text).getTime());
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads known values exactly, and leaves other forms to the general parser', () => {
    expect(parseTimestamptz('2025-06-01 10:00:00+00').toISOString()).toBe('2025-06-01T10:00:00.000Z');
    expect(parseTimestamptz('2024-02-29 23:59:59.999999+00').toISOString()).toBe('2024-02-29T23:59:59.999Z');
    expect(parseTimestamptz('0099-12-31 00:00:00.5+00').toISOString()).toBe('0099-12-31T00:00:00.500Z');
    expect(parseTimestamptz('2025-06-01 12:00:00+02').toISOString()).toBe('2025-06-01T10:00:00.000Z');
  });
});
