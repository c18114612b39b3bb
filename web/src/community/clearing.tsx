// The manager's clearing: the chosen day's intervals, which are cleared and who was missing from
// them, and clearing the day now rather than waiting for the job (which waits for late readings).
import { Button, Group, List, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, dataOf } from '../api/client';
import { Failed, Loading } from '../components/states';
import { utc } from '../format';
import { useDayIntervals } from './intervals';
import { dayPeriod } from './shape';

export function Clearing(props: { communityId: number; day: string; names: Map<number, string> }) {
  const { communityId, day, names } = props;
  const queries = useQueryClient();
  const intervals = useDayIntervals(communityId, day);
  const clear = useMutation({
    mutationFn: async () =>
      dataOf(
        await api.POST('/api/communities/{id}/clear', { params: { path: { id: communityId } }, body: dayPeriod(day) }),
      ),
    // Everything computed from the intervals changes: the flows, the statement, the matches.
    onSuccess: () => queries.invalidateQueries({ predicate: (q) => String(q.queryKey[0]).startsWith('community') }),
  });
  if (intervals.isPending) return <Loading what={`the intervals of ${day}`} />;
  if (intervals.isError) return <Failed error={intervals.error} />;
  const items = intervals.data.items;
  const who = (ids: number[]) => ids.map((id) => names.get(id) ?? `#${id}`).join(', ');
  const incomplete = items.filter((i) => i.missing_member_ids.length + i.implausible_member_ids.length > 0);
  return (
    <Stack gap="xs">
      <Text>
        {items.length === 0
          ? `No interval of ${day} is cleared yet.`
          : `${items.length} interval${items.length > 1 ? 's' : ''} of ${day} cleared, the last starting ${utc(
              items.at(-1)!.interval_start,
            )}.`}
      </Text>
      {incomplete.length > 0 && (
        <List size="sm">
          {incomplete.map((i) => (
            <List.Item key={i.interval_start}>
              {utc(i.interval_start)}:{' '}
              {i.missing_member_ids.length > 0 && `no readings from ${who(i.missing_member_ids)}`}
              {i.implausible_member_ids.length > 0 && ` implausible readings from ${who(i.implausible_member_ids)}`}
            </List.Item>
          ))}
        </List>
      )}
      <Group>
        <Button variant="light" loading={clear.isPending} onClick={() => clear.mutate()}>
          Clear {day} now
        </Button>
        {clear.isSuccess && <Text role="status">{clear.data.intervals_cleared} intervals cleared.</Text>}
      </Group>
      {clear.isError && <Failed error={clear.error} />}
    </Stack>
  );
}
