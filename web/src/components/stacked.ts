// Layers of one quantity (Wh by energy source, say) as stacked series for TimeChart: each layer
// drawn as the sum of itself and every layer after it, filled down to zero, the largest sum first
// so every layer shows; the legend shows each layer's own value.
import type { ChartSeries } from './time-chart';

/** Colours for layers in order, told apart by hue and by lightness. */
export const PALETTE = ['#1971c2', '#e8590c', '#2f9e44', '#9c36b5', '#0c8599', '#c2255c', '#5f3dc4', '#868e96'];

export interface Layer {
  label: string;
  values: number[];
}

/** The layers (the largest first, which is drawn at the bottom) stacked, coloured from PALETTE. */
export function stackedSeries(layers: Layer[]): ChartSeries[] {
  const series: ChartSeries[] = [];
  let above: number[] | undefined;
  for (const [k, layer] of [...layers.entries()].reverse()) {
    const stacked = layer.values.map((v, i) => v + (above?.[i] ?? 0));
    series.push({
      label: layer.label,
      values: stacked,
      shown: layer.values,
      color: PALETTE[k % PALETTE.length]!,
      fill: true,
    });
    above = stacked;
  }
  return series.reverse();
}
