// The bundles a query found, as the certificates page and the issuing body's withdrawal both list
// them: loading, refused or none, the virtualised table, and how many rows and Wh are listed. The
// next page loads as the end of the table comes into view.
import { Button, Group, Text } from '@mantine/core';
import { useCallback } from 'react';
import { Empty, Failed, Loading } from '../components/states';
import { exactWh } from '../format';
import type { useBundles } from './bundles';
import type { useSelection } from './selection';
import { BundleTable } from './table';
import { bundlesWh } from './wh';

interface Props {
  /** The query and its rows, as useBundles gives them. */
  bundles: ReturnType<typeof useBundles>;
  selection: ReturnType<typeof useSelection>;
  /** The table's most height in px (BundleTable's own when absent). */
  maxHeight?: number;
  /** A "Load more" button beside the count too, for paging without scrolling the table. */
  moreButton?: boolean;
}

export function BundleResults({ bundles: { query, rows }, selection, maxHeight, moreButton }: Props) {
  const { fetchNextPage } = query;
  // Stable, and never cancelling a page on its way: the table asks again on every scroll near the end.
  const loadMore = useCallback(() => void fetchNextPage({ cancelRefetch: false }), [fetchNextPage]);
  const count = (
    <Text aria-live="polite">
      {rows.length} bundle{rows.length === 1 ? '' : 's'} listed, {exactWh(bundlesWh(rows))}
      {query.hasNextPage ? '; more load as you scroll.' : '.'}
    </Text>
  );
  return (
    <>
      {query.isPending && <Loading what="bundles" />}
      {/* Not instead of the rows: a later page refused leaves those already listed in place. */}
      {query.isError && <Failed error={query.error} />}
      {query.isSuccess && rows.length === 0 && <Empty>No bundles match these filters.</Empty>}
      {rows.length > 0 && (
        <>
          <BundleTable
            rows={rows}
            selected={selection.selected}
            toggle={selection.toggle}
            toggleAll={selection.toggleAll}
            loadMore={query.hasNextPage && !query.isFetchingNextPage ? loadMore : undefined}
            maxHeight={maxHeight}
          />
          {moreButton ? (
            <Group gap="xs">
              {count}
              {query.hasNextPage && (
                <Button size="xs" variant="outline" onClick={loadMore} loading={query.isFetchingNextPage}>
                  Load more
                </Button>
              )}
            </Group>
          ) : (
            count
          )}
        </>
      )}
    </>
  );
}
