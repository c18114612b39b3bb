// A list the API pages with cursors, a page at a time: the next page is fetched when the reader
// asks for more ("Load more"), not all at once as allPages does for bounded spans.
import { type InfiniteData, type QueryKey, type UseInfiniteQueryResult, useInfiniteQuery } from '@tanstack/react-query';
import type { ListPage } from './all-pages';

export type PagedList<T> = UseInfiniteQueryResult<InfiniteData<ListPage<T>, string | undefined>, Error>;

export function usePagedList<T>(
  queryKey: QueryKey,
  page: (cursor: string | undefined) => Promise<ListPage<T>>,
): PagedList<T> {
  return useInfiniteQuery({
    queryKey,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => page(pageParam),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}
