// The issuing body issues certificates for a production device's metered intervals: the device
// and intervals entered, then a confirmation naming the device, the account credited, each
// interval and its Wh, and the API's answer (the bundles) or its refusal in its own words.
import { Button, Group, Select, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client';
import type { KeyHeader } from '../api/idempotency';
import { BUNDLES_KEY } from '../certificates/bundles';
import { ConfirmModal } from '../components/confirm-modal';
import { Done } from '../components/done';
import { exactWh, power } from '../format';
import { IntervalRows } from './interval-rows';
import {
  type IssueBody,
  type IssueFields,
  issuedText,
  issueWords,
  limitWh,
  NO_ISSUE,
  prepareIssue,
  totalWh,
} from './issue-request';
import { useProductionDevices } from './production-devices';

const HOUR_MS = 3_600_000;

const readyText = (body: IssueBody) =>
  `Ready to review: ${body.intervals.length === 1 ? 'one interval' : `${body.intervals.length} intervals`}, ` +
  `${exactWh(totalWh(body))}.`;

const send = (body: IssueBody, header: KeyHeader) => api.POST('/api/certificates/issue', { params: { header }, body });

export function IssueSection() {
  const production = useProductionDevices();
  const [fields, setFields] = useState<IssueFields>(NO_ISSUE);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string>();
  const queries = useQueryClient();
  if ('instead' in production) return production.instead;

  const device = production.list.find((d) => d.id === fields.deviceId);
  const prepared = prepareIssue(fields);
  const review = (e: FormEvent) => {
    e.preventDefault();
    if (prepared.ok) setConfirming(true);
  };
  return (
    <Stack component="form" onSubmit={review} aria-label="Issue certificates">
      <Text>
        Certificates for metered production: one bundle per interval (at most an hour), credited to the device’s
        account.
      </Text>
      <Select
        label="Device"
        placeholder="Choose a production device"
        searchable
        data={production.list.map((d) => ({
          value: String(d.id),
          label: `${d.device_name} (device ${d.id}, account ${d.account_id})`,
        }))}
        value={fields.deviceId === undefined ? null : String(fields.deviceId)}
        onChange={(v) => setFields((f) => ({ ...f, deviceId: v === null ? undefined : Number(v) }))}
        maw={520}
      />
      <IntervalRows
        rows={fields.rows}
        onChange={(rows) => setFields((f) => ({ ...f, rows }))}
        whHint={
          device && `${power(device.capacity)}: at most ${exactWh(limitWh(device.capacity, HOUR_MS))} for a whole hour.`
        }
      />
      {done && <Done text={done} onDismiss={() => setDone(undefined)} />}
      <Group justify="space-between">
        <Text size="sm" c="dimmed" aria-live="polite">
          {prepared.ok ? readyText(prepared.request) : prepared.missing}
        </Text>
        <Button type="submit" disabled={!prepared.ok}>
          Review issuance
        </Button>
      </Group>
      {device && (
        <ConfirmModal
          opened={confirming}
          title="Issue certificates"
          onClose={() => setConfirming(false)}
          prepared={prepared}
          words={(body) => issueWords(body, device)}
          confirm={prepared.ok ? `Issue ${exactWh(totalWh(prepared.request))}` : 'Issue'}
          send={send}
          onDone={(result) => {
            setConfirming(false);
            setDone(issuedText(result.bundles));
            setFields({ ...NO_ISSUE, deviceId: fields.deviceId });
            // The account's bundles, holdings and the device's hours changed.
            void queries.invalidateQueries({ queryKey: [BUNDLES_KEY] });
            void queries.invalidateQueries({ queryKey: ['summary'] });
            void queries.invalidateQueries({ queryKey: ['metering', 'hours'] });
            void queries.invalidateQueries({ queryKey: ['issuance'] });
          }}
        />
      )}
    </Stack>
  );
}
