// Each production device with how its hours are issued, and the issuing body's switch of its
// automatic issuance (only the issuing body turns it on), confirmed in words first.
import { Button, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { KeyHeader } from '../api/idempotency';
import { ConfirmModal } from '../components/confirm-modal';
import { type Column, DataTable } from '../components/data-table';
import { Done } from '../components/done';
import { power } from '../format';
import { issuanceMode } from '../metering/device-facts';
import type { Device } from '../metering/types';
import { DEVICES_KEY } from './devices';
import { type AutoIssueChange, autoIssueWords } from './issuance-words';
import { useProductionDevices } from './production-devices';

const send = ({ id, auto_issue }: AutoIssueChange, header: KeyHeader) =>
  api.PATCH('/api/devices/{id}', {
    params: { path: { id }, header },
    body: { auto_issue },
  });

export function AutoIssue() {
  const production = useProductionDevices();
  const [device, setDevice] = useState<Device>();
  const [done, setDone] = useState<string>();
  const queries = useQueryClient();
  if ('instead' in production) return production.instead;
  const columns: Column<Device>[] = [
    {
      header: 'Device',
      cell: (d) => (
        <>
          <Text size="sm" fw={500}>
            {d.device_name}
          </Text>
          <Text size="xs" c="dimmed">
            Device {d.id}, account {d.account_id}, {power(d.capacity)}
          </Text>
        </>
      ),
    },
    { header: 'Issuance', cell: (d) => issuanceMode(d).label },
    {
      header: 'Automatic issuance',
      // A decommissioned device issues nothing new: automatic issuance stopped with it.
      cell: (d) =>
        d.decommissioned_at === null && (
          <Button
            size="xs"
            variant="outline"
            onClick={() => setDevice(d)}
            aria-label={`Turn ${d.auto_issue ? 'off' : 'on'} automatic issuance for ${d.device_name}`}
          >
            {d.auto_issue ? 'Turn off' : 'Turn on'}
          </Button>
        ),
    },
  ];
  return (
    <>
      <Done text={done} onDismiss={() => setDone(undefined)} />
      <DataTable rows={production.list} columns={columns} rowKey={(d) => d.id} minWidth={480} label="Devices" />
      {device && (
        <ConfirmModal
          opened
          title="Automatic issuance"
          onClose={() => setDevice(undefined)}
          prepared={{ ok: true, request: { id: device.id, auto_issue: !device.auto_issue } }}
          words={(change) => autoIssueWords(change, device)}
          confirm={device.auto_issue ? 'Turn off' : 'Turn on'}
          send={send}
          onDone={(result) => {
            setDevice(undefined);
            setDone(
              `Automatic issuance is now ${result.auto_issue ? 'on' : 'off'} for device ${result.id} (${result.device_name}).`,
            );
            void queries.invalidateQueries({ queryKey: DEVICES_KEY });
            void queries.invalidateQueries({ queryKey: ['issuance'] });
          }}
        />
      )}
    </>
  );
}
