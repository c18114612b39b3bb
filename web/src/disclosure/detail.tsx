// One published disclosure, for anyone: the hourly-matching score, the matched share hour by hour,
// consumption against the certificates claimed by source, the dataset's downloads, the ledger event
// that published it (verified in this browser) and its copies on decentralised storage.
import { Anchor, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, dataOf } from '../api/client';
import { Failed, Loading } from '../components/states';
import { stackedSeries } from '../components/stacked';
import { TimeChart } from '../components/time-chart';
import { energy, percent, utc } from '../format';
import { type Verdict, VerdictAlert, verdictOn } from '../ledger/verdict';
import { HeatMap } from './heat-map';
import { type Dataset, type HourlyView, hourlyView } from './shape';

const CONSUMPTION = '#212529';

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl">
        {value}
      </Text>
    </Card>
  );
}

function ConsumptionChart({ d, view }: { d: Dataset; view: HourlyView }) {
  const series = useMemo(
    () => [
      ...stackedSeries(view.sources.map((s) => ({ label: `Claimed: ${s.source}`, values: s.wh }))),
      { label: 'Consumption', values: view.consumption, color: CONSUMPTION },
    ],
    [view],
  );
  const bySource = view.sources.map((s) => `${s.source} ${energy(s.wh.reduce((a, b) => a + b, 0))}`).join(', ');
  return (
    <TimeChart
      title="Consumption and claimed certificates, hour by hour"
      summary={`Over ${view.times.length} hours, ${energy(d.consumption_wh)} consumed and ${energy(d.claimed_wh)} claimed${
        bySource ? `: ${bySource}` : ''
      }.`}
      times={view.times}
      series={series}
      format={energy}
    />
  );
}

function LedgerProof({ eventId }: { eventId: number | null }) {
  const [verdict, setVerdict] = useState<Verdict | undefined>();
  const [busy, setBusy] = useState(false);
  if (eventId === null) return <Text>No ledger event records this disclosure.</Text>;
  const check = async () => {
    setBusy(true);
    setVerdict(await verdictOn(eventId));
    setBusy(false);
  };
  return (
    <Stack gap="xs">
      <Text>
        Ledger event {eventId} published this disclosure's consumer and period. Its inclusion in a sealed block is
        checked here, in this browser.
      </Text>
      <Group>
        <Button loading={busy} onClick={check}>
          Verify on the ledger
        </Button>
      </Group>
      {verdict && <VerdictAlert verdict={verdict} />}
    </Stack>
  );
}

function Publications({ d }: { d: Dataset }) {
  if (d.publications.length === 0) return <Text>Not published to decentralised storage yet.</Text>;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Published</Table.Th>
            <Table.Th>Storage</Table.Th>
            <Table.Th>Content id</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {d.publications.map((p) => (
            <Table.Tr key={p.publication_id}>
              <Table.Td>{utc(p.published_at)}</Table.Td>
              <Table.Td>{p.storage_type}</Table.Td>
              <Table.Td style={{ wordBreak: 'break-all' }}>{p.cid}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const consumerText = (d: Dataset) =>
  d.consumer.account_id !== null
    ? `account ${d.consumer.account_id}`
    : `metering point${d.consumer.metering_point_ids.length > 1 ? 's' : ''} ${d.consumer.metering_point_ids.join(', ')}`;

export function DisclosureDetail({ id }: { id: string }) {
  const dataset = useQuery({
    queryKey: ['disclosure', id],
    queryFn: async () => dataOf(await api.GET('/api/disclosures/{id}/data.json', { params: { path: { id } } })),
  });
  const view = useMemo(() => (dataset.data ? hourlyView(dataset.data) : undefined), [dataset.data]);
  if (dataset.isPending) return <Loading what="the disclosure" />;
  if (dataset.isError) return <Failed error={dataset.error} />;
  const d = dataset.data;
  return (
    <Stack>
      <Text>
        Consumption of {consumerText(d)} from {utc(d.period_start)} to {utc(d.period_end)}, against the certificates
        claimed for it. Computed {utc(d.generated_at)}.
      </Text>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Figure label="Hourly matching score" value={percent(d.hourly_matching_score)} />
        <Figure label="Consumed" value={energy(d.consumption_wh)} />
        <Figure label="Claimed" value={energy(d.claimed_wh)} />
        <Figure label="Matched within the hour" value={energy(d.matched_wh)} />
      </SimpleGrid>
      <Card withBorder>
        <Title order={3} size="h4" mb="xs">
          Matched share, hour by hour
        </Title>
        {view && (
          <HeatMap
            view={view}
            summary={`A column per day from ${view.days[0]} to ${view.days.at(-1)}, a row per hour (UTC): ${percent(
              d.hourly_matching_score,
            )} of the period's consumption matched within its hour.`}
          />
        )}
      </Card>
      <Card withBorder>{view && <ConsumptionChart d={d} view={view} />}</Card>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={3} size="h4" mb="xs">
            On the ledger
          </Title>
          <LedgerProof eventId={d.published_event_id} />
        </Card>
        <Card withBorder>
          <Title order={3} size="h4" mb="xs">
            Downloads
          </Title>
          <Stack gap={4}>
            <Anchor href={`/api/disclosures/${d.id}/data.json`} download={`disclosure-${d.id}.json`}>
              The dataset as JSON
            </Anchor>
            <Anchor href={`/api/disclosures/${d.id}/data.csv`} download={`disclosure-${d.id}.csv`}>
              The dataset as CSV, an hour a row
            </Anchor>
          </Stack>
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Title order={3} size="h4" mb="xs">
          Copies on decentralised storage
        </Title>
        <Publications d={d} />
      </Card>
    </Stack>
  );
}
