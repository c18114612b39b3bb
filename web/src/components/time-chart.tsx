// Values over time on a canvas (uPlot: a year of hours, 8,760 points per series, draws in a few
// milliseconds, where SVG charts take seconds). Times are shown in UTC, as the registry keeps them.
// A canvas says nothing to a screen reader, so the figure carries a text summary the caller writes.
import { Box, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** A line, or an area filled down to zero (for stacked totals, drawn largest first). */
  fill?: boolean;
  /** What the legend shows under the cursor, when the drawn values are stacked sums. */
  shown?: (number | null)[];
}

export interface TimeChartProps {
  /** The figure's caption, also its accessible name. */
  title: string;
  /** What the chart shows, in words, for those who cannot see it. */
  summary: string;
  /** Start of each interval, in Unix seconds; each value holds until the next start. */
  times: number[];
  /** End of the last interval, in Unix seconds; by default as long after its start as the one before it. */
  end?: number;
  series: ChartSeries[];
  /** A shaded range between two of the series (indexes into `series`), e.g. a forecast's q10–q90. */
  band?: { upper: number; lower: number; color: string };
  /** How a value reads on the axis and in the legend. */
  format: (value: number) => string;
  height?: number;
}

const utcDate = (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

/** A tick's label: the date at midnight, else the time of day (24-hour, UTC). */
function tickLabel(ts: number): string {
  const iso = new Date(ts * 1000).toISOString();
  return iso.slice(11, 16) === '00:00' ? iso.slice(0, 10) : iso.slice(11, 16);
}

const whenLabel = (ts: number | null) =>
  ts === null ? '—' : `${new Date(ts * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function options(
  { series, band, format, height = 280 }: Pick<TimeChartProps, 'series' | 'band' | 'format' | 'height'>,
  width: number,
): uPlot.Options {
  // Each value holds for its whole interval (an hour's Wh), so lines step at the interval's start.
  const stepped = uPlot.paths.stepped?.({ align: 1 });
  return {
    width,
    height,
    tzDate: utcDate,
    series: [
      { label: 'Start', value: (_, ts) => whenLabel(ts) },
      ...series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 1.5,
        paths: stepped,
        points: { show: false },
        ...(s.fill ? { fill: s.color } : {}),
        value: (_: uPlot, v: number | null, _si: number, i: number | null) => {
          // The closing point ends the last interval: it has no value of its own.
          if (i !== null && i >= s.values.length) return '—';
          const shown = i === null ? v : s.shown ? (s.shown[i] ?? null) : v;
          return shown === null || shown === undefined ? '—' : format(shown);
        },
      })),
    ],
    ...(band ? { bands: [{ series: [band.upper + 1, band.lower + 1], fill: band.color }] } : {}),
    axes: [{ values: (_, ticks) => ticks.map(tickLabel) }, { values: (_, ticks) => ticks.map(format), size: 70 }],
    scales: { y: { range: (_, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] } },
  };
}

export function TimeChart(props: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const { times, end, series, band, format, height } = props;
  // Redrawn when the data changes: callers keep `times`, `series` and `format` stable (useMemo, module constants).
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    // A stepped value holds until the next point: a closing point at the end gives the last interval its width.
    const last = times.at(-1);
    const close = end ?? (last !== undefined && times.length > 1 ? 2 * last - times.at(-2)! : undefined);
    const data = (
      close === undefined
        ? [times, ...series.map((s) => s.values)]
        : [[...times, close], ...series.map((s) => [...s.values, s.values.at(-1) ?? null])]
    ) as uPlot.AlignedData;
    const chart = new uPlot(options({ series, band, format, height }, element.clientWidth || 600), data, element);
    // The chart follows its box's width: a phone's 390 px as well as a desktop's.
    // Observing reports the size once at once: redraw only when the width has really changed.
    const resized = new ResizeObserver(() => {
      if (element.clientWidth !== chart.width) chart.setSize({ width: element.clientWidth, height: height ?? 280 });
    });
    resized.observe(element);
    return () => {
      resized.disconnect();
      chart.destroy();
    };
  }, [times, end, series, band, format, height]);
  return (
    <Box component="figure" m={0} aria-label={props.title}>
      <Text component="figcaption" fw={600} mb="xs">
        {props.title}
      </Text>
      <div ref={box} role="img" aria-label={props.summary} />
    </Box>
  );
}
