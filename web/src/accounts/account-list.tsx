// The accounts the signed-in user may read (its own; every account for an admin, an auditor or an
// issuer), each a link to its members and whitelist.
import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import { useAccounts } from '../api/accounts';
import { type Column, DataTable } from '../components/data-table';
import { Empty, Failed, Loading } from '../components/states';
import { utc } from '../format';
import type { Account } from './shape';

const COLUMNS: Column<Account>[] = [
  {
    header: 'Account',
    cell: (a) => (
      <Anchor component={Link} to={`/accounts/${a.id}`} inherit>
        {a.account_name}
      </Anchor>
    ),
  },
  { header: 'Id', cell: (a) => a.id, align: 'right' },
  { header: 'Created', cell: (a) => utc(a.created_at) },
  { header: 'State', cell: (a) => (a.closed_at === null ? 'Open' : `Closed ${utc(a.closed_at)}`) },
];

export function AccountList() {
  const accounts = useAccounts();
  if (accounts.isPending) return <Loading what="accounts" />;
  if (accounts.isError) return <Failed error={accounts.error} />;
  const { items, next_cursor } = accounts.data;
  if (items.length === 0) return <Empty>You belong to no account yet: create one, or accept an invitation.</Empty>;
  return (
    <>
      <DataTable rows={items} columns={COLUMNS} rowKey={(a) => a.id} minWidth={520} label="Accounts" />
      {next_cursor !== null && <Text size="sm">The first {items.length} accounts, in id order.</Text>}
    </>
  );
}
