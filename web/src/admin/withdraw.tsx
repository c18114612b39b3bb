// The issuing body withdraws bundles: it finds them in any account (the certificates page's filters
// and table, live statuses by default), selects them, and withdraws them after a confirmation naming
// the bundles, their Wh and certificate ids and the account; a refusal shows in the API's words.
import { Button, Group, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { allPages } from '../api/all-pages';
import { api, dataOf } from '../api/client';
import type { KeyHeader } from '../api/idempotency';
import { BUNDLES_KEY, useBundles } from '../certificates/bundles';
import { type Filter, NO_FILTER, queryBody } from '../certificates/filter';
import { Filters } from '../certificates/filters';
import { useSelection } from '../certificates/selection';
import { BundleTable } from '../certificates/table';
import type { BundleActionBody } from '../certificates/types';
import { ConfirmModal } from '../components/confirm-modal';
import { Done } from '../components/done';
import { Empty, Failed, Loading } from '../components/states';
import { exactWh } from '../format';
import { prepareWithdraw, WITHDRAWABLE, withdrawnText, withdrawWords } from './withdraw-request';

const send = (body: BundleActionBody, header: KeyHeader) =>
  api.POST('/api/certificates/withdraw', { params: { header }, body });

/** Every account: the issuing body reads them all. */
function useAllAccounts() {
  return useQuery({
    queryKey: ['accounts', 'all'],
    queryFn: () =>
      allPages(async (cursor) =>
        dataOf(await api.GET('/api/accounts', { params: { query: { limit: 1000, cursor } } })),
      ),
  });
}

const whOf = (bundles: readonly { bundle_quantity: number }[]) => bundles.reduce((s, b) => s + b.bundle_quantity, 0);

export function WithdrawSection() {
  const accounts = useAllAccounts();
  const [filter, setFilter] = useState<Filter>({ ...NO_FILTER, statuses: WITHDRAWABLE });
  const account = accounts.data?.find((a) => a.id === filter.accountId) ?? accounts.data?.[0];
  const { query, rows } = useBundles(account && queryBody(filter, account.id));
  const selection = useSelection(rows);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string>();
  const queries = useQueryClient();
  const { fetchNextPage } = query;
  // Stable, and never cancelling a page on its way: the table asks again on every scroll near the end.
  const loadMore = useCallback(() => void fetchNextPage({ cancelRefetch: false }), [fetchNextPage]);

  if (accounts.isPending) return <Loading what="accounts" />;
  if (accounts.isError) return <Failed error={accounts.error} />;
  if (!account) return <Empty>There is no account yet, so nothing to withdraw.</Empty>;
  const holder = { id: account.id, name: account.account_name };
  const chosen = selection.bundles;
  const apply = (next: Filter) => {
    setFilter(next);
    selection.clear();
    setDone(undefined);
  };
  return (
    <Stack>
      <Text>
        The issuing body’s correction: find the bundles, select them, and withdraw them. Only active, reserved and
        locked bundles can be withdrawn.
      </Text>
      <Filters accounts={accounts.data} applied={{ ...filter, accountId: account.id }} onApply={apply} />
      <Done text={done} onDismiss={() => setDone(undefined)} />
      <Group justify="space-between" gap="xs">
        <Text role="status" fw={500}>
          {chosen.length === 0
            ? 'No bundle selected.'
            : `${chosen.length} bundle${chosen.length === 1 ? '' : 's'} selected, ${exactWh(whOf(chosen))}.`}
        </Text>
        <Group gap="xs">
          {chosen.length > 0 && (
            <Button size="xs" variant="subtle" onClick={selection.clear}>
              Clear selection
            </Button>
          )}
          <Button size="xs" color="red" disabled={chosen.length === 0} onClick={() => setConfirming(true)}>
            Withdraw selected
          </Button>
        </Group>
      </Group>
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
            loadMore={query.hasNextPage && !query.isFetchingNextPage ? loadMore : undefined}
            maxHeight={360}
          />
          <Text aria-live="polite">
            {rows.length} bundle{rows.length === 1 ? '' : 's'} listed, {exactWh(whOf(rows))}
            {query.hasNextPage ? '; more load as you scroll.' : '.'}
          </Text>
        </>
      )}
      <ConfirmModal
        opened={confirming}
        title="Withdraw certificates"
        onClose={() => setConfirming(false)}
        prepared={prepareWithdraw(holder.id, chosen)}
        words={(body) => withdrawWords(body, chosen, holder)}
        confirm={`Withdraw ${exactWh(whOf(chosen))}`}
        danger
        send={send}
        onDone={(result) => {
          setConfirming(false);
          selection.clear();
          setDone(withdrawnText(result));
          void queries.invalidateQueries({ queryKey: [BUNDLES_KEY] });
          void queries.invalidateQueries({ queryKey: ['summary'] });
          void queries.invalidateQueries({ queryKey: ['metering', 'hours'] });
        }}
      />
    </Stack>
  );
}
