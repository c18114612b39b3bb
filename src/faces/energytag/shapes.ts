// What several of the face's routes share: the draft's UUID field, reading a UUID back into
// Tally's id (and a body's repeated id against the path's), whole lists, and the draft's dates.
import { Type } from 'typebox';
import { everyPage, type Page, type PageRequest } from '../../platform/pagination.ts';
import { idOf, type Kind } from './ids.ts';
import { refuse } from './wire.ts';

export const Uuid = Type.String({ format: 'uuid' });

/** Tally's id of the `kind` a UUID names, or a 422 at `loc`. */
export function entityId(kind: Kind, uuid: string, loc: string | Array<string | number>): number {
  const id = idOf(kind, uuid);
  if (id === undefined)
    throw refuse(loc, `not the id of ${/^[aio]/.test(kind) ? 'an' : 'a'} ${kind} of this registry`, 'value_error.uuid');
  return id;
}

/** A time as the draft's `format: date` (YYYY-MM-DD, UTC). */
export const dateOf = (t: string | Date): string =>
  (typeof t === 'string' ? new Date(t) : t).toISOString().slice(0, 10);

/** Every page of a list, in one array (the draft does not page); past the most, a 422 asks to narrow. */
export const every = <T>(page: (request: PageRequest) => Promise<Page<T>>): Promise<T[]> =>
  everyPage(page, 'body/cursor', {
    tooMany: (max) => refuse(['body'], `more than ${max} items match; narrow the filter`, 'value_error.too_many'),
  });

/**
 * The draft repeats the path's id in the body of a change (`id`): one given must name the path's
 * entity, or the change is refused (422 naming `id`) rather than applied to the other one.
 */
export function bodyIdIsPath(kind: Kind, bodyId: string | undefined, pathId: number): void {
  if (bodyId !== undefined && idOf(kind, bodyId) !== pathId)
    throw refuse('id', `the ${kind} id of the body is not the path’s`, 'value_error.id');
}
