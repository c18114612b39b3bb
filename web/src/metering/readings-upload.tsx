// A device's readings sent as a CSV file to one of its metering points. After an accepted upload
// the hours are read again and the view moves to the days the file covers.
import { NativeSelect, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FileUpload } from '../components/file-upload';
import { Empty } from '../components/states';
import { ImportSummary } from './import-summary';
import { csvSpan, type Period } from './period';
import { readingsChanged } from './queries';
import type { ImportResult, MeteringPoint } from './types';

export const READINGS_CSV =
  'Columns interval_start_datetime, interval_end_datetime, interval_usage (whole Wh), optionally ' +
  'gross_net_indicator and quality; intervals of 15, 30 or 60 minutes, in UTC. All or nothing: ' +
  'if one row is refused, no row is stored.';

interface Props {
  points: MeteringPoint[];
  /** After an accepted upload, with the days the file covers. */
  onUploaded: (span: Period | undefined) => void;
}

export function ReadingsUpload({ points, onUploaded }: Props) {
  const queries = useQueryClient();
  const [chosen, setChosen] = useState<string>();
  if (points.length === 0)
    return <Empty>No metering point feeds this device yet: link one to it to upload its readings.</Empty>;
  const point = points.find((p) => p.id === chosen) ?? points[0]!;
  return (
    <Stack gap="sm">
      {points.length > 1 ? (
        <NativeSelect
          label="Metering point"
          data={points.map((p) => p.id)}
          value={point.id}
          onChange={(e) => setChosen(e.currentTarget.value)}
        />
      ) : (
        <Text>Readings of metering point {point.id}.</Text>
      )}
      <FileUpload<ImportResult>
        label="Readings file (CSV)"
        description={READINGS_CSV}
        accept=".csv,text/csv"
        contentType="text/csv"
        url={`/api/metering-points/${encodeURIComponent(point.id)}/readings`}
        accepted={(result) => <ImportSummary result={result} />}
        onAccepted={async (_result, file) => {
          void readingsChanged(queries);
          onUploaded(csvSpan(await file.text()));
        }}
      />
    </Stack>
  );
}
