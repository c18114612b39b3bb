// A day of a community, interval by interval: energy traded between members, taken from the grid
// and given to it.
import { useMemo } from 'react';
import { Empty, Failed, Loading } from '../components/states';
import { TimeChart } from '../components/time-chart';
import { energy } from '../format';
import { useDayIntervals } from './intervals';
import { flows } from './shape';

export function FlowsChart({ communityId, day }: { communityId: number; day: string }) {
  const intervals = useDayIntervals(communityId, day);
  const f = useMemo(() => flows(intervals.data?.items ?? []), [intervals.data]);
  const series = useMemo(
    () => [
      { label: 'Between members', values: f.peers, color: '#2f9e44' },
      { label: 'From the grid', values: f.fromGrid, color: '#e8590c' },
      { label: 'To the grid', values: f.toGrid, color: '#1971c2' },
    ],
    [f],
  );
  if (intervals.isPending) return <Loading what={`the intervals of ${day}`} />;
  if (intervals.isError) return <Failed error={intervals.error} />;
  if (f.times.length === 0) return <Empty>No interval of {day} is cleared.</Empty>;
  const sum = (wh: number[]) => energy(wh.reduce((a, b) => a + b, 0));
  return (
    <TimeChart
      title={`Energy flows on ${day} (UTC), interval by interval`}
      summary={`${f.times.length} cleared intervals: ${sum(f.peers)} traded between members, ${sum(
        f.fromGrid,
      )} from the grid, ${sum(f.toGrid)} to the grid.`}
      times={f.times}
      series={series}
      format={energy}
    />
  );
}
