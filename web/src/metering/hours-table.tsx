// A device's hours in the period, a day a page: metered Wh and the issuance state of each, all of
// them or only the issued or the pending ones.
import { Badge, Group, Pagination, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { Empty } from '../components/states';
import { exactWh, utc } from '../format';
import { hourState } from './hour-state';
import type { Hour, HourKind } from './hours';

const PER_PAGE = 24;
const SHOWN = ['all', 'issued', 'pending'] as const;
type Shown = (typeof SHOWN)[number];

/** Shades dark enough for the badges' small white words to pass WCAG AA (Mantine's green.9 and orange.9 fall short). */
const BADGE: Record<HourKind, string> = { issued: 'teal.9', pending: '#9c3d00', withdrawn: 'red.9', none: 'gray.7' };

/** Pagination's arrows carry no words of their own. */
const CONTROLS = { first: 'First page', previous: 'Previous page', next: 'Next page', last: 'Last page' };

export function HoursTable({ hours }: { hours: Hour[] }) {
  const [shown, setShown] = useState<Shown>('all');
  const [page, setPage] = useState(1);
  const rows = useMemo(() => (shown === 'all' ? hours : hours.filter((h) => h.kind === shown)), [hours, shown]);
  const pages = Math.max(1, Math.ceil(rows.length / PER_PAGE));
  const current = Math.min(page, pages);
  const count = (kind: HourKind) => hours.filter((h) => h.kind === kind).length;
  return (
    <Stack gap="sm">
      <SegmentedControl
        aria-label="Hours shown"
        value={shown}
        onChange={(value) => {
          setShown(SHOWN.find((s) => s === value) ?? 'all');
          setPage(1);
        }}
        data={[
          { value: 'all', label: `All (${hours.length})` },
          { value: 'issued', label: `Issued (${count('issued')})` },
          { value: 'pending', label: `Pending (${count('pending')})` },
        ]}
        style={{ alignSelf: 'flex-start' }}
      />
      {rows.length === 0 ? (
        <Empty>No {shown === 'all' ? '' : `${shown} `}hour in this period.</Empty>
      ) : (
        <Table aria-label="Hours">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Hour</Table.Th>
              <Table.Th>Metered</Table.Th>
              <Table.Th>Issuance</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.slice((current - 1) * PER_PAGE, current * PER_PAGE).map((h) => {
              const state = hourState(h);
              return (
                <Table.Tr key={h.start}>
                  <Table.Td>{utc(h.start)}</Table.Td>
                  <Table.Td>{h.metered === null ? '—' : exactWh(h.metered)}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="wrap">
                      <Badge color={BADGE[h.kind]}>{state.label}</Badge>
                      {state.detail && <Text size="sm">{state.detail}</Text>}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {pages > 1 && (
        <Pagination
          total={pages}
          value={current}
          onChange={setPage}
          getControlProps={(control) => ({ 'aria-label': CONTROLS[control] })}
        />
      )}
    </Stack>
  );
}
