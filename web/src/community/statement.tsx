// A community's month: each member's energy from and to peers and the grid, its share traded with
// peers, what it paid and earned, and what it saved against the grid alone; the CSV beside it.
import { Anchor, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../api/client';
import { Empty, Failed, Loading } from '../components/states';
import { energy, money, percent } from '../format';
import { memberShares } from './shape';

function Total({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg">
        {value}
      </Text>
    </Stack>
  );
}

export function MonthStatement({ communityId, month }: { communityId: number; month: string }) {
  const statement = useQuery({
    queryKey: ['community-statement', communityId, month],
    queryFn: async () =>
      dataOf(
        await api.GET('/api/communities/{id}/statements', {
          params: { path: { id: communityId }, query: { month } },
        }),
      ),
  });
  if (statement.isPending) return <Loading what={`the statement of ${month}`} />;
  if (statement.isError) return <Failed error={statement.error} />;
  const st = statement.data;
  const shares = new Map(memberShares(st).map((s) => [s.member_id, s]));
  const cash = (amount: number) => money(amount, st.currency);
  const traded = st.totals.from_peers_wh;
  return (
    <Stack>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Total label="Traded between members" value={energy(traded)} />
        <Total label="Taken from the grid" value={energy(st.totals.from_grid_wh)} />
        <Total label="Given to the grid" value={energy(st.totals.to_grid_wh)} />
        <Total label="Saved against the grid alone" value={cash(st.totals.savings)} />
      </SimpleGrid>
      {st.members.length === 0 ? (
        <Empty>No member took part in {month}.</Empty>
      ) : (
        <Table.ScrollContainer minWidth={820}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Member</Table.Th>
                <Table.Th>From peers</Table.Th>
                <Table.Th>Of its intake</Table.Th>
                <Table.Th>To peers</Table.Th>
                <Table.Th>Of its surplus</Table.Th>
                <Table.Th>From grid</Table.Th>
                <Table.Th>To grid</Table.Th>
                <Table.Th>Net cost</Table.Th>
                <Table.Th>Saved</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {st.members.map((m) => (
                <Table.Tr key={m.member_id}>
                  <Table.Td>{m.name}</Table.Td>
                  <Table.Td>{energy(m.from_peers_wh)}</Table.Td>
                  <Table.Td>{percent(shares.get(m.member_id)?.consumed_from_peers)}</Table.Td>
                  <Table.Td>{energy(m.to_peers_wh)}</Table.Td>
                  <Table.Td>{percent(shares.get(m.member_id)?.supplied_to_peers)}</Table.Td>
                  <Table.Td>{energy(m.from_grid_wh)}</Table.Td>
                  <Table.Td>{energy(m.to_grid_wh)}</Table.Td>
                  <Table.Td>{cash(m.net_cost)}</Table.Td>
                  <Table.Td>{cash(m.savings)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Group>
        <Anchor
          href={`/api/communities/${communityId}/statements.csv?month=${month}`}
          download={`community-${communityId}-${month}.csv`}
        >
          The statement of {month} as CSV
        </Anchor>
      </Group>
    </Stack>
  );
}
