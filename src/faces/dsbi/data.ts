// DSBI's data routes (reference §4): raw data onto the market's uploaded series, named by the
// caller's resource name; market forecasts onto the runs' forecasts, in the units the buyer's
// data came in (q50 as `value`, with q10 and q90 besides).
import {
  getSession,
  listData,
  listForecasts,
  listResources,
  type Market,
  resourceNames,
  resourceUnits,
  type SessionView,
  TIME_INTERVALS,
  UNIT_WATTS,
  UNITS,
  uploadSeries,
} from '../../market/index.ts';
import type { TallyError } from '../../platform/errors.ts';
import { type Face, slashOptional } from './face.ts';
import { choice, dateParam, datetime, float, intParam, list, object, text, uuidParam } from './fields.ts';
import { dsbiType, userFilter, whole } from './views.ts';
import { answering, detail, dsbiTime, ENGINE_RUNS_HERE, invalid } from './wire.ts';

const MS = 1;
/** At most this many values in one upload, as the native route. */
const MAX_POINTS = 100_000;

/** DSBI's end_date is inclusive; Tally's periods end before `to`. */
const inclusiveEnd = (end: Date | undefined) => (end === undefined ? undefined : new Date(end.getTime() + MS));

/** Tally's refusal of one value of an upload, as DSBI's nested errors: a list with `{}` for the good values. */
const pointError = (count: number) => (err: TallyError) => {
  const index = Number(/points\/(\d+)\//.exec(err.errors?.[0]?.field ?? '')?.[1] ?? 0);
  return invalid({
    timeseries: Array.from({ length: count }, (_, i) => (i === index ? { datetime: [err.message] } : {})),
  });
};

export function dataRoutes(face: Face, m: Market): void {
  face.route({
    method: 'POST',
    path: slashOptional('/api/data/raw-data'),
    access: 'user',
    body: {
      resource_name: text({
        max: 64,
        pattern: /^[a-z0-9_-]*$/,
        patternMessage:
          "Resource name cannot contain any upper-case characters, spaces or any special characters besides '-' or '_'.",
      }),
      time_interval: choice(TIME_INTERVALS),
      aggregation_type: choice(['avg']),
      units: choice(UNITS),
      timeseries: list(object({ datetime: datetime(), value: float() }), { maxItems: MAX_POINTS }),
    },
    handler: async ({ body, caller, db }) => {
      const principal = caller();
      const mine = await whole((page) =>
        listResources(db, principal, { name: body.resource_name, user_id: principal.userId }, page),
      );
      const named = mine.filter((r) => r.user_id === principal.userId);
      const [resource, other] = named;
      if (resource === undefined)
        throw detail(
          409,
          `Resource ID '${body.resource_name}' is not registered for this user. You must register it first.`,
        );
      if (other !== undefined)
        throw detail(
          409,
          `Resource name '${body.resource_name}' names both your measurements and your forecasts resource; ` +
            'rename one of them to upload its data.',
        );
      const points = body.timeseries.map((p) => ({ datetime: p.datetime.toISOString(), value: p.value }));
      const { replaced } = await answering(
        {
          off_interval_grid: pointError(points.length),
          duplicate_datetime: pointError(points.length),
          resource_bound_to_point: (err) => detail(409, err.message),
        },
        () =>
          uploadSeries(
            db,
            principal,
            resource.id,
            { units: body.units, time_interval: body.time_interval, points },
            m.clock.now(),
          ),
      );
      return { status: 'ok', message: replaced > 0 ? 'One or more database records were updated.' : '' };
    },
  });

  face.route({
    method: 'GET',
    path: slashOptional('/api/data/raw-data'),
    access: 'user',
    query: {
      start_date: dateParam(),
      end_date: dateParam(),
      resource: uuidParam('resource'),
      user: uuidParam('user'),
    },
    handler: async ({ query, caller, db }) => {
      const principal = caller();
      const user = await userFilter(db, principal, query.user);
      if (user === null) return [];
      const rows = await whole((page) =>
        listData(
          db,
          principal,
          { user_id: user, resource_id: query.resource, from: query.start_date, to: inclusiveEnd(query.end_date) },
          page,
        ),
      );
      return rows.map((r) => ({
        datetime: dsbiTime(r.datetime),
        value: r.value,
        units: r.units,
        resource: r.resource_id,
        resource_type: dsbiType(r.resource_type),
        time_interval: r.time_interval,
        aggregation_type: 'avg',
        registered_at: dsbiTime(r.registered_at),
        resource_name: r.resource_name,
      }));
    },
  });

  face.route({
    method: 'GET',
    path: slashOptional('/api/data/market-forecasts'),
    access: 'user',
    query: {
      start_date: dateParam(),
      end_date: dateParam(),
      resource: uuidParam('resource'),
      market_session: intParam('market_session'),
      user: uuidParam('user'),
    },
    handler: async ({ query, caller, db }) => {
      const principal = caller();
      const user = await userFilter(db, principal, query.user);
      if (user === null) return [];
      const forecasts = await whole((page) =>
        listForecasts(
          db,
          principal,
          {
            resource_id: query.resource,
            session_id: query.market_session,
            from: query.start_date?.toISOString(),
            to: inclusiveEnd(query.end_date)?.toISOString(),
            user_id: user,
          },
          page,
        ),
      );
      const resources = forecasts.map((f) => f.resource_id);
      const [names, units] = await Promise.all([resourceNames(db, resources), resourceUnits(db, resources)]);
      const sessions = new Map<number, SessionView>();
      for (const id of new Set(forecasts.map((f) => f.session_id))) sessions.set(id, await getSession(db, id));
      const launch = (f: (typeof forecasts)[number]) => {
        const session = sessions.get(f.session_id);
        return session?.launch_at ?? f.datetime;
      };
      // DSBI orders by datetime, then request (the run's launch).
      forecasts.sort(
        (a, b) => Date.parse(a.datetime) - Date.parse(b.datetime) || Date.parse(launch(a)) - Date.parse(launch(b)),
      );
      return forecasts.map((f) => {
        const session = sessions.get(f.session_id);
        const unit = units.get(f.resource_id) ?? 'w';
        const scale = UNIT_WATTS[unit];
        return {
          market_session: f.session_id,
          datetime: dsbiTime(f.datetime),
          request: dsbiTime(launch(f)),
          value: f.q50 / scale,
          units: unit,
          resource: f.resource_id,
          registered_at: dsbiTime(session?.finish_at ?? launch(f)),
          resource_name: names.get(f.resource_id) ?? null,
          q10: f.q10 / scale,
          q90: f.q90 / scale,
        };
      });
    },
  });

  face.route({
    method: 'POST',
    path: slashOptional('/api/data/market-forecasts'),
    access: ['admin'],
    handler: async () => {
      throw detail(409, `${ENGINE_RUNS_HERE} Forecasts are written by its runs.`);
    },
  });
}
