// The market's sessions, newest first, each with its state, since when, and its prices.
import { Text } from '@mantine/core';
import { type Column, DataTable } from '../components/data-table';
import { Paged } from '../components/paged';
import { baseUnits, utc } from '../format';
import { useSessions } from './queries';
import { StateBadge } from './state-badge';
import { SESSION_STATES, sessionSince } from './states';
import type { Session } from './types';

const COLUMNS: Column<Session>[] = [
  {
    header: 'Session',
    cell: (s) => (
      <>
        <Text fw={600}>{s.id}</Text>
        <Text size="xs" c="dimmed">
          {s.session_date}, no. {s.session_number}
        </Text>
      </>
    ),
  },
  { header: 'State', cell: (s) => <StateBadge state={SESSION_STATES[s.status]} /> },
  { header: 'Since', cell: (s) => utc(sessionSince(s)) },
  { header: 'Market price', cell: (s) => baseUnits(s.market_price) },
  {
    header: 'Price grid',
    cell: (s) => `${baseUnits(s.b_min)} to ${baseUnits(s.b_max)}, ${s.n_price_steps} steps`,
  },
];

export function SessionsTable() {
  return (
    <Paged list={useSessions()} what="sessions" empty="No session is staged yet.">
      {(items) => <DataTable label="Sessions" rows={items} columns={COLUMNS} rowKey={(s) => s.id} minWidth={720} />}
    </Paged>
  );
}
