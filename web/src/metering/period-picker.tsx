// The days a device's hours are shown for, and a way to read them again (the issuance job may have
// run since).
import { Button, Group, TextInput } from '@mantine/core';
import type { Period } from './period';

interface Props {
  period: Period;
  onChange: (period: Period) => void;
  onRefresh: () => void;
  refreshing: boolean;
  /** What is wrong with the period, shown under its end. */
  error?: string | undefined;
}

export function PeriodPicker({ period, onChange, onRefresh, refreshing, error }: Props) {
  return (
    <Group align="flex-start" wrap="wrap">
      <TextInput
        type="date"
        label="From (UTC)"
        value={period.from}
        onChange={(e) => onChange({ ...period, from: e.currentTarget.value })}
      />
      <TextInput
        type="date"
        label="To (UTC, included)"
        value={period.to}
        onChange={(e) => onChange({ ...period, to: e.currentTarget.value })}
        error={error}
      />
      <Button variant="default" onClick={onRefresh} loading={refreshing} mt={25}>
        Refresh
      </Button>
    </Group>
  );
}
