// How the market's lists scope and page: a user lists their own rows; roles that read everything
// list everyone's, or one user's when they ask. Rows named by UUID page in id order; rows that
// pile up (sessions, transactions, payouts) page newest first.
import { keyset, mapPage, type Page, type PageRequest } from '../platform/pagination.ts';
import { type Principal, readsEverything } from '../platform/principal.ts';
import { UUID_PATTERN } from './schemas.ts';

/** The one user whose rows a list shows, or undefined for everyone's. */
export const listedUser = (principal: Principal, asked: number | undefined): number | undefined =>
  readsEverything(principal) ? asked : principal.userId;

const byUuid = keyset({ id: new RegExp(UUID_PATTERN) });
const byIdDescending = keyset({ id: 'int' });

/** A page in UUID order; `read` gets the id to continue after (lower case) and how many rows to read. */
export async function pageByUuid<R extends { id: string }, V>(
  page: PageRequest,
  read: (after: string | undefined, limit: number) => Promise<R[]>,
  view: (row: R) => V,
): Promise<Page<V>> {
  const rows = await read(byUuid.after(page)?.id.toLowerCase(), page.limit + 1);
  return mapPage(
    byUuid.page(rows, page.limit, (r) => ({ id: r.id })),
    view,
  );
}

/** A page newest first; `read` gets the id to continue below and how many rows to read. */
export async function pageNewestFirst<R extends { id: number }, V>(
  page: PageRequest,
  read: (before: number | undefined, limit: number) => Promise<R[]>,
  view: (row: R) => V,
): Promise<Page<V>> {
  const rows = await read(byIdDescending.after(page)?.id, page.limit + 1);
  return mapPage(
    byIdDescending.page(rows, page.limit, (r) => ({ id: r.id })),
    view,
  );
}
