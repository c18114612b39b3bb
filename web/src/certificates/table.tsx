// The bundles as a table that mounts only the rows in view (TanStack Virtual), so ten thousand
// rows scroll as smoothly as ten. The rows out of view are stood in for by two spacer rows, which
// keeps a real <table> (columns, header, screen readers' row counts). Arrow keys move between the
// rows' checkboxes, Space toggles, Shift extends; reaching the end asks for the next page.
import { Checkbox, Table } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { type Layout, NARROW, WIDE } from './columns';
import { coverage, type Selected } from './selection';
import type { Bundle } from './types';

/** Rows mounted beyond each edge of the view, so a quick scroll or a key press finds them there. */
const OVERSCAN = 6;
/** Ask for the next page this many rows before the end. */
const PREFETCH_ROWS = 50;
const CHECK_WIDTH = 48;
const cell = { whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' } as const;
const ROW_CHECKBOX = { width: 18, height: 18, margin: 0, accentColor: 'var(--mantine-primary-color-filled)' } as const;

interface Props {
  rows: readonly Bundle[];
  selected: Selected;
  toggle: (index: number, extend: boolean) => void;
  toggleAll: () => void;
  /** Fetches the next page; absent when there is none (or one is on its way). */
  loadMore?: () => void;
  /** The scroll area's most height in px; fewer rows take less. */
  maxHeight?: number;
}

interface RowProps {
  bundle: Bundle;
  index: number;
  checked: boolean;
  toggle: Props['toggle'];
  layout: Layout;
}

/**
 * One row, rendered again only when its own props change: while the table scrolls, rows that stay
 * in view are left alone. Its checkbox is the browser's own, light enough to mount dozens of per
 * frame in a fast scroll (Mantine's is a tree of elements).
 */
const BundleRow = memo(function BundleRow({ bundle, index, checked, toggle, layout }: RowProps) {
  return (
    <Table.Tr aria-rowindex={index + 2} style={{ height: layout.rowHeight }}>
      <Table.Td>
        <input
          type="checkbox"
          aria-label={`Select bundle ${bundle.id}`}
          checked={checked}
          data-row={index}
          style={ROW_CHECKBOX}
          // React reports a checkbox's change from its click: the click says whether Shift was held.
          onChange={(e) => toggle(index, (e.nativeEvent as MouseEvent).shiftKey === true)}
        />
      </Table.Td>
      {layout.columns.map((c) => (
        <Table.Td key={c.label} style={{ ...cell, textAlign: c.align }}>
          {c.cell(bundle)}
        </Table.Td>
      ))}
    </Table.Tr>
  );
});

/** The row a key moves to from row `index`, or undefined for a key the table leaves alone. */
export function rowAfterKey(key: string, index: number, count: number): number | undefined {
  const page = 10;
  const to: Record<string, number> = {
    ArrowDown: index + 1,
    ArrowUp: index - 1,
    PageDown: index + page,
    PageUp: index - page,
    Home: 0,
    End: count - 1,
  };
  return key in to ? Math.max(0, Math.min(count - 1, to[key]!)) : undefined;
}

export function BundleTable(props: Props) {
  // Every column fits beside the navigation from Mantine's lg breakpoint on. Another layout has
  // another row height: a fresh virtualizer measures it.
  const wide = useMediaQuery('(min-width: 75em)');
  return <VirtualTable key={wide ? 'wide' : 'narrow'} layout={wide ? WIDE : NARROW} {...props} />;
}

function VirtualTable({
  rows,
  selected,
  toggle,
  toggleAll,
  loadMore,
  maxHeight = 480,
  layout,
}: Props & { layout: Layout }) {
  const row = layout.rowHeight;
  const height = Math.min(maxHeight, row * (rows.length + 1) + 2);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => row,
    overscan: OVERSCAN,
    // The sticky header sits above the first row inside the scroll area.
    paddingStart: row,
    // Where the layout cannot be measured (a test's document), assume the area's own size.
    initialRect: { width: layout.minWidth, height },
  });
  const items = virtualizer.getVirtualItems();
  const last = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (loadMore && last >= rows.length - PREFETCH_ROWS) loadMore();
  }, [loadMore, last, rows.length]);

  // A key moved the focus to a row that may not be mounted yet: focus it once it is.
  const [focusRow, setFocusRow] = useState<number>();
  useLayoutEffect(() => {
    if (focusRow === undefined) return;
    const box = scroller.current?.querySelector<HTMLInputElement>(`input[data-row="${focusRow}"]`);
    if (box) {
      box.focus();
      setFocusRow(undefined);
    }
  });
  const onKeyDown = (e: KeyboardEvent) => {
    const from = Number((e.target as HTMLElement).dataset.row);
    const to = Number.isNaN(from) ? undefined : rowAfterKey(e.key, from, rows.length);
    if (to === undefined) return;
    e.preventDefault();
    virtualizer.scrollToIndex(to, { align: 'auto' });
    setFocusRow(to);
  };

  const top = (items[0]?.start ?? row) - row;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? row);
  const all = coverage(selected, rows);
  const spacer = (px: number) =>
    px > 0 && (
      <tr aria-hidden style={{ height: px }}>
        <td colSpan={layout.columns.length + 1} style={{ padding: 0, border: 0 }} />
      </tr>
    );
  return (
    // Contained: a scroll lays out and paints this box alone, never the page around it.
    <div ref={scroller} style={{ height, overflow: 'auto', contain: 'strict' }}>
      <Table stickyHeader aria-rowcount={rows.length + 1} style={{ tableLayout: 'fixed', minWidth: layout.minWidth }}>
        <Table.Thead>
          <Table.Tr aria-rowindex={1} style={{ height: row }}>
            <Table.Th style={{ width: CHECK_WIDTH }}>
              <Checkbox
                aria-label={`Select all ${rows.length} listed bundles`}
                checked={all === 'all'}
                indeterminate={all === 'some'}
                onChange={toggleAll}
              />
            </Table.Th>
            {layout.columns.map((c) => (
              <Table.Th key={c.label} style={{ width: c.width, textAlign: c.align }}>
                {c.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody onKeyDown={onKeyDown}>
          {spacer(top)}
          {items.map((v) => {
            const bundle = rows[v.index]!;
            return (
              <BundleRow
                key={bundle.id}
                bundle={bundle}
                index={v.index}
                checked={selected.has(bundle.id)}
                toggle={toggle}
                layout={layout}
              />
            );
          })}
          {spacer(bottom)}
        </Table.Tbody>
      </Table>
    </div>
  );
}
