// The forecasting market for a participant: the sessions and their states, one's bids and where
// their payments stand, one's resources (each leading to the market's forecasts of it), and the
// balance the market holds with its movements and payouts. Each tab has its own address
// (/market/bids…), so the browser's back button and links work between them.
import { Stack, Tabs, Text, Title } from '@mantine/core';
import { Navigate, useNavigate, useParams } from 'react-router';
import { Section } from '../components/section';
import { BidsTable } from '../market/bids-table';
import { Balances, Payouts, Transactions } from '../market/money';
import { ResourceView } from '../market/resource-view';
import { ResourcesTable } from '../market/resources-table';
import { SessionsTable } from '../market/sessions-table';

const TABS = {
  sessions: 'Sessions',
  bids: 'Bids',
  resources: 'Resources',
  balance: 'Balance',
} as const;
type Tab = keyof typeof TABS;
const isTab = (t: string): t is Tab => t in TABS;

function TabContent({ tab }: { tab: Tab }) {
  switch (tab) {
    case 'sessions':
      return (
        <Section title="Sessions">
          <Text>
            Each session takes bids while open; at gate closure its run forecasts the next 24 hours of every paid bid’s
            resource, charges the bidders for the gain and pays the sellers whose data made it.
          </Text>
          <SessionsTable />
        </Section>
      );
    case 'bids':
      return (
        <Section title="Your bids">
          <BidsTable />
        </Section>
      );
    case 'resources':
      return (
        <Section title="Your resources">
          <ResourcesTable />
        </Section>
      );
    case 'balance':
      return (
        <>
          <Section title="Balance">
            <Balances />
          </Section>
          <Section title="Transactions">
            <Transactions />
          </Section>
          <Section title="Payouts">
            <Payouts />
          </Section>
        </>
      );
  }
}

export function MarketPage() {
  const { tab = 'sessions', id } = useParams();
  const navigate = useNavigate();
  if (id !== undefined) return <ResourceView id={id} />;
  if (!isTab(tab)) return <Navigate to="/market" replace />;
  return (
    <Stack>
      <Title order={2}>Forecasting market</Title>
      <Text>
        Owners of wind and solar plants buy better forecasts of their plants made from each other’s data, and are paid
        when their data improves someone else’s. Amounts are in base units of the market token.
      </Text>
      <Tabs value={tab} onChange={(t) => t && navigate(t === 'sessions' ? '/market' : `/market/${t}`)}>
        <Tabs.List>
          {Object.entries(TABS).map(([value, label]) => (
            <Tabs.Tab key={value} value={value}>
              {label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {(Object.keys(TABS) as Tab[]).map((value) => (
          <Tabs.Panel key={value} value={value} pt="md">
            <Stack>
              <TabContent tab={value} />
            </Stack>
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
