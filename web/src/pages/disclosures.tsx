// Published disclosures, public: the list, newest first, and one disclosure in full.
import { Anchor, Button, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, dataOf } from '../api/client';
import { Empty, Failed, Loading } from '../components/states';
import { DisclosureDetail } from '../disclosure/detail';
import { utc } from '../format';

function DisclosureList() {
  const list = useInfiniteQuery({
    queryKey: ['disclosures'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      dataOf(await api.GET('/api/disclosures', { params: { query: { limit: 50, cursor: pageParam } } })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  if (list.isPending) return <Loading what="disclosures" />;
  if (list.isError) return <Failed error={list.error} />;
  const items = list.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty>No disclosure is published yet.</Empty>;
  return (
    <Stack>
      <Table.ScrollContainer minWidth={560}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Period</Table.Th>
              <Table.Th>Consumer</Table.Th>
              <Table.Th>Published</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/disclosures/${d.id}`}>
                    {d.period_start.slice(0, 10)} to {d.period_end.slice(0, 10)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  {d.account_id !== null ? `Account ${d.account_id}` : d.metering_point_ids.join(', ')}
                </Table.Td>
                <Table.Td>{utc(d.created_at)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {list.hasNextPage && (
        <Button variant="light" loading={list.isFetchingNextPage} onClick={() => list.fetchNextPage()}>
          Load more
        </Button>
      )}
    </Stack>
  );
}

export function DisclosuresPage() {
  const { id } = useParams();
  return (
    <Stack>
      <Title order={2}>{id ? 'Disclosure' : 'Disclosures'}</Title>
      {id ? (
        <DisclosureDetail id={id} />
      ) : (
        <>
          <Text>
            What consumers disclose of their electricity: hour by hour, how much of it certificates of the same hour
            cover. Anyone may read them, download their data and check them against the ledger.
          </Text>
          <DisclosureList />
        </>
      )}
    </Stack>
  );
}
