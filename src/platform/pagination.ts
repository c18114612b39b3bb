// Opaque cursors: the client hands back what it was given; a tampered cursor is a 400, not a 500.
// A page continues after the last row's key in the list's order (keyset paging: WHERE key > cursor
// ORDER BY key LIMIT limit+1), so page 1,000 costs what page 1 does and no row is skipped or repeated.
import { badRequest } from './errors.ts';
import { EARLIEST_YEAR, LATEST_YEAR } from './period.ts';

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;

/**
 * What one part of an order key holds: a safe integer (ids); a time, held as milliseconds and in the
 * years the API accepts; or a string that matches an anchored pattern. So a tampered cursor never
 * reaches SQL as a value a cast or a timestamp refuses (a 500), only as a position in the list.
 */
export type KeyPart = 'int' | 'time' | RegExp;
export type KeyShape = Record<string, KeyPart>;
/** The values of a key of shape `S`. */
export type Key<S extends KeyShape> = {
  [K in keyof S]: S[K] extends 'int' ? number : S[K] extends 'time' ? Date : string;
};

export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

const inYears = (ms: number) => {
  const year = new Date(ms).getUTCFullYear();
  return year >= EARLIEST_YEAR && year <= LATEST_YEAR;
};

/** The value of one part as a cursor holds it, or undefined when it cannot be one. */
function decodePart(part: KeyPart, v: unknown): number | Date | string | undefined {
  if (part === 'int') return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
  if (part === 'time') return typeof v === 'number' && Number.isSafeInteger(v) && inYears(v) ? new Date(v) : undefined;
  return typeof v === 'string' && part.test(v) ? v : undefined;
}

/** Decodes a cursor made by encodeCursor with a key of `shape`; anything else is a 400 naming `field`. */
export function decodeCursor<S extends KeyShape>(cursor: string, shape: S, field = 'cursor'): Key<S> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, part] of Object.entries(shape)) {
      out[k] = decodePart(part, value[k]);
      if (out[k] === undefined) throw new Error(k);
    }
    return out as Key<S>;
  } catch {
    throw badRequest('invalid_cursor', 'cursor is not one this server issued', field);
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** What a list request asks for; `field` says where the cursor came from, for the error if it is bad. */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
  field: string;
}

/** The page request of a route whose cursor and limit arrive in `part` ('querystring' or 'body'). */
export function pageRequest(
  input: { limit?: number | undefined; cursor?: string | undefined },
  part: 'querystring' | 'body',
): PageRequest {
  return { limit: input.limit ?? DEFAULT_LIMIT, cursor: input.cursor, field: `${part}/cursor` };
}

/** A list's order key, declared once, for both ends of its cursor. */
export interface Keyset<S extends KeyShape> {
  /** The key the page continues after, or undefined for the first page. */
  after(page: PageRequest): Key<S> | undefined;
  /** Given up to limit+1 rows in key order, the first `limit` and the cursor after the last of them. */
  page<T>(rows: T[], limit: number, keyOf: (row: T) => Key<S>): Page<T>;
}

export function keyset<S extends KeyShape>(shape: S): Keyset<S> {
  return {
    after: (page) => (page.cursor === undefined ? undefined : decodeCursor(page.cursor, shape, page.field)),
    page(rows, limit, keyOf) {
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      if (rows.length <= limit || last === undefined) return { items, next_cursor: null };
      const key = Object.entries(keyOf(last) as Record<string, number | Date | string>);
      return { items, next_cursor: encodeCursor(Object.fromEntries(key.map(([k, v]) => [k, asJson(v)]))) };
    },
  };
}

/** A key part as its cursor holds it: a time as milliseconds. */
const asJson = (v: number | Date | string): number | string => (v instanceof Date ? v.getTime() : v);

/** The same page with each item turned into its view. */
export function mapPage<T, V>(page: Page<T>, view: (item: T) => V): Page<V> {
  return { items: page.items.map(view), next_cursor: page.next_cursor };
}

/** Lists in id order, the most common key. */
const byId = keyset({ id: 'int' });

/** The id a page continues after, or 0 for the first page. */
export function afterId(page: PageRequest): number {
  return byId.after(page)?.id ?? 0;
}

/** Given up to limit+1 rows ordered by id, returns a page and the cursor after its last row. */
export function pageOf<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  return byId.page(rows, limit, (r) => ({ id: r.id }));
}

/** The most items a whole list (`everyPage`) holds unless its caller says otherwise. */
export const MAX_WHOLE_LIST = 100_000;

/**
 * Every page of a list in one array, for the callers that do not page (the faces speak APIs that
 * answer whole lists). Past `limit.max` items (`MAX_WHOLE_LIST` by default) it throws
 * `limit.tooMany(max)` rather than hold more.
 */
export async function everyPage<T>(
  page: (request: PageRequest) => Promise<Page<T>>,
  field: string,
  limit: { max?: number; tooMany: (max: number) => Error },
): Promise<T[]> {
  const max = limit.max ?? MAX_WHOLE_LIST;
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page({ limit: MAX_LIMIT, cursor, field });
    items.push(...next.items);
    if (items.length > max) throw limit.tooMany(max);
    cursor = next.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}
