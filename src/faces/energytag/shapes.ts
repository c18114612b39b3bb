// What several of the face's routes share: the draft's UUID field, reading a UUID back into
// Tally's id, and the draft's dates.
import { Type } from 'typebox';
import { MAX_LIMIT, type Page, type PageRequest } from '../../platform/pagination.ts';
import { idOf, type Kind } from './ids.ts';
import { refuse } from './wire.ts';

export const Uuid = Type.String({ format: 'uuid' });

/** Tally's id of the `kind` a UUID names, or a 422 at `loc`. */
export function entityId(kind: Kind, uuid: string, loc: string | Array<string | number>): number {
  const id = idOf(kind, uuid);
  if (id === undefined)
    throw refuse(
      loc,
      `not the id of ${kind === 'account' || kind === 'issuance' || kind === 'action' ? 'an' : 'a'} ${kind} of this registry`,
      'value_error.uuid',
    );
  return id;
}

/** A time as the draft's `format: date` (YYYY-MM-DD, UTC). */
export const dateOf = (t: string | Date): string =>
  (typeof t === 'string' ? new Date(t) : t).toISOString().slice(0, 10);

/** Every page of a list, in one array (the draft does not page). */
export async function every<T>(page: (request: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page({ limit: MAX_LIMIT, cursor, field: 'body/cursor' });
    items.push(...next.items);
    cursor = next.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}
