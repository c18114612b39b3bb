// The bundles a query body selects, page after page along the API's cursor, as one list.
import { skipToken, useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, dataOf } from '../api/client';
import type { QueryBody } from './types';

/** Rows a page brings: enough that scrolling rarely waits, few enough that the first page comes quickly. */
export const PAGE_SIZE = 500;

/** Every query of this page starts with this key: invalidating it refetches whatever is listed. */
export const BUNDLES_KEY = 'certificates';

export function useBundles(body: QueryBody | undefined) {
  const query = useInfiniteQuery({
    queryKey: [BUNDLES_KEY, body],
    queryFn: body
      ? async ({ pageParam, signal }) =>
          dataOf(
            await api.POST('/api/certificates/query', {
              body: { ...body, limit: PAGE_SIZE, cursor: pageParam },
              signal,
            }),
          )
      : skipToken,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  return { query, rows };
}
