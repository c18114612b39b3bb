// The forecast hour by hour, the chart's values as text: for reading exact values, and for those
// who do not see the chart. Narrow enough for a phone: each hour by its time, the date over the first hour of each day.
import { Table, Text } from '@mantine/core';
import { power } from '../format';
import type { Forecast } from './types';

const NOWRAP = { whiteSpace: 'nowrap' } as const;

export function ForecastHours({ forecasts }: { forecasts: Forecast[] }) {
  return (
    <Table.ScrollContainer minWidth={300}>
      <Table striped fz="sm" horizontalSpacing="xs" aria-label="Forecast hour by hour">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Hour (UTC)</Table.Th>
            <Table.Th ta="right">q10</Table.Th>
            <Table.Th ta="right">Median (q50)</Table.Th>
            <Table.Th ta="right">q90</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {forecasts.map((f, i) => (
            <Table.Tr key={`${f.bid_id}/${f.datetime}`}>
              <Table.Td>
                {(i === 0 || f.datetime.slice(11, 16) === '00:00') && (
                  <Text size="xs" c="dimmed">
                    {f.datetime.slice(0, 10)}
                  </Text>
                )}
                {f.datetime.slice(11, 16)}
              </Table.Td>
              <Table.Td ta="right" style={NOWRAP}>
                {power(f.q10)}
              </Table.Td>
              <Table.Td ta="right" style={NOWRAP}>
                {power(f.q50)}
              </Table.Td>
              <Table.Td ta="right" style={NOWRAP}>
                {power(f.q90)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
