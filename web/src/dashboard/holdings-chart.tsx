// An account's active certificates by the hour, day or month of their production, stacked by
// energy source: what it holds, and when that energy was produced.
import { SegmentedControl, Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, dataOf } from '../api/client';
import { stackedSeries } from '../components/stacked';
import { Empty, Failed, Loading } from '../components/states';
import { TimeChart } from '../components/time-chart';
import { energy } from '../format';
import { type Granularity, holdingsOverTime } from './shape';

export function HoldingsChart({ accountId, name }: { accountId: number; name: string }) {
  const [granularity, setGranularity] = useState<Granularity>('day');
  const sums = useQuery({
    queryKey: ['holdings-over-time', accountId, granularity],
    queryFn: async () =>
      dataOf(
        await api.POST('/api/certificates/aggregate', {
          body: { source_id: accountId, certificate_bundle_status: 'active', granularity },
        }),
      ),
  });
  const over = useMemo(() => holdingsOverTime(sums.data?.items ?? [], granularity), [sums.data, granularity]);
  const series = useMemo(() => stackedSeries(over.layers), [over]);
  return (
    <Stack gap="xs">
      <SegmentedControl
        aria-label={`Production periods of ${name}'s holdings`}
        size="xs"
        value={granularity}
        onChange={(v) => setGranularity(v as Granularity)}
        data={[
          { value: 'hour', label: 'By hour' },
          { value: 'day', label: 'By day' },
          { value: 'month', label: 'By month' },
        ]}
      />
      {sums.isPending && <Loading what="holdings over time" />}
      {sums.isError && <Failed error={sums.error} />}
      {sums.data &&
        (over.times.length === 0 ? (
          <Empty>No active certificates.</Empty>
        ) : (
          <TimeChart
            title={`Active certificates by ${granularity} of production`}
            summary={`${name} holds active certificates produced in ${over.times.length} ${granularity}${over.times.length === 1 ? '' : 's'}: ${over.layers
              .map((l) => `${l.label} ${energy(l.values.reduce((a, b) => a + b, 0))}`)
              .join(', ')}.`}
            times={over.times}
            series={series}
            format={energy}
            height={220}
          />
        ))}
    </Stack>
  );
}
