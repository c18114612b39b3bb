// The heat map's colour scale: light orange for an hour matched not at all, through light green, to
// dark green for an hour matched in full; the lightness alone tells them apart, for any colour vision.
// Grey marks an hour without consumption.
const STOPS: [number, [number, number, number]][] = [
  [0, [253, 208, 162]],
  [0.5, [161, 217, 155]],
  [1, [0, 109, 44]],
];

export const NO_CONSUMPTION = 'rgb(233, 236, 239)';

export function shareColour(share: number | null): string {
  if (share === null) return NO_CONSUMPTION;
  const s = Math.min(1, Math.max(0, share));
  const upper = STOPS.findIndex(([at]) => at >= s);
  const [hiAt, hi] = STOPS[Math.max(upper, 1)]!;
  const [loAt, lo] = STOPS[Math.max(upper, 1) - 1]!;
  const t = (s - loAt) / (hiAt - loAt);
  const channel = (k: 0 | 1 | 2) => Math.round(lo[k] + (hi[k] - lo[k]) * t);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/** The scale as a CSS gradient, for the legend. */
export const SCALE_GRADIENT = `linear-gradient(to right, ${STOPS.map(([at]) => `${shareColour(at)} ${at * 100}%`).join(', ')})`;
