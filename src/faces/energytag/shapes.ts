// What several of the face's routes share: the draft's UUID field, reading a UUID back into
// Tally's id, and the draft's dates.
import { Type } from 'typebox';
import { everyPage, type Page, type PageRequest } from '../../platform/pagination.ts';
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

/** The most items the face answers in one list (the draft does not page); past it, a 422 asks to narrow. */
export const MAX_ITEMS = 100_000;

/** Every page of a list, in one array. */
export const every = <T>(page: (request: PageRequest) => Promise<Page<T>>): Promise<T[]> =>
  everyPage(page, 'body/cursor', {
    max: MAX_ITEMS,
    tooMany: () => refuse(['body'], `more than ${MAX_ITEMS} items match; narrow the filter`, 'value_error.too_many'),
  });
