// The certificates an account holds: queried with filters, listed in a table that stays smooth for
// ten thousand rows (pages load as the end comes into view), selected, and acted on (transfer,
// cancel, claim, reserve, lock and their undoing) after a confirmation that says exactly what will happen.
import { Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { useAccounts } from '../api/accounts';
import { ActionBar } from '../certificates/action-bar';
import { ActionModal } from '../certificates/action-modal';
import type { ActionName } from '../certificates/actions';
import { NO_FILTER } from '../certificates/filter';
import { Filters } from '../certificates/filters';
import { BundleResults } from '../certificates/results';
import { useBundleSearch } from '../certificates/search';
import { Done } from '../components/done';
import { Empty, Failed, Loading } from '../components/states';

export function CertificatesPage() {
  const accounts = useAccounts();
  const { filter, account, bundles, selection, apply } = useBundleSearch(accounts.data?.items, NO_FILTER);
  const [action, setAction] = useState<ActionName>();
  const [done, setDone] = useState<string>();

  const finished = (text: string) => {
    setAction(undefined);
    selection.clear();
    setDone(text);
  };
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
            onApply={(next) => {
              apply(next);
              setDone(undefined);
            }}
          />
          <Done text={done} onDismiss={() => setDone(undefined)} />
          <ActionBar bundles={selection.bundles} onAction={setAction} onClear={selection.clear} />
          <BundleResults bundles={bundles} selection={selection} moreButton />
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
