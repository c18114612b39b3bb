// A session's forecast of a resource: the median as a line inside the shaded q10–q90 band, on the
// shared chart.
import { useMemo } from 'react';
import { type ChartSeries, TimeChart } from '../components/time-chart';
import { power } from '../format';
import { forecastSummary, forecastView } from './forecast-shape';
import type { Forecast } from './types';

const MEDIAN = '#0b3d75';
// The band's edges as faint lines, its fill translucent, so the median reads over it.
const EDGE = '#74c0fc';
const FILL = 'rgba(116, 192, 252, 0.3)';
/** Indexes into the series below: the band runs from q90 down to q10. */
const BAND_EDGES = { upper: 0, lower: 2, color: FILL } as const;

export function ForecastChart({
  resource,
  session,
  forecasts,
}: {
  resource: string;
  session: number;
  forecasts: Forecast[];
}) {
  const view = useMemo(() => forecastView(forecasts), [forecasts]);
  const series = useMemo<ChartSeries[]>(
    () => [
      { label: 'q90', values: view.q90, color: EDGE },
      { label: 'Median (q50)', values: view.q50, color: MEDIAN },
      { label: 'q10', values: view.q10, color: EDGE },
    ],
    [view],
  );
  return (
    <TimeChart
      title={`Forecast of ${resource} made in session ${session} (UTC)`}
      summary={forecastSummary(resource, session, view)}
      times={view.times}
      series={series}
      band={BAND_EDGES}
      format={power}
    />
  );
}
