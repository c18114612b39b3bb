// Which bundles are selected: by id, with the bundle as it was listed (the confirmation words its
// certificate ids). Shift extends from the last row toggled, as in a file list.
import { useCallback, useMemo, useRef, useState } from 'react';
import type { Bundle } from './types';

export type Selected = ReadonlyMap<number, Bundle>;

/** Rows `from` to `to` (either order) selected when `on`, unselected otherwise. */
export function setRange(selected: Selected, rows: readonly Bundle[], from: number, to: number, on: boolean): Selected {
  const next = new Map(selected);
  for (const b of rows.slice(Math.min(from, to), Math.max(from, to) + 1)) {
    if (on) next.set(b.id, b);
    else next.delete(b.id);
  }
  return next;
}

/** How many of the listed rows are selected: the header checkbox's state. */
export function coverage(selected: Selected, rows: readonly Bundle[]): 'none' | 'some' | 'all' {
  const n = rows.reduce((count, b) => count + (selected.has(b.id) ? 1 : 0), 0);
  return n === 0 ? 'none' : n === rows.length ? 'all' : 'some';
}

export function useSelection(rows: readonly Bundle[]) {
  const [selected, setSelected] = useState<Selected>(() => new Map());
  const anchor = useRef<number | undefined>(undefined);
  /** Toggles row `index`; with `extend`, every row from the last one toggled takes its new state. */
  const toggle = useCallback(
    (index: number, extend: boolean) => {
      const row = rows[index];
      if (!row) return;
      const from = extend && anchor.current !== undefined ? anchor.current : index;
      anchor.current = index;
      setSelected((s) => setRange(s, rows, from, index, !s.has(row.id)));
    },
    [rows],
  );
  /** Selects every listed row, or unselects them all when all are selected. */
  const toggleAll = useCallback(() => {
    setSelected((s) => setRange(s, rows, 0, rows.length - 1, coverage(s, rows) !== 'all'));
  }, [rows]);
  const clear = useCallback(() => {
    anchor.current = undefined;
    setSelected(new Map());
  }, []);
  const bundles = useMemo(() => [...selected.values()], [selected]);
  return { selected, bundles, toggle, toggleAll, clear };
}
