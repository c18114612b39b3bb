// Devices and metering points: the list of both, and one device's hours in a period (its metered
// production and what was issued of it, as a chart and a table with each hour's issuance state),
// with an upload of its readings as a CSV file. Uploads of several points' readings at once go to
// /api/readings from the list.
import { Anchor, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { FileUpload } from '../components/file-upload';
import { Section } from '../components/section';
import { Failed, Loading } from '../components/states';
import { DeviceFacts } from '../metering/device-facts';
import { DeviceList } from '../metering/device-list';
import { DeviceHours } from '../metering/device-hours';
import { ImportSummary } from '../metering/import-summary';
import { lastDays, type Period } from '../metering/period';
import { PointList } from '../metering/point-list';
import { readingsChanged, useDevice, useDevicePoints } from '../metering/queries';
import { READINGS_CSV, ReadingsUpload } from '../metering/readings-upload';
import type { ImportResult } from '../metering/types';

export function DevicesPage() {
  const queries = useQueryClient();
  return (
    <Stack>
      <Title order={2}>Devices and meters</Title>
      <Section title="Devices">
        <DeviceList />
      </Section>
      <Section title="Metering points">
        <PointList />
      </Section>
      <Section title="Readings of several metering points">
        <FileUpload<ImportResult>
          label="Readings file (CSV)"
          description={`${READINGS_CSV} One more column, metering_point_id, names each row's point.`}
          accept=".csv,text/csv"
          contentType="text/csv"
          url="/api/readings"
          accepted={(result) => <ImportSummary result={result} />}
          onAccepted={() => void readingsChanged(queries)}
        />
      </Section>
    </Stack>
  );
}

export function DevicePage() {
  const id = Number(useParams().id);
  const device = useDevice(id);
  const points = useDevicePoints(device.data);
  const [period, setPeriod] = useState<Period>(() => lastDays(new Date()));
  return (
    <Stack>
      <Anchor component={Link} to="/devices">
        All devices and meters
      </Anchor>
      {device.isPending && <Loading what="the device" />}
      {device.isError && <Failed error={device.error} />}
      {device.data && (
        <>
          <Title order={2}>{device.data.device_name}</Title>
          {points.isPending && <Loading what="its metering points" />}
          {points.isError && <Failed error={points.error} />}
          {points.data && (
            <>
              <DeviceFacts device={device.data} points={points.data} />
              <Section title="Upload readings">
                <ReadingsUpload points={points.data} onUploaded={(span) => span && setPeriod(span)} />
              </Section>
              <Section title="Hours and their issuance">
                <DeviceHours device={device.data} points={points.data} period={period} onPeriod={setPeriod} />
              </Section>
            </>
          )}
        </>
      )}
    </Stack>
  );
}
