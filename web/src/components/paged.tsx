// A paged list as every page shows it: loading, the API's refusal, an empty state in the page's
// words, the rows the caller draws, and "Load more" while the API holds another page.
import { Button, Group, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import type { PagedList } from '../api/paged-list';
import { Empty, Failed, Loading } from './states';

interface PagedProps<T> {
  list: PagedList<T>;
  /** What is listed, plural ("sessions"): "Loading sessions…", "Load more sessions". */
  what: string;
  /** Said when the list is empty. */
  empty: ReactNode;
  children: (items: T[]) => ReactNode;
}

export function Paged<T>({ list, what, empty, children }: PagedProps<T>) {
  if (list.isPending) return <Loading what={what} />;
  if (list.isError) return <Failed error={list.error} />;
  const items = list.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <Stack gap="sm">
      {children(items)}
      {list.hasNextPage && (
        <Group>
          <Button variant="light" loading={list.isFetchingNextPage} onClick={() => list.fetchNextPage()}>
            Load more {what}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
