// Energy communities: the list (a visitor sees the public ones; a signed-in user also those it
// manages or belongs to) and one community: its terms, a month's statement, a day's flows, its
// members, and, for its manager, clearing and payment states.
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useRef } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { allPages } from '../api/all-pages';
import { api, dataOf } from '../api/client';
import { useMe } from '../api/me';
import { Clearing } from '../community/clearing';
import { FlowsChart } from '../community/flows-chart';
import { MemberTable } from '../community/members';
import { Payments } from '../community/payments';
import { type Community, thisMonth } from '../community/shape';
import { MonthStatement } from '../community/statement';
import { Empty, Failed, Loading } from '../components/states';
import { money } from '../format';
import { useSignedIn } from '../session';

function CommunityList() {
  const signedIn = useSignedIn();
  const list = useQuery({
    queryKey: ['communities', signedIn],
    queryFn: async () => dataOf(await api.GET('/api/communities', { params: { query: { limit: 100 } } })),
  });
  if (list.isPending) return <Loading what="communities" />;
  if (list.isError) return <Failed error={list.error} />;
  if (list.data.items.length === 0) return <Empty>No community to show.</Empty>;
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Community</Table.Th>
            <Table.Th>Mechanism</Table.Th>
            <Table.Th>Interval</Table.Th>
            <Table.Th>Time zone</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.data.items.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>
                <Anchor component={Link} to={`/communities/${c.id}`}>
                  {c.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{c.mechanism}</Table.Td>
              <Table.Td>{c.interval_minutes} min</Table.Td>
              <Table.Td>{c.time_zone}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Terms({ c }: { c: Community }) {
  const price = (p: number) => `${money(p, c.currency)}/kWh`;
  return (
    <Group gap="xs">
      <Badge variant="light">{c.mechanism}</Badge>
      <Badge variant="light">{c.interval_minutes}-minute intervals</Badge>
      <Text size="sm">
        Grid {price(c.grid_price)}, feed-in {price(c.feed_in_price)}
        {c.peer_price !== null && `, between members ${price(c.peer_price)}`}; months in {c.time_zone}.
      </Text>
    </Group>
  );
}

function CommunityDetail({ id }: { id: number }) {
  const [params, setParams] = useSearchParams();
  // The address as last set, not as this render saw it: a month then a day chosen before the next
  // render would otherwise set the day on the old address and undo the month.
  const latest = useRef(params);
  latest.current = params;
  const month = params.get('month') ?? thisMonth(new Date());
  const day = params.get('day') ?? `${month}-01`;
  const community = useQuery({
    queryKey: ['community', id],
    queryFn: async () => dataOf(await api.GET('/api/communities/{id}', { params: { path: { id } } })),
  });
  const members = useQuery({
    queryKey: ['community-members', id],
    queryFn: () =>
      allPages(async (cursor) =>
        dataOf(
          await api.GET('/api/communities/{id}/members', { params: { path: { id }, query: { limit: 1000, cursor } } }),
        ),
      ),
  });
  const me = useMe();
  const names = useMemo(() => new Map((members.data ?? []).map((m) => [m.id, m.name])), [members.data]);
  if (community.isPending) return <Loading what="the community" />;
  if (community.isError) return <Failed error={community.error} />;
  const c = community.data;
  const manages = me.data?.id === c.manager_id;
  const choose = (key: 'month' | 'day', value: string) => {
    if (!value) return;
    const next = new URLSearchParams(latest.current);
    next.set(key, value);
    if (key === 'month') next.set('day', `${value}-01`);
    latest.current = next;
    setParams(next, { replace: true });
  };
  return (
    <Stack>
      <Title order={2}>{c.name}</Title>
      <Terms c={c} />
      <SimpleGrid cols={{ base: 1, sm: 2 }} maw={520}>
        <TextInput
          type="month"
          label="Statement month"
          value={month}
          onChange={(e) => choose('month', e.target.value)}
        />
        <TextInput type="date" label="Day of the flows" value={day} onChange={(e) => choose('day', e.target.value)} />
      </SimpleGrid>
      <Card withBorder>
        <Title order={3} size="h4" mb="xs">
          Statement of {month}
        </Title>
        <MonthStatement communityId={id} month={month} />
      </Card>
      <Card withBorder>
        <FlowsChart communityId={id} day={day} />
      </Card>
      {manages && (
        <>
          <Card withBorder>
            <Title order={3} size="h4" mb="xs">
              Clearing
            </Title>
            <Clearing communityId={id} day={day} names={names} />
          </Card>
          <Card withBorder>
            <Title order={3} size="h4" mb="xs">
              Payments of {day}
            </Title>
            <Payments communityId={id} day={day} currency={c.currency} names={names} />
          </Card>
        </>
      )}
      <Card withBorder>
        <Title order={3} size="h4" mb="xs">
          Members
        </Title>
        {members.isPending && <Loading what="members" />}
        {members.isError && <Failed error={members.error} />}
        {members.data && <MemberTable members={members.data} />}
      </Card>
    </Stack>
  );
}

export function CommunitiesPage() {
  const { id } = useParams();
  if (id) return <CommunityDetail id={Number(id)} />;
  return (
    <Stack>
      <Title order={2}>Energy communities</Title>
      <Text>
        Neighbours who trade their surplus among themselves, interval by interval, before the grid: what each one took
        from and gave to the others, and what it saved.
      </Text>
      <CommunityList />
    </Stack>
  );
}
