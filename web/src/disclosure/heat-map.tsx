// The matched share of every hour of the period on one canvas: a column per UTC day, a row per hour
// of the day (a year is 8,760 cells, which a canvas paints at once where as many elements would not).
// The cell under the pointer, or chosen with the arrow keys, is read out below the map in words.
import { Box, Group, Text } from '@mantine/core';
import { type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from 'react';
import { energy, percent, utc } from '../format';
import { NO_CONSUMPTION, SCALE_GRADIENT, shareColour } from './colours';
import { type HourlyView, hourAt } from './shape';

const ROW = 9;
const LABELS = 28;

/** Where each day's column starts and how wide it is, filling the width. */
const columnWidth = (width: number, days: number) => Math.max(1, (width - LABELS) / Math.max(1, days));

function paint(canvas: HTMLCanvasElement, view: HourlyView, chosen: number | undefined): void {
  const width = canvas.clientWidth;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio;
  canvas.height = 24 * ROW * ratio;
  const g = canvas.getContext('2d');
  if (!g) return;
  g.scale(ratio, ratio);
  const w = columnWidth(width, view.days.length);
  g.fillStyle = '#495057';
  g.font = '9px sans-serif';
  for (const h of [0, 6, 12, 18]) g.fillText(`${String(h).padStart(2, '0')}h`, 0, h * ROW + 8);
  for (let day = 0; day < view.days.length; day++) {
    for (let h = 0; h < 24; h++) {
      const i = hourAt(view, day, h);
      if (i === undefined) continue;
      g.fillStyle = shareColour(view.share[i] ?? null);
      // Whole pixels, a hair wider than the column, so no seams show between days.
      g.fillRect(Math.floor(LABELS + day * w), h * ROW, Math.ceil(w), ROW - 1);
    }
  }
  if (chosen !== undefined) {
    const cell = chosen + view.offset;
    g.strokeStyle = '#000';
    g.lineWidth = 2;
    g.strokeRect(LABELS + Math.floor(cell / 24) * w - 1, (cell % 24) * ROW - 1, Math.max(w, 2) + 2, ROW + 1);
  }
}

/** The words for one hour: when, how much of it was matched, of how much. */
export function describeHour(view: HourlyView, i: number): string {
  const when = utc(new Date(view.times[i]! * 1000).toISOString());
  const consumed = view.consumption[i] ?? 0;
  if (consumed === 0) return `${when}: no consumption; ${energy(view.claimed[i] ?? 0)} claimed`;
  return `${when}: ${percent(view.share[i])} matched, ${energy(view.matched[i] ?? 0)} of ${energy(consumed)} consumed`;
}

export function HeatMap({ view, summary }: { view: HourlyView; summary: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [chosen, setChosen] = useState<number | undefined>();
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    paint(c, view, chosen);
    const resized = new ResizeObserver(() => paint(c, view, chosen));
    resized.observe(c);
    return () => resized.disconnect();
  }, [view, chosen]);

  const pointAt = (e: PointerEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const day = Math.floor((e.clientX - box.left - LABELS) / columnWidth(box.width, view.days.length));
    const h = Math.floor((e.clientY - box.top) / ROW);
    if (day >= 0 && day < view.days.length && h >= 0 && h < 24) setChosen(hourAt(view, day, h) ?? chosen);
  };
  // Left and right move a day, up and down an hour; Home and End go to the period's ends.
  const step: Record<string, number> = { ArrowLeft: -24, ArrowRight: 24, ArrowUp: -1, ArrowDown: 1 };
  const onKey = (e: KeyboardEvent<HTMLCanvasElement>) => {
    const last = view.times.length - 1;
    let next: number | undefined;
    if (e.key in step) next = Math.min(last, Math.max(0, (chosen ?? 0) + (chosen === undefined ? 0 : step[e.key]!)));
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = last;
    if (next === undefined || last < 0) return;
    e.preventDefault();
    setChosen(next);
  };

  return (
    <Box>
      <canvas
        ref={canvas}
        tabIndex={0}
        role="img"
        aria-label={`${summary} Arrow keys read the hours one by one.`}
        style={{ width: '100%', height: 24 * ROW, display: 'block', cursor: 'crosshair' }}
        onPointerMove={pointAt}
        onKeyDown={onKey}
      />
      <Group justify="space-between" mt={4} gap="xs">
        <Text size="sm" aria-live="polite" mih="1.5em">
          {chosen === undefined
            ? 'Point at an hour, or focus the map and use the arrow keys.'
            : describeHour(view, chosen)}
        </Text>
        <Group gap={6} aria-hidden>
          <Box w={12} h={12} bg={NO_CONSUMPTION} />
          <Text size="xs">no consumption</Text>
          <Text size="xs">0 %</Text>
          <Box w={80} h={12} style={{ background: SCALE_GRADIENT }} />
          <Text size="xs">100 % matched</Text>
        </Group>
      </Group>
    </Box>
  );
}
