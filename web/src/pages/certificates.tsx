// The certificates an account holds: queried with filters, listed in a table that stays smooth for
// ten thousand rows (pages load as the end comes into view), selected, and acted on (transfer,
// cancel, claim, reserve, lock and their undoing) after a confirmation that says exactly what will happen.
import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useAccounts } from '../api/accounts';
import { ActionBar } from '../certificates/action-bar';
import { ActionModal } from '../certificates/action-modal';
import type { ActionName } from '../certificates/actions';
import { useBundles } from '../certificates/bundles';
import { type Filter, NO_FILTER, queryBody } from '../certificates/filter';
import { Filters } from '../certificates/filters';
import { useSelection } from '../certificates/selection';
import { BundleTable } from '../certificates/table';
import { Empty, Failed, Loading } from '../components/states';
import { exactWh } from '../format';

export function CertificatesPage() {
  const accounts = useAccounts();
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  const account = accounts.data?.items.find((a) => a.id === filter.accountId) ?? accounts.data?.items[0];
  const { query, rows } = useBundles(account && queryBody(filter, account.id));
  const selection = useSelection(rows);
  const [action, setAction] = useState<ActionName>();
  const [done, setDone] = useState<string>();

  const apply = (next: Filter) => {
    setFilter(next);
    selection.clear();
    setDone(undefined);
  };
  const finished = (text: string) => {
    setAction(undefined);
    selection.clear();
    setDone(text);
  };
  const { fetchNextPage } = query;
  // Stable, and never cancelling a page on its way: the table asks again on every scroll near the end.
  const loadMore = useCallback(() => void fetchNextPage({ cancelRefetch: false }), [fetchNextPage]);
  const more = query.hasNextPage && !query.isFetchingNextPage;
  const loaded = rows.reduce((s, b) => s + b.bundle_quantity, 0);
  return (
    <Stack>
      <Title order={2}>Certificates</Title>
      {accounts.isPending && <Loading what="accounts" />}
      {accounts.isError && <Failed error={accounts.error} />}
      {accounts.data && !account && <Empty>You belong to no account yet.</Empty>}
      {account && (
        <>
          <Filters
            accounts={accounts.data?.items ?? []}
            applied={{ ...filter, accountId: account.id }}
            onApply={apply}
          />
          {done && (
            <Alert
              color="green"
              title="Done"
              role="status"
              withCloseButton
              closeButtonLabel="Dismiss"
              onClose={() => setDone(undefined)}
            >
              {done}
            </Alert>
          )}
          <ActionBar bundles={selection.bundles} onAction={setAction} onClear={selection.clear} />
          {query.isPending && <Loading what="bundles" />}
          {query.isError && <Failed error={query.error} />}
          {query.isSuccess && rows.length === 0 && <Empty>No bundles match these filters.</Empty>}
          {rows.length > 0 && (
            <>
              <BundleTable
                rows={rows}
                selected={selection.selected}
                toggle={selection.toggle}
                toggleAll={selection.toggleAll}
                loadMore={more ? loadMore : undefined}
              />
              <Group gap="xs">
                <Text aria-live="polite">
                  {rows.length} bundle{rows.length === 1 ? '' : 's'} listed, {exactWh(loaded)}
                  {query.hasNextPage ? '; more load as you scroll.' : '.'}
                </Text>
                {query.hasNextPage && (
                  <Button size="xs" variant="outline" onClick={loadMore} loading={query.isFetchingNextPage}>
                    Load more
                  </Button>
                )}
              </Group>
            </>
          )}
          <ActionModal
            action={action}
            bundles={selection.bundles}
            holder={{ id: account.id, name: account.account_name }}
            onClose={() => setAction(undefined)}
            onDone={finished}
          />
        </>
      )}
    </Stack>
  );
}
