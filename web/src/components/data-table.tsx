// Rows as a table where there is room, and as a list of cards on a phone: a table of six columns
// at 390 px hides all but two behind a sideways scroll, where a card shows every value of its row
// under its column's name. The caller says the columns once, for both.
import { Card, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { Key, ReactNode } from 'react';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  align?: 'left' | 'right';
}

interface DataTableProps<T> {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => Key;
  /** Width below which the table scrolls sideways (between a phone's width and room for it). */
  minWidth: number;
  /** The table's accessible name, and the card list's. */
  label?: string;
}

/** Narrower than this, rows are cards: Mantine's `xs` breakpoint, a phone held upright. */
export const PHONE = '(max-width: 36em)';

export function DataTable<T>({ rows, columns, rowKey, minWidth, label }: DataTableProps<T>) {
  const phone = useMediaQuery(PHONE, undefined, { getInitialValueInEffect: false });
  if (phone)
    return (
      <Stack component="ul" gap="xs" p={0} m={0} aria-label={label} style={{ listStyle: 'none' }}>
        {rows.map((row) => (
          <Card component="li" key={rowKey(row)} withBorder padding="sm">
            <dl style={{ display: 'grid', gridTemplateColumns: 'minmax(6.5em, auto) 1fr', gap: '6px 12px', margin: 0 }}>
              {columns.map((c) => (
                <div key={c.header} style={{ display: 'contents' }}>
                  <Text component="dt" size="sm" c="dimmed">
                    {c.header}
                  </Text>
                  <dd style={{ margin: 0, minWidth: 0, overflowWrap: 'anywhere' }}>{c.cell(row)}</dd>
                </div>
              ))}
            </dl>
          </Card>
        ))}
      </Stack>
    );
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table striped aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => (
              <Table.Th key={c.header} ta={c.align}>
                {c.header}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={rowKey(row)}>
              {columns.map((c) => (
                <Table.Td key={c.header} ta={c.align}>
                  {c.cell(row)}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
