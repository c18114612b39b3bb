// One resource and the market's forecasts of it: the sessions whose runs forecast it, newest
// first, and the chosen one's forecast as a chart (median in the q10–q90 band) and hour by hour.
// The chosen session is in the address (?session=), so a bid's link leads straight to its forecast.
import { Anchor, NativeSelect, Stack, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { Section } from '../components/section';
import { Empty, Failed, Loading } from '../components/states';
import { utc } from '../format';
import { ForecastChart } from './forecast-chart';
import { ForecastHours } from './forecast-hours';
import { forecastSessions } from './forecast-shape';
import { useForecasts, useResource, useResourceBids } from './queries';
import { resourceKind } from './states';
import type { Resource } from './types';

function Forecasts({ resource }: { resource: Resource }) {
  const bids = useResourceBids(resource.id);
  const [params, setParams] = useSearchParams();
  const sessions = forecastSessions(bids.data ?? []);
  const asked = Number(params.get('session'));
  const session = sessions.includes(asked) ? asked : sessions[0];
  const forecasts = useForecasts(resource.id, session);
  if (bids.isPending) return <Loading what="its bids" />;
  if (bids.isError) return <Failed error={bids.error} />;
  if (session === undefined)
    return (
      <Empty>
        {resource.type === 'measurements' && resource.to_forecast
          ? 'No session has forecast this resource yet: a paid bid in an open session buys its next 24 hours.'
          : 'This resource is not forecast: others’ forecasts learn from it.'}
      </Empty>
    );
  return (
    <Stack>
      <NativeSelect
        label="Forecast made in session"
        value={String(session)}
        onChange={(e) => setParams({ session: e.currentTarget.value }, { replace: true })}
        data={sessions.map((s) => ({ value: String(s), label: `Session ${s}` }))}
        maw={240}
      />
      {forecasts.isPending && <Loading what="the forecast" />}
      {forecasts.isError && <Failed error={forecasts.error} />}
      {forecasts.data && (
        <>
          <ForecastChart resource={resource.name} session={session} forecasts={forecasts.data} />
          <ForecastHours forecasts={forecasts.data} />
        </>
      )}
    </Stack>
  );
}

export function ResourceView({ id }: { id: string }) {
  const resource = useResource(id);
  return (
    <Stack>
      <Anchor component={Link} to="/market/resources">
        All your resources
      </Anchor>
      {resource.isPending && <Loading what="the resource" />}
      {resource.isError && <Failed error={resource.error} />}
      {resource.data && (
        <>
          <Title order={2}>{resource.data.name}</Title>
          <Text>
            {resourceKind(resource.data)}. Registered {utc(resource.data.registered_at)}.
          </Text>
          <Section title="Market forecasts">
            <Forecasts resource={resource.data} />
          </Section>
        </>
      )}
    </Stack>
  );
}
