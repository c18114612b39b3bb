// A session's forecast of one resource as the chart draws it: hour starts in Unix seconds and the
// q10, q50 and q90 series in W, in time order; and the words that say what the chart shows.
import { power, utc } from '../format';
import type { Forecast } from './types';

export interface ForecastView {
  times: number[];
  q10: number[];
  q50: number[];
  q90: number[];
}

export function forecastView(forecasts: readonly Forecast[]): ForecastView {
  const sorted = [...forecasts].sort((a, b) => Date.parse(a.datetime) - Date.parse(b.datetime));
  return {
    times: sorted.map((f) => Date.parse(f.datetime) / 1000),
    q10: sorted.map((f) => f.q10),
    q50: sorted.map((f) => f.q50),
    q90: sorted.map((f) => f.q90),
  };
}

const at = (seconds: number) => utc(new Date(seconds * 1000).toISOString());

/** The chart in words, for those who cannot see the canvas: what, how many hours, when, how much. */
export function forecastSummary(resource: string, session: number, view: ForecastView): string {
  const n = view.times.length;
  if (n === 0) return `No forecast of ${resource} in session ${session}.`;
  const hours = n === 1 ? '1 forecast hour' : `${n} forecast hours`;
  const span = n === 1 ? `at ${at(view.times[0]!)}` : `from ${at(view.times[0]!)} to ${at(view.times[n - 1]!)}`;
  const low = Math.min(...view.q50);
  const high = Math.max(...view.q50);
  return (
    `${resource}, session ${session}: ${hours} ${span}. The median (q50) runs from ${power(low)} to ` +
    `${power(high)}; the band from q10 to q90 is shaded.`
  );
}

/** The sessions whose runs forecast the resource (a bid of it with forecasts), newest first. */
export const forecastSessions = (bids: readonly { session_id: number; has_forecasts: boolean }[]): number[] =>
  [...new Set(bids.filter((b) => b.has_forecasts).map((b) => b.session_id))].sort((a, b) => b - a);
