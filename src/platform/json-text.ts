// The largest answers written as JSON straight from the database's text. A page of a thousand
// bundles cost more to pass through JavaScript objects than to read: the driver built a Date from
// each timestamp, the view wrote each back as ISO 8601, and the serializer walked every field again
// (docs/benchmarks.md, "Query pages written from the database's text"). Here each column is read as
// the text PostgreSQL sends and written into the answer once, by a writer derived from the answer's
// own schema, so the OpenAPI document and this text cannot name different fields.
import { parseTimestamptz, utcFraction } from './database.ts';
import type { Page } from './pagination.ts';

declare const holds: unique symbol;

/**
 * An answer already written as JSON (UTF-8 bytes), standing for a `T`: the HTTP serializer sends
 * the bytes as they are, so nothing measures or encodes the text again on the way out. For the
 * answers of reading routes: a change's answer kept for its Idempotency-Key is kept only when it
 * is text (http/idempotency.ts).
 */
export class JsonText<T> {
  declare readonly [holds]: T;
  readonly bytes: Buffer;
  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }
}

/**
 * JSON text written into a buffer piece by piece, in UTF-8. A page's rows written into one string
 * and then sent took twice as long: the string, made of some 30,000 pieces, was flattened once to
 * measure it and encoded again to send it; each row written here is a small string, copied once.
 */
class JsonBytes {
  private buffer: Buffer;
  private length = 0;
  constructor(expected: number) {
    this.buffer = Buffer.allocUnsafe(expected);
  }
  write(text: string): void {
    // A UTF-16 unit is at most three bytes of UTF-8.
    const most = this.length + text.length * 3;
    if (most > this.buffer.length) {
      const larger = Buffer.allocUnsafe(Math.max(most, this.buffer.length * 2));
      this.buffer.copy(larger, 0, 0, this.length);
      this.buffer = larger;
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
  }
  written(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/**
 * What `parseTimestamptz(text).toISOString()` gives, written by position without a Date, for a
 * timestamp as a UTC session writes it (`utcFraction`); any other text goes through the Date.
 */
export function isoTimestamptz(text: string): string {
  const fraction = utcFraction(text);
  if (fraction === undefined) return parseTimestamptz(text).toISOString();
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${`${fraction}000`.slice(0, 3)}Z`;
}

type Kind = 'integer' | 'number' | 'boolean' | 'string' | 'timestamp';

type Schema = Record<string, unknown>;

/** How a property's value is written from its column's text, or undefined for a shape this does not write. */
function kindOf(schema: Schema): Kind | undefined {
  const branches = Array.isArray(schema.anyOf) ? (schema.anyOf as Schema[]) : undefined;
  if (branches) {
    const values = branches.filter((b) => b.type !== 'null');
    // A union of string literals (an enum) is a string; T | null is T.
    if (values.every((b) => typeof b.const === 'string')) return 'string';
    return values.length === 1 ? kindOf(values[0]!) : undefined;
  }
  if (schema.type === 'string') return schema.format === 'date-time' ? 'timestamp' : 'string';
  if (schema.type === 'integer' || schema.type === 'number' || schema.type === 'boolean') return schema.type;
  return undefined;
}

/** The JavaScript expression writing `v`, a column's text or null, as JSON. */
const WRITE: Record<Kind, string> = {
  // PostgreSQL writes integers as JSON does.
  integer: `v === null ? 'null' : v`,
  // Through a number, so a float's text becomes the shortest JSON for its value, as the serializer writes it.
  number: `JSON.stringify(v === null ? null : Number(v))`,
  boolean: `v === null ? 'null' : v === 't' ? 'true' : 'false'`,
  string: `JSON.stringify(v)`,
  timestamp: `v === null ? 'null' : '"' + iso(v) + '"'`,
};

export interface JsonRowWriter {
  /** The columns to read as text (`column::text`), which are the schema's properties. */
  readonly columns: readonly string[];
  /** One row, read as text, as the schema's JSON object. */
  write(row: Record<string, string | null>): string;
}

/**
 * A writer of `schema`'s object (integers, numbers, booleans, strings, date-times, each possibly
 * null) from a row whose columns are named as its properties and read as text. It is compiled, as
 * fast-json-stringify compiles its serializers, from property names the code itself declares: a
 * page writes some 30,000 fields, and a loop over them measured 1.3 × slower.
 */
export function jsonRowWriter(schema: { properties: Record<string, unknown> }): JsonRowWriter {
  const columns = Object.keys(schema.properties);
  const statements = columns.map((column, i) => {
    const kind = kindOf(schema.properties[column] as Schema);
    if (!kind) throw new Error(`jsonRowWriter: property ${column} is not a primitive`);
    const key = JSON.stringify(`${i === 0 ? '' : ','}${JSON.stringify(column)}:`);
    return `v = row[${JSON.stringify(column)}]; out += ${key} + (${WRITE[kind]});`;
  });
  const body = `let v, out = '{'; ${statements.join(' ')} return out + '}';`;
  const write = new Function('iso', `return (row) => { ${body} };`)(isoTimestamptz) as JsonRowWriter['write'];
  return { columns, write };
}

/** The rows, read as text, as a `Page` with the cursor that follows them. */
export function jsonPage<T>(
  rows: ReadonlyArray<Record<string, string | null>>,
  writer: JsonRowWriter,
  nextCursor: string | null,
): JsonText<Page<T>> {
  // About a kilobyte a row (a bundle is some 900 bytes); the buffer grows if that is short.
  const out = new JsonBytes(1024 * (rows.length + 1));
  out.write('{"items":[');
  for (let i = 0; i < rows.length; i++) out.write(i === 0 ? writer.write(rows[i]!) : `,${writer.write(rows[i]!)}`);
  out.write(`],"next_cursor":${JSON.stringify(nextCursor)}}`);
  return new JsonText(out.written());
}
