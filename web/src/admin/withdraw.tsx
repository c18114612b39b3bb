// The issuing body withdraws bundles: it finds them in any account (the certificates page's filters
// and table, live statuses by default), selects them, and withdraws them after a confirmation naming
// the bundles, their Wh and certificate ids and the account; a refusal shows in the API's words.
import { Button, Group, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { allPages } from '../api/all-pages';
import { api, dataOf } from '../api/client';
import type { KeyHeader } from '../api/idempotency';
import { selectedText } from '../certificates/action-bar';
import { BUNDLES_KEY } from '../certificates/bundles';
import { NO_FILTER } from '../certificates/filter';
import { Filters } from '../certificates/filters';
import { BundleResults } from '../certificates/results';
import { useBundleSearch } from '../certificates/search';
import type { BundleActionBody } from '../certificates/types';
import { bundlesWh } from '../certificates/wh';
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

export function WithdrawSection() {
  const accounts = useAllAccounts();
  const { filter, account, bundles, selection, apply } = useBundleSearch(accounts.data, {
    ...NO_FILTER,
    statuses: WITHDRAWABLE,
  });
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string>();
  const queries = useQueryClient();

  if (accounts.isPending) return <Loading what="accounts" />;
  if (accounts.isError) return <Failed error={accounts.error} />;
  if (!account) return <Empty>There is no account yet, so nothing to withdraw.</Empty>;
  const holder = { id: account.id, name: account.account_name };
  const chosen = selection.bundles;
  return (
    <Stack>
      <Text>
        The issuing body’s correction: find the bundles, select them, and withdraw them. Only active, reserved and
        locked bundles can be withdrawn.
      </Text>
      <Filters
        accounts={accounts.data}
        applied={{ ...filter, accountId: account.id }}
        onApply={(next) => {
          apply(next);
          setDone(undefined);
        }}
      />
      <Done text={done} onDismiss={() => setDone(undefined)} />
      <Group justify="space-between" gap="xs">
        <Text role="status" fw={500}>
          {selectedText(chosen)}
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
      <BundleResults bundles={bundles} selection={selection} maxHeight={360} />
      <ConfirmModal
        opened={confirming}
        title="Withdraw certificates"
        onClose={() => setConfirming(false)}
        prepared={prepareWithdraw(holder.id, chosen)}
        words={(body) => withdrawWords(body, chosen, holder)}
        confirm={`Withdraw ${exactWh(bundlesWh(chosen))}`}
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
