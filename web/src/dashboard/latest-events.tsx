// What happened last to the caller's accounts: the newest events of the log it may read (an
// event's id is what the ledger explorer verifies once it is sealed).
import { Table } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../api/client';
import { Empty, Failed, Loading } from '../components/states';
import { utc } from '../format';

export function LatestEvents({ count = 10 }: { count?: number }) {
  const events = useQuery({
    queryKey: ['latest-events', count],
    queryFn: async () => dataOf(await api.GET('/api/events', { params: { query: { order: 'desc', limit: count } } })),
  });
  if (events.isPending) return <Loading what="the latest events" />;
  if (events.isError) return <Failed error={events.error} />;
  if (events.data.items.length === 0) return <Empty>Nothing has happened to your accounts yet.</Empty>;
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Event</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>About</Table.Th>
            <Table.Th>When</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.data.items.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>{e.id}</Table.Td>
              <Table.Td>{e.type}</Table.Td>
              <Table.Td>
                {e.subject_type} {e.subject_id}
              </Table.Td>
              <Table.Td>{utc(e.recorded_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
