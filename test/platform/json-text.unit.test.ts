// Answers written from the database's text (platform/json-text.ts): a timestamptz's text becomes
// exactly the ISO 8601 the Date path writes, and a row of column texts becomes the JSON value the
// schema's serializer writes of the same row read as values, property for property and in order;
// so does a page read as COPY's text, however its bytes are cut into chunks.
import fc from 'fast-check';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz } from '../../src/platform/database.ts';
import { compileSerializer, written } from '../../src/platform/http/serializer.ts';
import { CopiedPage, isoTimestamptz, jsonPage, JsonText, jsonRowWriter } from '../../src/platform/json-text.ts';
import { Nullable, OneOf, Timestamp } from '../../src/platform/http/schemas.ts';
import { columnText } from '../helpers/text.ts';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A timestamptz as PostgreSQL writes it in a UTC session: a fraction of up to six digits, trailing zeros cut. */
const utcText = fc
  .record({
    year: fc.integer({ min: 1, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    micros: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999_999 })),
  })
  .map(({ year, month, day, hour, minute, second, micros }) => {
    const fraction = micros === 0 ? '' : `.${pad(micros, 6).replace(/0+$/, '')}`;
    return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)} ${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${fraction}+00`;
  });

describe('isoTimestamptz', () => {
  it('writes what the Date read from the same text writes', () => {
    fc.assert(
      fc.property(utcText, (text) => {
        expect(isoTimestamptz(text)).toBe(parseTimestamptz(text).toISOString());
      }),
      { numRuns: 5_000 },
    );
  });

  it('cuts a fraction to milliseconds, as a Date holds them', () => {
    expect(isoTimestamptz('2025-06-01 10:00:00+00')).toBe('2025-06-01T10:00:00.000Z');
    expect(isoTimestamptz('2025-06-01 10:00:00.5+00')).toBe('2025-06-01T10:00:00.500Z');
    expect(isoTimestamptz('2025-06-01 10:00:00.123987+00')).toBe('2025-06-01T10:00:00.123Z');
    expect(isoTimestamptz('0050-01-01 00:00:00+00')).toBe('0050-01-01T00:00:00.000Z');
  });

  it('leaves any other text to the Date: another offset, a year past 9999, BC', () => {
    for (const text of [
      '2025-06-01 12:00:00+02',
      '2025-06-01 05:30:00.25-04:30',
      '10000-01-01 00:00:00+00',
      '0044-03-15 12:00:00+00 BC',
    ])
      expect(isoTimestamptz(text)).toBe(parseTimestamptz(text).toISOString());
    expect(isoTimestamptz('2025-06-01 12:00:00+02')).toBe('2025-06-01T10:00:00.000Z');
  });
});

const Row = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  note: Nullable(Type.String()),
  kind: OneOf(['solar_pv', 'wind'] as const, { description: 'kind' }),
  at: Timestamp('when'),
  ended: Type.Union([Timestamp('ended'), Type.Null()]),
  share: Nullable(Type.Number()),
  open: Nullable(Type.Boolean()),
});

const text = columnText();

const row = fc.record({
  id: fc.maxSafeInteger(),
  name: text,
  note: fc.option(text, { nil: null }),
  kind: fc.constantFrom('solar_pv', 'wind'),
  at: utcText,
  ended: fc.option(utcText, { nil: null }),
  share: fc.option(
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
    { nil: null },
  ),
  open: fc.option(fc.boolean(), { nil: null }),
});

/** The row as the database's text: integers and numbers as digits (PostgreSQL writes 1e-05 as JavaScript does), booleans t/f. */
type RowValues = typeof row extends fc.Arbitrary<infer R> ? R : never;
const asText = (r: RowValues) => ({
  ...r,
  id: String(r.id),
  share: r.share === null ? null : String(r.share),
  open: r.open === null ? null : r.open ? 't' : 'f',
});

/** The same row read as values, as the driver reads it, written by the route's own serializer. */
const serializedRow = compileSerializer({ schema: Row });
const asValues = (r: RowValues) => ({
  ...r,
  at: parseTimestamptz(r.at).toISOString(),
  ended: r.ended === null ? null : parseTimestamptz(r.ended).toISOString(),
});

describe('jsonRowWriter', () => {
  const writer = jsonRowWriter(Row);

  it("reads the schema's properties, in order", () => {
    expect(writer.columns).toEqual(['id', 'name', 'note', 'kind', 'at', 'ended', 'share', 'open']);
  });

  it('writes the text the serializer writes of the same values', () => {
    fc.assert(
      fc.property(row, (r) => {
        expect(writer.write(asText(r))).toBe(serializedRow(asValues(r)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses a schema with a property it cannot write from one column', () => {
    expect(() => jsonRowWriter(Type.Object({ id: Type.Integer(), tags: Type.Array(Type.String()) }))).toThrow(
      'property tags is not a primitive',
    );
  });
});

describe('a page written as JSON', () => {
  const PageOfRows = Type.Object({ items: Type.Array(Row), next_cursor: Nullable(Type.String()) });
  const serializePage = compileSerializer({ schema: PageOfRows });

  it('is the page the serializer writes, and the serializer sends it as it is', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), fc.option(fc.string(), { nil: null }), (rows, cursor) => {
        const page = jsonPage(rows.map(asText), jsonRowWriter(Row), cursor);
        expect(page).toBeInstanceOf(JsonText);
        expect(page.bytes.toString()).toBe(serializePage({ items: rows.map(asValues), next_cursor: cursor }));
        expect(serializePage(written(page))).toEqual(page.bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('grows past what it expected of a row: long rows of characters of several bytes each', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 3 }), fc.integer({ min: 400, max: 3000 }), (rows, n) => {
        const long = rows.map((r, k) => ({ ...r, name: (k % 2 ? '😀é' : 'ü"\\').repeat(n) }));
        const page = jsonPage(long.map(asText), jsonRowWriter(Row), null);
        expect(page.bytes.toString()).toBe(serializePage({ items: long.map(asValues), next_cursor: null }));
      }),
      { numRuns: 50 },
    );
  });
});

/** A row as COPY writes it in text format: fields by tabs, `\N` for null, its escapes, a newline. */
const COPY_ESCAPED: Record<string, string> = {
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};
const copyLine = (fields: Record<string, string | null>) =>
  `${Object.values(fields)
    .map((v) => (v === null ? '\\N' : v.replace(/[\\\b\f\n\r\t\v]/g, (c) => COPY_ESCAPED[c]!)))
    .join('\t')}\n`;

describe('a page read as COPY text', () => {
  const PageOfRows = Type.Object({ items: Type.Array(Row), next_cursor: Nullable(Type.String()) });
  const serializePage = compileSerializer({ schema: PageOfRows });

  it('is the page the serializer writes, its last item and count, however the bytes arrive', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (rows, limit, cuts) => {
          const bytes = Buffer.from(rows.map((r) => copyLine(asText(r))).join(''));
          const page = new CopiedPage(jsonRowWriter(Row), limit);
          const at = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
          for (let k = 1; k < at.length; k++) page.received(bytes.subarray(at[k - 1], at[k]));
          const items = rows.slice(0, limit);
          expect(page.found).toBe(rows.length);
          expect(page.last()).toEqual(items.length ? asText(items[items.length - 1]!) : undefined);
          expect(page.written('next').bytes.toString()).toBe(
            serializePage({ items: items.map(asValues), next_cursor: 'next' }),
          );
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('refuses an answer that ends inside a row', () => {
    const page = new CopiedPage(jsonRowWriter(Row), 10);
    page.received(Buffer.from('1\tname'));
    expect(() => page.written(null)).toThrow('COPY ended inside a row');
  });
});
