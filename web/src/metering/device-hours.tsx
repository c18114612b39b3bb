// One device's hours in the chosen period: the chart, then the table of their issuance states.
import { Text } from '@mantine/core';
import { Empty, Failed, Loading } from '../components/states';
import { hoursSummary } from './hours';
import { HoursTable } from './hours-table';
import { type Period, periodRange } from './period';
import { PeriodPicker } from './period-picker';
import { ProductionChart } from './production-chart';
import { useHours } from './queries';
import type { Device, MeteringPoint } from './types';

interface Props {
  device: Device;
  points: MeteringPoint[];
  period: Period;
  onPeriod: (period: Period) => void;
}

export function DeviceHours({ device, points, period, onPeriod }: Props) {
  const range = periodRange(period);
  const valid = 'from' in range ? range : undefined;
  const hours = useHours(device, points, valid);
  const shown = valid && hours.data;
  return (
    <>
      <PeriodPicker
        period={period}
        onChange={onPeriod}
        onRefresh={() => void hours.refetch()}
        refreshing={hours.isFetching}
        error={'error' in range ? range.error : undefined}
      />
      {valid && hours.isPending && <Loading what="the hours" />}
      {valid && hours.isError && <Failed error={hours.error} />}
      {shown && shown.length === 0 && <Empty>No readings or certificates in this period.</Empty>}
      {shown && shown.length > 0 && (
        <>
          <ProductionChart hours={shown} from={valid.from} to={valid.to} />
          <Text size="sm">{hoursSummary(shown)}</Text>
          <HoursTable hours={shown} />
        </>
      )}
    </>
  );
}
