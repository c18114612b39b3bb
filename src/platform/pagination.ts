// Opaque cursors: the client hands back what it was given; a tampered cursor is a 400, not a 500.
import { badRequest } from './errors.ts';

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;

export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor with the same keys; anything else is a 400 naming `field`. */
export function decodeCursor<K extends string>(
  cursor: string,
  keys: readonly K[],
  field = 'cursor',
): Record<K, number> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const out = {} as Record<K, number>;
    for (const k of keys) {
      const v = value[k];
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(k);
      out[k] = v;
    }
    return out;
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

/** The id a page continues after, or 0 for the first page. */
export function afterId(page: PageRequest): number {
  return page.cursor === undefined ? 0 : decodeCursor(page.cursor, ['id'], page.field).id;
}

/** Given up to limit+1 rows ordered by id, returns a page and the cursor after its last row. */
export function pageOf<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_cursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
}
