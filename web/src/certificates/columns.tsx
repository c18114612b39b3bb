// The bundle table's columns: all of them side by side on a wide screen; on a narrower one the
// bundle, its status and production hour stacked in one cell beside its energy, so nothing needs a
// sideways scroll.
import { Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { exactWh, utcInterval } from '../format';
import { SOURCE_LABELS, STATUS_LABELS } from './filter';
import type { Bundle } from './types';

export interface Column {
  label: string;
  /** In px; the one column without takes what the others leave. */
  width?: number;
  align?: 'right';
  cell: (b: Bundle) => ReactNode;
}

export interface Layout {
  columns: Column[];
  /** Fixed, as rows never wrap: the virtualizer's sums stay exact. */
  rowHeight: number;
  /** The table's least width; a narrower screen scrolls it sideways. */
  minWidth: number;
}

const produced = (b: Bundle) => utcInterval(b.production_starting_interval, b.production_ending_interval);
const energy = (width: number): Column => ({
  label: 'Energy',
  width,
  align: 'right',
  cell: (b) => exactWh(b.bundle_quantity),
});

export const WIDE: Layout = {
  rowHeight: 40,
  minWidth: 920,
  columns: [
    { label: 'Bundle', width: 80, cell: (b) => b.id },
    energy(130),
    { label: 'Status', width: 100, cell: (b) => STATUS_LABELS[b.certificate_bundle_status] },
    { label: 'Produced', width: 220, cell: produced },
    { label: 'Source', width: 120, cell: (b) => SOURCE_LABELS[b.energy_source] },
    { label: 'Device', width: 80, cell: (b) => b.device_id ?? 'imported' },
    {
      label: 'Certificate ids',
      cell: (b) => `${b.certificate_bundle_id_range_start}–${b.certificate_bundle_id_range_end}`,
    },
  ],
};

export const NARROW: Layout = {
  rowHeight: 56,
  minWidth: 0,
  columns: [
    {
      label: 'Bundle',
      cell: (b) => (
        <>
          {b.id} · {STATUS_LABELS[b.certificate_bundle_status]}
          <Text size="xs">{produced(b)}</Text>
        </>
      ),
    },
    energy(110),
  ],
};
