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

/** Shares are painted in steps of 1 %: a colour set once per step, not once per cell. */
const STEPS = 100;
const STEP_COLOURS = [...Array.from({ length: STEPS + 1 }, (_, k) => shareColour(k / STEPS)), NO_CONSUMPTION];

/** Sizes the canvas to its box at the screen's pixel ratio; its context drawing in CSS pixels. */
function sized(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = canvas.clientWidth * ratio;
  canvas.height = 24 * ROW * ratio;
  const g = canvas.getContext('2d');
  g?.scale(ratio, ratio);
  return g;
}

/** The cells: every hour's colour, grouped by colour so a year is ~100 colour changes, not 8,760. */
function paintCells(canvas: HTMLCanvasElement, view: HourlyView): void {
  const g = sized(canvas);
  if (!g) return;
  const w = columnWidth(canvas.clientWidth, view.days.length);
  g.fillStyle = '#495057';
  g.font = '9px sans-serif';
  for (const h of [0, 6, 12, 18]) g.fillText(`${String(h).padStart(2, '0')}h`, 0, h * ROW + 8);
  const byColour: number[][] = STEP_COLOURS.map(() => []);
  for (let i = 0; i < view.times.length; i++) {
    const cell = i + view.offset;
    const share = view.share[i] ?? null;
    byColour[share === null ? STEPS + 1 : Math.round(Math.min(1, Math.max(0, share)) * STEPS)]!.push(cell);
  }
  byColour.forEach((cells, k) => {
    g.fillStyle = STEP_COLOURS[k]!;
    // Whole pixels, a hair wider than the column, so no seams show between days.
    for (const cell of cells)
      g.fillRect(Math.floor(LABELS + Math.floor(cell / 24) * w), (cell % 24) * ROW, Math.ceil(w), ROW - 1);
  });
}

/** The chosen hour's outline, on a layer of its own over the cells, so moving it repaints no cell. */
function paintChoice(canvas: HTMLCanvasElement, view: HourlyView, chosen: number | undefined): void {
  const g = sized(canvas);
  if (!g || chosen === undefined) return;
  const w = columnWidth(canvas.clientWidth, view.days.length);
  const cell = chosen + view.offset;
  g.strokeStyle = '#000';
  g.lineWidth = 2;
  g.strokeRect(LABELS + Math.floor(cell / 24) * w - 1, (cell % 24) * ROW - 1, Math.max(w, 2) + 2, ROW + 1);
}

/** The words for one hour: when, how much of it was matched, of how much. */
export function describeHour(view: HourlyView, i: number): string {
  const when = utc(new Date(view.times[i]! * 1000).toISOString());
  const consumed = view.consumption[i] ?? 0;
  if (consumed === 0) return `${when}: no consumption; ${energy(view.claimed[i] ?? 0)} claimed`;
  return `${when}: ${percent(view.share[i])} matched, ${energy(view.matched[i] ?? 0)} of ${energy(consumed)} consumed`;
}

export function HeatMap({ view, summary }: { view: HourlyView; summary: string }) {
  const cells = useRef<HTMLCanvasElement>(null);
  const outline = useRef<HTMLCanvasElement>(null);
  const [chosen, setChosen] = useState<number | undefined>();
  const chosenNow = useRef(chosen);
  chosenNow.current = chosen;
  useEffect(() => {
    const [c, o] = [cells.current, outline.current];
    if (!c || !o) return;
    // Called once on observing, then on every change of width: the only place the cells are painted.
    const resized = new ResizeObserver(() => {
      paintCells(c, view);
      paintChoice(o, view, chosenNow.current);
    });
    resized.observe(c);
    return () => resized.disconnect();
  }, [view]);
  useEffect(() => {
    if (outline.current) paintChoice(outline.current, view, chosen);
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
      <Box pos="relative" h={24 * ROW}>
        <canvas ref={cells} aria-hidden style={{ position: 'absolute', inset: 0, width: '100%', height: 24 * ROW }} />
        <canvas
          ref={outline}
          tabIndex={0}
          role="img"
          aria-label={`${summary} Arrow keys read the hours one by one.`}
          style={{ position: 'absolute', inset: 0, width: '100%', height: 24 * ROW, cursor: 'crosshair' }}
          onPointerMove={pointAt}
          onKeyDown={onKey}
        />
      </Box>
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
