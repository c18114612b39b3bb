// The metered hours not issued yet, by device and why they wait, and the issuing body's "run
// issuance now", confirmed with what is ready and answered with what it issued.
import { Button, Group, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, dataOf } from '../api/client';
import type { KeyHeader } from '../api/idempotency';
import { BUNDLES_KEY } from '../certificates/bundles';
import { ConfirmModal } from '../components/confirm-modal';
import { type Column, DataTable } from '../components/data-table';
import { Done } from '../components/done';
import { Empty, Failed, Loading } from '../components/states';
import { exactWh, utcInterval } from '../format';
import { REASONS } from '../metering/hour-state';
import { useAllDevices } from './devices';
import { groupPending, type PendingGroup, runText, runWords } from './issuance-words';

/** A run takes nothing: every device with automatic issuance on, every ready hour. */
type Run = Record<string, never>;
const RUN: Run = {};

const send = (_: Run, header: KeyHeader) => api.POST('/api/issuance/run', { params: { header } });

export function PendingHours() {
  const devices = useAllDevices();
  const pending = useQuery({
    queryKey: ['issuance', 'pending'],
    queryFn: async () => dataOf(await api.GET('/api/issuance/pending')),
  });
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string>();
  const queries = useQueryClient();
  if (pending.isPending) return <Loading what="the hours waiting for issuance" />;
  if (pending.isError) return <Failed error={pending.error} />;
  const items = pending.data.items;
  const names = new Map(devices.data?.map((d) => [d.id, `${d.device_name} (device ${d.id})`]));
  const groups = groupPending(items);
  const columns: Column<PendingGroup>[] = [
    {
      header: 'Device',
      cell: (g) => (
        <>
          <Text size="sm">{names.get(g.deviceId) ?? `Device ${g.deviceId}`}</Text>
          <Text size="xs" c="dimmed">
            {utcInterval(g.from, g.to)}
          </Text>
        </>
      ),
    },
    { header: 'Why the hours wait', cell: (g) => REASONS[g.reason] },
    { header: 'Hours', cell: (g) => g.hours, align: 'right' },
    { header: 'Metered', cell: (g) => exactWh(g.wh), align: 'right' },
  ];
  return (
    <>
      <Done text={done} onDismiss={() => setDone(undefined)} />
      {groups.length === 0 ? (
        <Empty>Every metered hour is issued: none waits.</Empty>
      ) : (
        <DataTable
          rows={groups}
          columns={columns}
          rowKey={(g) => `${g.deviceId}/${g.reason}`}
          minWidth={560}
          label="Hours waiting"
        />
      )}
      <Group>
        <Button onClick={() => setConfirming(true)}>Run issuance now</Button>
      </Group>
      <ConfirmModal
        opened={confirming}
        title="Run issuance now"
        onClose={() => setConfirming(false)}
        prepared={{ ok: true, request: RUN }}
        words={() => runWords(items)}
        confirm="Run issuance"
        send={send}
        onDone={(result) => {
          setConfirming(false);
          setDone(runText(result));
          void queries.invalidateQueries({ queryKey: ['issuance'] });
          void queries.invalidateQueries({ queryKey: [BUNDLES_KEY] });
          void queries.invalidateQueries({ queryKey: ['metering', 'hours'] });
          void queries.invalidateQueries({ queryKey: ['summary'] });
        }}
      />
    </>
  );
}
