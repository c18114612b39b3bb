// The manager's payments: a day's matches with their payment states, chosen ones moved on together
// (created → sent or error; sent → paid, not_paid or error; not_paid → paid; error → sent). The API
// moves all or none, and a refusal is shown in its words.
import { Button, Checkbox, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, dataOf } from '../api/client';
import type { components } from '../api/schema';
import { Empty, Failed, Loading } from '../components/states';
import { energy, idList, money, utc } from '../format';
import { dayPeriod } from './shape';

type MatchState = components['schemas']['MatchState'];
const STATES: MatchState[] = ['created', 'sent', 'paid', 'not_paid', 'error'];

/** A party to a match: a member by name, or the public grid. */
const party = (id: number | null, names: Map<number, string>) => (id === null ? 'Grid' : (names.get(id) ?? `#${id}`));

export function Payments(props: { communityId: number; day: string; currency: string; names: Map<number, string> }) {
  const { communityId, day, currency, names } = props;
  const queries = useQueryClient();
  const key = ['community-matches', communityId, day];
  const matches = useQuery({
    queryKey: key,
    queryFn: async () =>
      dataOf(
        await api.GET('/api/communities/{id}/matches', {
          params: { path: { id: communityId }, query: { ...dayPeriod(day), limit: 1000 } },
        }),
      ),
  });
  const [chosen, setChosen] = useState<number[]>([]);
  const [target, setTarget] = useState<MatchState>('sent');
  const move = useMutation({
    mutationFn: async () =>
      dataOf(
        await api.PATCH('/api/communities/{id}/matches', {
          params: { path: { id: communityId } },
          body: { match_ids: chosen, state: target },
        }),
      ),
    onSuccess: () => {
      setChosen([]);
      return queries.invalidateQueries({ queryKey: key });
    },
  });
  if (matches.isPending) return <Loading what={`the matches of ${day}`} />;
  if (matches.isError) return <Failed error={matches.error} />;
  const items = matches.data.items.filter((m) => m.buyer !== null && m.seller !== null);
  if (items.length === 0) return <Empty>No trade between members on {day}.</Empty>;
  const toggle = (id: number) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  return (
    <Stack>
      <Table.ScrollContainer minWidth={640}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Choose</Table.Th>
              <Table.Th>Match</Table.Th>
              <Table.Th>Interval</Table.Th>
              <Table.Th>Seller → buyer</Table.Th>
              <Table.Th>Energy</Table.Th>
              <Table.Th>Amount</Table.Th>
              <Table.Th>State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>
                  <Checkbox
                    aria-label={`Match ${m.id}`}
                    checked={chosen.includes(m.id)}
                    onChange={() => toggle(m.id)}
                  />
                </Table.Td>
                <Table.Td>{m.id}</Table.Td>
                <Table.Td>{utc(m.interval_start)}</Table.Td>
                <Table.Td>
                  {party(m.seller, names)} → {party(m.buyer, names)}
                </Table.Td>
                <Table.Td>{energy(m.wh)}</Table.Td>
                <Table.Td>{money(m.amount, currency)}</Table.Td>
                <Table.Td>{m.state}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group align="end">
        <Select
          label="New payment state"
          data={STATES}
          value={target}
          onChange={(v) => v && setTarget(v as MatchState)}
          allowDeselect={false}
          w={180}
        />
        <Button disabled={chosen.length === 0} loading={move.isPending} onClick={() => move.mutate()}>
          {chosen.length === 0
            ? 'Choose matches'
            : `Mark match${chosen.length > 1 ? 'es' : ''} ${idList(chosen)} as ${target}`}
        </Button>
      </Group>
      {move.isError && <Failed error={move.error} />}
      {move.isSuccess && (
        <Text role="status">
          {move.data.items.length} match{move.data.items.length > 1 ? 'es' : ''} now {move.data.items[0]?.state}.
        </Text>
      )}
    </Stack>
  );
}
