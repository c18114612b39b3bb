// What the signed-in user holds: per account, Wh by energy source and status and by production
// period; and what happened last to its accounts.
import { Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useAccounts } from '../api/accounts';
import { api, dataOf } from '../api/client';
import { Empty, Failed, Loading } from '../components/states';
import { HoldingsChart } from '../dashboard/holdings-chart';
import { LatestEvents } from '../dashboard/latest-events';
import { energy, exactWh } from '../format';

function Holdings({ accountId, name }: { accountId: number; name: string }) {
  const summary = useQuery({
    queryKey: ['summary', accountId],
    queryFn: async () => dataOf(await api.GET('/api/accounts/{id}/summary', { params: { path: { id: accountId } } })),
  });
  return (
    <Card withBorder>
      <Title order={3} size="h4">
        {name}
      </Title>
      {summary.isPending && <Loading what="holdings" />}
      {summary.isError && <Failed error={summary.error} />}
      {summary.data &&
        (summary.data.by_source_and_status.length === 0 ? (
          <Empty>This account holds no certificates.</Empty>
        ) : (
          <Stack gap="xs">
            <Text>
              {energy(summary.data.total_wh)} in all ({exactWh(summary.data.total_wh)})
            </Text>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Source</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Bundles</Table.Th>
                  <Table.Th>Energy</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {summary.data.by_source_and_status.map((row) => (
                  <Table.Tr key={`${row.energy_source}/${row.certificate_bundle_status}`}>
                    <Table.Td>{row.energy_source}</Table.Td>
                    <Table.Td>{row.certificate_bundle_status}</Table.Td>
                    <Table.Td>{row.bundles}</Table.Td>
                    <Table.Td>{energy(row.wh)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <HoldingsChart accountId={accountId} name={name} />
          </Stack>
        ))}
    </Card>
  );
}

export function DashboardPage() {
  const accounts = useAccounts();
  return (
    <Stack>
      <Title order={2}>Dashboard</Title>
      {accounts.isPending && <Loading what="accounts" />}
      {accounts.isError && <Failed error={accounts.error} />}
      {accounts.data && accounts.data.items.length === 0 && <Empty>You belong to no account yet.</Empty>}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {accounts.data?.items.map((a) => (
          <Holdings key={a.id} accountId={a.id} name={a.account_name} />
        ))}
      </SimpleGrid>
      <Card withBorder>
        <Title order={3} size="h4" mb="xs">
          Latest events
        </Title>
        <LatestEvents />
      </Card>
    </Stack>
  );
}
