// The largest answers written as JSON straight from the database's text. A page of a thousand
// bundles cost more to pass through JavaScript objects than to read: the driver built a Date from
// each timestamp, the view wrote each back as ISO 8601, and the serializer walked every field again
// (docs/benchmarks.md, "Query pages written from the database's text"). Here each column is read as
// the text PostgreSQL sends and written into the answer once, by a writer derived from the answer's
// own schema, so the OpenAPI document and this text cannot name different fields. On a server the
// text comes as COPY's bytes and is turned into the JSON byte by byte (`CopiedPage`); PGlite's
// comes as text columns (`jsonPage`).
import { parseTimestamptz, utcFraction, utcFractionDigits } from './database.ts';
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
  buffer: Buffer;
  length = 0;
  constructor(expected: number) {
    this.buffer = Buffer.allocUnsafe(expected);
  }
  /** Makes room for `bytes` more. */
  room(bytes: number): void {
    const most = this.length + bytes;
    if (most <= this.buffer.length) return;
    const larger = Buffer.allocUnsafe(Math.max(most, this.buffer.length * 2));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }
  write(text: string): void {
    // A UTF-16 unit is at most three bytes of UTF-8.
    this.room(text.length * 3);
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
  /** How rows read by COPY are written (`CopiedPage`). */
  readonly copied: CopyLayout;
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
  const kinds = columns.map((column) => {
    const kind = kindOf(schema.properties[column] as Schema);
    if (!kind) throw new Error(`jsonRowWriter: property ${column} is not a primitive`);
    return kind;
  });
  const statements = columns.map((column, i) => {
    const key = JSON.stringify(`${i === 0 ? '' : ','}${JSON.stringify(column)}:`);
    return `v = row[${JSON.stringify(column)}]; out += ${key} + (${WRITE[kinds[i]!]});`;
  });
  const body = `let v, out = '{'; ${statements.join(' ')} return out + '}';`;
  const write = new Function('iso', `return (row) => { ${body} };`)(isoTimestamptz) as JsonRowWriter['write'];
  return { columns, write, copied: copyLayout(columns, kinds) };
}

// COPY's text format (database.ts, `copyOut`): a page read as the bytes the server sends, never
// decoded into strings where the bytes are already the JSON. Decoding each of a page's 30,000 fields
// into a string, building each row's text and encoding it again was most of what a page cost beyond
// its SELECT (docs/benchmarks.md, "Query pages read by COPY").
const TAB = 9;
const NEWLINE = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const N = 78;
const T = 116;

/** What COPY writes after a backslash, for the character it stands for; any other is itself. */
const COPY_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Whether the field `line[start, end)` is COPY's null, `\N` (a text `\N` comes as `\\N`). */
const copiedNull = (line: Buffer, start: number, end: number) =>
  end - start === 2 && line[start] === BACKSLASH && line[start + 1] === N;

/** A field of COPY's text as the text it holds (null for `\N`), its backslash escapes undone. */
function copiedField(line: Buffer, start: number, end: number): string | null {
  if (copiedNull(line, start, end)) return null;
  const raw = line.toString('utf8', start, end);
  return raw.includes('\\') ? raw.replace(/\\(.)/gs, (_, c: string) => COPY_ESCAPES[c] ?? c) : raw;
}

// A kind as a small number, compared once per field.
const [INTEGER, STRING, TIMESTAMP, BOOLEAN, NUMBER] = [0, 1, 2, 3, 4];
const KIND_CODES: Record<Kind, number> = {
  integer: INTEGER,
  string: STRING,
  timestamp: TIMESTAMP,
  boolean: BOOLEAN,
  number: NUMBER,
};
const [ZERO, DOT, LETTER_T, LETTER_Z, CLOSE, COMMA] = [48, 46, 84, 90, 125, 44];
const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const byteAt = (bytes: Buffer, at: number) => bytes[at];

/** How a writer's columns are written from COPY's text: kinds as codes, keys as bytes, the room a row needs. */
interface CopyLayout {
  codes: Uint8Array;
  keys: readonly Buffer[];
  /** Each key with `null` after it, what most of a bundle's fields are. */
  nullKeys: readonly Buffer[];
  /** Beside six bytes for each of a row's (a control character becomes `\u00XX`): keys, quotes, a comma, slack. */
  room: number;
}

function copyLayout(columns: readonly string[], kinds: readonly Kind[]): CopyLayout {
  const keys = columns.map((column, i) => Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(column)}:`));
  return {
    codes: Uint8Array.from(kinds, (kind) => KIND_CODES[kind]),
    keys,
    nullKeys: keys.map((key) => Buffer.concat([key, NULL])),
    room: keys.reduce((sum, key) => sum + key.length + 32, 3),
  };
}

/**
 * A row of COPY's text (`line`, its fields in the writer's columns) as the schema's JSON object,
 * written into `out`'s bytes directly: a page is some 30,000 fields, and a call per piece cost more
 * than the bytes it copied.
 */
function writeCopiedRow(out: JsonBytes, layout: CopyLayout, line: Buffer, afterAnother: boolean): void {
  out.room(layout.room + 6 * line.length);
  const buffer = out.buffer;
  let at = out.length;
  if (afterAnother) buffer[at++] = COMMA;
  // The copies below are loops written out: a helper closing over `at` made it a heap variable,
  // and the row three times slower.
  const { codes, keys, nullKeys } = layout;
  let start = 0;
  for (let i = 0; i < codes.length; i++) {
    // The field ends at a tab or the line's end; one pass also says whether it holds a byte a JSON
    // string cannot (a quote, a backslash, a control character), which a plain string does not.
    let end = start;
    let plain = true;
    for (; end < line.length; end++) {
      const b = line[end]!;
      if (b === TAB) break;
      if (b === QUOTE || b === BACKSLASH || b < 32) plain = false;
    }
    if (copiedNull(line, start, end)) {
      const nullKey = nullKeys[i]!;
      buffer.set(nullKey, at);
      at += nullKey.length;
      start = end + 1;
      continue;
    }
    const key = keys[i]!;
    buffer.set(key, at);
    at += key.length;
    const code = codes[i]!;
    const digits = code === TIMESTAMP ? utcFractionDigits(line, start, end - start, byteAt) : -1;
    if (code === INTEGER || (code === STRING && plain)) {
      if (code === STRING) buffer[at++] = QUOTE;
      for (let k = start; k < end; k++) buffer[at++] = line[k]!;
      if (code === STRING) buffer[at++] = QUOTE;
    } else if (digits >= 0) {
      // By position, as isoTimestamptz writes it: 2025-06-01 10:00:00.5+00 → "2025-06-01T10:00:00.500Z".
      buffer[at++] = QUOTE;
      for (let k = start; k < start + 19; k++) buffer[at++] = k === start + 10 ? LETTER_T : line[k]!;
      buffer[at++] = DOT;
      for (let d = 0; d < 3; d++) buffer[at++] = d < digits ? line[start + 20 + d]! : ZERO;
      buffer[at++] = LETTER_Z;
      buffer[at++] = QUOTE;
    } else if (code === BOOLEAN) {
      const word = line[start] === T ? TRUE : FALSE;
      for (let k = 0; k < word.length; k++) buffer[at++] = word[k]!;
    } else {
      // Strings holding escapes, numbers, timestamps another session wrote: through their text (`WRITE`'s rules).
      const v = copiedField(line, start, end)!;
      const json = code === TIMESTAMP ? `"${isoTimestamptz(v)}"` : JSON.stringify(code === NUMBER ? Number(v) : v);
      at += buffer.write(json, at, 'utf8');
    }
    start = end + 1;
  }
  buffer[at++] = CLOSE;
  out.length = at;
}

type TextRow = Record<string, string | null>;

/**
 * A page written from COPY's text as its chunks arrive (`received`): the first `limit` rows are its
 * items; `found` counts every row, so one more than `limit` says a next page follows `last`.
 */
export class CopiedPage<T> {
  readonly #writer: JsonRowWriter;
  readonly #limit: number;
  readonly #out: JsonBytes;
  #partial: Buffer | undefined;
  #last: Buffer | undefined;
  found = 0;

  constructor(writer: JsonRowWriter, limit: number) {
    this.#writer = writer;
    this.#limit = limit;
    this.#out = new JsonBytes(1024 * (limit + 1));
    this.#out.write('{"items":[');
  }

  received(chunk: Buffer): void {
    let bytes = chunk;
    if (this.#partial) {
      bytes = Buffer.concat([this.#partial, chunk]);
      this.#partial = undefined;
    }
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE, start); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
      const line = bytes.subarray(start, end);
      if (this.found < this.#limit) {
        writeCopiedRow(this.#out, this.#writer.copied, line, this.found > 0);
        this.#last = line;
      }
      this.found++;
      start = end + 1;
    }
    if (start < bytes.length) this.#partial = bytes.subarray(start);
  }

  /** The last item's fields as text, named by column (as `jsonPage`'s rows are). */
  last(): TextRow | undefined {
    const line = this.#last;
    if (!line) return undefined;
    const row: TextRow = {};
    let start = 0;
    for (const column of this.#writer.columns) {
      let end = line.indexOf(TAB, start);
      if (end < 0) end = line.length;
      row[column] = copiedField(line, start, end);
      start = end + 1;
    }
    return row;
  }

  written(nextCursor: string | null): JsonText<Page<T>> {
    if (this.#partial) throw new Error('COPY ended inside a row');
    this.#out.write(`],"next_cursor":${JSON.stringify(nextCursor)}}`);
    return new JsonText(this.#out.written());
  }
}

/** The rows, read as text, as a `Page` with the cursor that follows them. */
export function jsonPage<T>(
  rows: ReadonlyArray<TextRow>,
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
