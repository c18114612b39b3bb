// The one reading of a timestamp: the form `toISOString` writes is read by position, any other by
// the pattern, and both must name the same instant or refuse the same text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoText, isoTextAfter, timestampMs } from '../../src/platform/timestamp.ts';

const EARLIEST = Date.UTC(2000, 0, 1),
  LATEST = Date.UTC(9998, 11, 31, 23, 59, 59, 999);

/** A digit, mostly, or a character that is not one, for each digit position of the form. */
const place = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...'0123456789') },
  fc.constantFrom(' ', '+', 'a', '٣'),
);
/** Text of the form's shape, `YYYY-MM-DDTHH:MM:SS.sssZ`, with anything at its digit positions. */
const shaped = fc
  .array(place, { minLength: 17, maxLength: 17 })
  .map(
    (d) =>
      `${d.slice(0, 4).join('')}-${d.slice(4, 6).join('')}-${d.slice(6, 8).join('')}T` +
      `${d.slice(8, 10).join('')}:${d.slice(10, 12).join('')}:${d.slice(12, 14).join('')}.${d.slice(14).join('')}Z`,
  );

describe('timestampMs', () => {
  it('reads every instant of its years back from toISOString’s text', () => {
    fc.assert(
      fc.property(fc.integer({ min: EARLIEST, max: LATEST }), (ms) => {
        expect(timestampMs(new Date(ms).toISOString())).toBe(ms);
      }),
    );
  });

  it('reads the form by position exactly as the pattern reads the same instant written with +00:00', () => {
    fc.assert(
      fc.property(shaped, (text) => {
        expect(timestampMs(text)).toBe(timestampMs(`${text.slice(0, 23)}+00:00`));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses days a month lacks, hour 24, and years outside its range in either form', () => {
    for (const text of [
      '2025-02-29T00:00:00.000Z',
      '2025-04-31T10:00:00.000Z',
      '2025-01-01T24:00:00.000Z',
      '1999-12-31T23:59:59.999Z',
      '9999-01-01T00:00:00.000Z',
    ]) {
      expect(timestampMs(text)).toBeUndefined();
      expect(timestampMs(`${text.slice(0, 23)}+00:00`)).toBeUndefined();
    }
    expect(timestampMs('2024-02-29T00:00:00.000Z')).toBe(Date.UTC(2024, 1, 29));
  });
});

describe('isoText', () => {
  it('is toISOString’s text of the instant, whichever way the client wrote it', () => {
    const written = fc.record({
      ms: fc.integer({ min: EARLIEST + 86_400_000, max: LATEST - 86_400_000 }),
      offsetMinutes: fc.integer({ min: -23 * 60, max: 23 * 60 }),
      utc: fc.boolean(),
    });
    fc.assert(
      fc.property(written, ({ ms, offsetMinutes, utc }) => {
        const iso = new Date(ms).toISOString();
        const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(offsetMinutes);
        const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        const text = utc ? iso : `${local}${offset}`;
        const read = timestampMs(text);
        expect(read).toBe(ms);
        expect(isoText(text, read!)).toBe(iso);
      }),
    );
  });
});

describe('isoTextAfter', () => {
  it('is toISOString’s text of the instant a span later, one writer serving many instants', () => {
    const DAY = 86_400_000;
    const span = fc.oneof(
      fc.integer({ min: 0, max: 20_000 }).map((days) => days * DAY),
      fc.integer({ min: 0, max: 20_000 * DAY }),
    );
    fc.assert(
      fc.property(span, fc.array(fc.integer({ min: EARLIEST, max: LATEST }), { maxLength: 30 }), (spanMs, instants) => {
        const after = isoTextAfter(spanMs);
        // Again and again, so that dates the writer keeps are read back as well as written.
        for (const ms of [...instants, ...instants])
          expect(after(new Date(ms).toISOString(), ms)).toBe(new Date(ms + spanMs).toISOString());
      }),
    );
  });
});
