// Money on the market: the balance it holds for the user (every participant's for roles that read
// everything), every movement of it newest first, and the payouts back to the user's wallet.
import { Text } from '@mantine/core';
import { type Column, DataTable } from '../components/data-table';
import { Paged } from '../components/paged';
import { baseUnits, utc } from '../format';
import { useBalances, usePayouts, useResourceNames, useTransactions } from './queries';
import { StateBadge } from './state-badge';
import { PAYOUT_STATES, TRANSACTION_TYPES } from './states';
import type { Balance, Payout, Transaction } from './types';

const BALANCE: Column<Balance>[] = [
  { header: 'Balance', cell: (b) => <Text fw={700}>{baseUnits(b.balance)}</Text> },
  { header: 'Paid in', cell: (b) => baseUnits(b.total_deposit) },
  { header: 'Paid for forecasts', cell: (b) => baseUnits(b.total_payment) },
  { header: 'Earned from data', cell: (b) => baseUnits(b.total_revenue) },
  { header: 'Paid out', cell: (b) => baseUnits(b.total_withdraw) },
  { header: 'Last change', cell: (b) => utc(b.updated_at) },
];
const WHOSE: Column<Balance> = { header: 'User', cell: (b) => b.user_id };

export function Balances() {
  return (
    <Paged list={useBalances()} what="balances" empty="The market holds no balance for you yet.">
      {(items) => (
        <DataTable
          label="Balances"
          rows={items}
          // Only a role that reads everything sees more than its own: then each row says whose it is.
          columns={items.length > 1 ? [WHOSE, ...BALANCE] : BALANCE}
          rowKey={(b) => b.user_id}
          minWidth={720}
        />
      )}
    </Paged>
  );
}

function TransactionRows({ transactions }: { transactions: Transaction[] }) {
  const names = useResourceNames(transactions.flatMap((t) => (t.resource_id === null ? [] : [t.resource_id])));
  const columns: Column<Transaction>[] = [
    { header: 'Recorded', cell: (t) => utc(t.registered_at) },
    { header: 'Movement', cell: (t) => TRANSACTION_TYPES[t.transaction_type] },
    { header: 'Session', cell: (t) => t.session_id ?? '—' },
    { header: 'Resource', cell: (t) => (t.resource_id === null ? '—' : (names.get(t.resource_id) ?? t.resource_id)) },
    { header: 'Amount', cell: (t) => baseUnits(t.amount), align: 'right' },
  ];
  return <DataTable label="Transactions" rows={transactions} columns={columns} rowKey={(t) => t.id} minWidth={640} />;
}

export function Transactions() {
  return (
    <Paged list={useTransactions()} what="transactions" empty="No money has moved on your balance yet.">
      {(items) => <TransactionRows transactions={items} />}
    </Paged>
  );
}

const PAYOUT: Column<Payout>[] = [
  { header: 'Made', cell: (p) => utc(p.registered_at) },
  { header: 'Session', cell: (p) => p.session_id },
  { header: 'Amount', cell: (p) => baseUnits(p.amount) },
  {
    header: 'To wallet',
    cell: (p) => (
      <>
        <Text ff="monospace" size="xs" style={{ wordBreak: 'break-all' }}>
          {p.wallet_address}
        </Text>
        {p.tx_hash && (
          <Text ff="monospace" size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
            transaction {p.tx_hash}
          </Text>
        )}
      </>
    ),
  },
  { header: 'State', cell: (p) => <StateBadge state={PAYOUT_STATES[p.solid ? 'solid' : 'sent']} /> },
];

export function Payouts() {
  return (
    <Paged
      list={usePayouts()}
      what="payouts"
      empty="No payout yet: after a session, balances of at least the minimum payout go back to their wallets on the chain."
    >
      {(items) => <DataTable label="Payouts" rows={items} columns={PAYOUT} rowKey={(p) => p.id} minWidth={720} />}
    </Paged>
  );
}
