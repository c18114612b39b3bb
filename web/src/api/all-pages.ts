// Every page of a paginated list, for views that need the whole of a bounded span (a chosen
// period's readings, one account's metering points): the API answers at most 1,000 items a page.
export interface ListPage<T> {
  items: T[];
  next_cursor: string | null;
}

/** Follows `next_cursor` from the first page to the last and returns the items in order. */
export async function allPages<T>(page: (cursor: string | undefined) => Promise<ListPage<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    items.push(...next.items);
    cursor = next.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}
