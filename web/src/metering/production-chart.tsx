// Metered production and issued Wh per hour of the period, on the shared uPlot chart.
import { useMemo } from 'react';
import { type ChartSeries, TimeChart } from '../components/time-chart';
import { energy } from '../format';
import { chartData, type Hour, hoursSummary } from './hours';

export function ProductionChart({ hours, from, to }: { hours: Hour[]; from: string; to: string }) {
  const data = useMemo(() => chartData(hours, from, to), [hours, from, to]);
  // The metered area behind, the issued line over it: where they part, Wh wait for issuance.
  const series = useMemo<ChartSeries[]>(
    () => [
      { label: 'Metered', values: data.metered.drawn, shown: data.metered.shown, color: '#74c0fc', fill: true },
      { label: 'Issued', values: data.issued.drawn, shown: data.issued.shown, color: '#2b8a3e' },
    ],
    [data],
  );
  return (
    <TimeChart
      title="Production and issuance per hour (UTC)"
      summary={hoursSummary(hours)}
      times={data.times}
      series={series}
      format={energy}
    />
  );
}
