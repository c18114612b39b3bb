// Opaque cursors: the client hands back what it was given; a tampered cursor is a 400, not a 500.
// A page continues after the last row's key in the list's order (keyset paging: WHERE key > cursor
// ORDER BY key LIMIT limit+1), so page 1,000 costs what page 1 does and no row is skipped or repeated.
import { badRequest } from './errors.ts';

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;

/**
 * What one part of an order key holds: a safe integer (ids, times in ms or µs), or a string that
 * matches an anchored pattern, so that a tampered cursor never reaches SQL as a value a cast refuses.
 */
export type KeyPart = 'int' | RegExp;
export type KeyShape = Record<string, KeyPart>;
/** The values of a key of shape `S`. */
export type Key<S extends KeyShape> = { [K in keyof S]: S[K] extends 'int' ? number : string };

export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

const fits = (part: KeyPart, v: unknown): boolean =>
  part === 'int' ? typeof v === 'number' && Number.isSafeInteger(v) : typeof v === 'string' && part.test(v);

/** Decodes a cursor made by encodeCursor with a key of `shape`; anything else is a 400 naming `field`. */
export function decodeCursor<S extends KeyShape>(cursor: string, shape: S, field = 'cursor'): Key<S> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, part] of Object.entries(shape)) {
      if (!fits(part, value[k])) throw new Error(k);
      out[k] = value[k];
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
      return { items, next_cursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
    },
  };
}

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
