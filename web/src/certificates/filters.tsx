// The query's filters as a form: edited freely, applied together (a button or Enter), so a half-typed
// time never sends a query.
import { Button, Group, MultiSelect, NumberInput, Select, SimpleGrid, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { components } from '../api/schema';
import { type Filter, NO_FILTER, SOURCE_LABELS, STATUS_LABELS } from './filter';
import type { EnergySource, Status } from './types';

type Account = components['schemas']['Account'];

const options = <K extends string>(labels: Record<K, string>) =>
  (Object.entries(labels) as [K, string][]).map(([value, label]) => ({ value, label }));
const STATUS_OPTIONS = options(STATUS_LABELS);
const SOURCE_OPTIONS = options(SOURCE_LABELS);

/** NumberInput's value as an id: a positive number, else none. */
const idOf = (value: number | string) => (typeof value === 'number' && value > 0 ? value : undefined);

interface Props {
  accounts: Account[];
  /** The filter in force, with the account it reads. */
  applied: Filter & { accountId: number };
  onApply: (filter: Filter) => void;
}

export function Filters({ accounts, applied, onApply }: Props) {
  const [draft, setDraft] = useState<Filter>(applied);
  const set = (change: Partial<Filter>) => setDraft((d) => ({ ...d, ...change }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  return (
    <form onSubmit={submit} aria-label="Filters">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
        <Select
          label="Account"
          allowDeselect={false}
          data={accounts.map((a) => ({
            value: String(a.id),
            label: `${a.account_name} (account ${a.id})${a.closed_at ? ', closed' : ''}`,
          }))}
          value={String(draft.accountId ?? applied.accountId)}
          onChange={(v) => set({ accountId: v === null ? undefined : Number(v) })}
        />
        <MultiSelect
          label="Status"
          placeholder={draft.statuses.length ? undefined : 'Any status'}
          data={STATUS_OPTIONS}
          value={draft.statuses}
          onChange={(v) => set({ statuses: v as Status[] })}
        />
        <MultiSelect
          label="Energy source"
          placeholder={draft.sources.length ? undefined : 'Any source'}
          data={SOURCE_OPTIONS}
          value={draft.sources}
          onChange={(v) => set({ sources: v as EnergySource[] })}
        />
        <NumberInput
          label="Device id"
          placeholder="Any device"
          min={1}
          allowDecimal={false}
          allowNegative={false}
          value={draft.deviceId ?? ''}
          onChange={(v) => set({ deviceId: idOf(v) })}
        />
        <TextInput
          type="datetime-local"
          label="Produced from (UTC)"
          value={draft.producedFrom}
          onChange={(e) => set({ producedFrom: e.currentTarget.value })}
        />
        <TextInput
          type="datetime-local"
          label="Produced before (UTC)"
          value={draft.producedBefore}
          onChange={(e) => set({ producedBefore: e.currentTarget.value })}
        />
      </SimpleGrid>
      <Group mt="sm">
        <Button type="submit">Show bundles</Button>
        <Button
          variant="subtle"
          onClick={() => {
            const cleared = { ...NO_FILTER, accountId: draft.accountId };
            setDraft(cleared);
            onApply(cleared);
          }}
        >
          Clear filters
        </Button>
      </Group>
    </form>
  );
}
