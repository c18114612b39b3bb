import { Type } from 'typebox';
import type { App, AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/http/access.ts';
import { caller } from '../../platform/http/access.ts';
import { Id, IdParams, Page, Timestamp, withProblems } from '../../platform/http/schemas.ts';
import { pageRequest } from '../../platform/pagination.ts';
import { performAction, type Action } from '../actions.ts';
import { issueCertificates, reissueBundle } from '../issuance.ts';
import { aggregateBundles, getBundle, GRANULARITIES, queryBundles } from '../queries.ts';
import { getStatement } from '../statements.ts';
import {
  ActionResult,
  Bundle,
  BundleFilter,
  Device,
  EnergySource,
  IssuanceMetadata,
  Statement,
  actionBody,
  Wh,
  strict,
} from '../schemas.ts';

const tags = ['certificates'];
const Text = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 500, description }));

/** Each lifecycle action: who may call it, what it adds to the common body, and what it does. */
const ACTION_ROUTES: Array<{
  action: Action;
  access: Access;
  summary: string;
  extra?: Parameters<typeof actionBody>[0];
}> = [
  {
    action: 'transfer',
    access: 'user',
    summary: 'Transfer active bundles to an account that whitelisted the source',
    extra: { target_id: Type.Optional(Id('Receiving account (required)')) },
  },
  {
    action: 'cancel',
    access: 'user',
    summary: 'Cancel (retire) active or reserved bundles for a beneficiary; returns a statement',
    extra: {
      beneficiary: Text('Who the energy is retired for (required)'),
      purpose: Text('Why, e.g. Scope 2 reporting'),
    },
  },
  {
    action: 'claim',
    access: 'user',
    summary: 'Claim cancelled bundles against a consumer or consumption metering point',
    extra: {
      consumer: Text('Named consumer'),
      metering_point_id: Text('Consumption metering point'),
      period_start: Type.Optional(Timestamp('Start of the consumption period')),
      period_end: Type.Optional(Timestamp('End of the consumption period')),
    },
  },
  { action: 'withdraw', access: ['issuer'], summary: 'Withdraw bundles in any non-final status (issuing body)' },
  { action: 'reserve', access: 'user', summary: 'Reserve active bundles' },
  { action: 'unreserve', access: 'user', summary: 'Return reserved bundles to active' },
  { action: 'lock', access: 'user', summary: 'Lock active bundles' },
  { action: 'unlock', access: 'user', summary: 'Return locked bundles to active' },
];

export async function certificateRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;
  const lifetime = ctx.config.certificateLifetimeDays;

  app.post(
    '/api/certificates/issue',
    {
      config: { access: ['issuer'] },
      schema: {
        tags,
        summary: 'Issue certificates for metered production (issuing body)',
        description:
          'One bundle per interval (at most one hour), with contiguous certificate ids per device. Refused, all or nothing, if any interval overlaps one ever issued for the device, lies in the future, or exceeds capacity × hours × 1.1.',
        body: Type.Object(
          {
            device_id: Id('Production device'),
            intervals: Type.Array(
              Type.Object(
                {
                  production_starting_interval: Timestamp('Start (UTC, inclusive)'),
                  production_ending_interval: Timestamp('End (UTC, exclusive), at most one hour after the start'),
                  wh: Wh('Metered production in whole Wh'),
                },
                strict,
              ),
              { minItems: 1, maxItems: 50_000, description: 'Intervals to issue, in any order, not overlapping' },
            ),
          },
          strict,
        ),
        response: withProblems({ 201: Type.Object({ bundles: Type.Array(Bundle) }) }),
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ bundles: await issueCertificates(db, caller(request), request.body, lifetime, ctx.clock.now()) }),
  );

  app.post(
    '/api/certificates/reissue',
    {
      config: { access: ['issuer'] },
      schema: {
        tags,
        summary: 'Re-issue a withdrawn bundle (issuing body)',
        description:
          'Creates a new issuance for the same device and interval, linked to the withdrawn bundle and credited to the account that held it. Each withdrawn bundle is re-issued once.',
        body: Type.Object(
          {
            granular_certificate_bundle_id: Id('The withdrawn bundle'),
            bundle_quantity: Type.Optional(Wh('Corrected Wh; defaults to the withdrawn quantity')),
          },
          strict,
        ),
        response: withProblems({ 201: Bundle }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await reissueBundle(db, caller(request), request.body, lifetime, ctx.clock.now())),
  );

  app.post(
    '/api/certificates/query',
    {
      config: { access: 'user', auditorsMay: 'it only reads; the body is the filter' },
      schema: {
        tags,
        summary: 'Query bundles of an account',
        description:
          'Every filter is optional but the account. Bundles come in production-time order, then id; pages follow `next_cursor`; there is no time window limit.',
        body: Type.Object(
          {
            ...BundleFilter,
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 1000, description: 'Page size, at most 1000 (default 100)' }),
            ),
            cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
          },
          strict,
        ),
        response: withProblems({ 200: Page(Bundle, 'Bundles in production-time order, then id') }, [400, 401, 404]),
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.body;
      return queryBundles(db, caller(request), filter, pageRequest({ limit, cursor }, 'body'));
    },
  );

  app.post(
    '/api/certificates/aggregate',
    {
      config: { access: 'user', auditorsMay: 'it only reads; the body is the filter' },
      schema: {
        tags,
        summary: 'Wh by period, energy source and status',
        body: Type.Object(
          {
            ...BundleFilter,
            granularity: Type.Union(
              GRANULARITIES.map((g) => Type.Literal(g)),
              { description: 'hour, day or month (UTC, by production start)' },
            ),
          },
          strict,
        ),
        response: withProblems(
          {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  period_start: Timestamp('Start of the period'),
                  energy_source: EnergySource,
                  certificate_bundle_status: Type.String({ description: 'Status' }),
                  bundles: Type.Integer({ description: 'Bundles' }),
                  wh: Type.Integer({ description: 'Wh' }),
                }),
              ),
            }),
          },
          [400, 401, 404],
        ),
      },
    },
    async (request) => {
      const { granularity, ...filter } = request.body;
      return { items: await aggregateBundles(db, caller(request), filter, granularity) };
    },
  );

  app.get(
    '/api/certificates/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'One bundle with its device and issuance metadata',
        params: IdParams,
        response: withProblems(
          {
            200: Type.Intersect([
              Bundle,
              Type.Object({
                device: Device,
                issuance_metadata: IssuanceMetadata,
                device_location: Type.Tuple([Type.Number(), Type.Number()], { description: '[latitude, longitude]' }),
                reissue_of_bundle_id: Type.Union([Id('The withdrawn bundle this issuance re-issued'), Type.Null()]),
              }),
            ]),
          },
          [401, 404],
        ),
      },
    },
    async (request) => getBundle(db, caller(request), request.params.id),
  );

  app.get(
    '/api/certificates/statements/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'A cancellation statement',
        params: IdParams,
        response: withProblems({ 200: Statement }, [401, 404]),
      },
    },
    async (request) => getStatement(db, caller(request), request.params.id),
  );

  for (const route of ACTION_ROUTES) {
    app.post(
      `/api/certificates/${route.action}`,
      {
        config: { access: route.access },
        schema: {
          tags,
          summary: route.summary,
          description:
            'All or nothing for the whole list. Bundles must be held by source_id and be in a status the action starts from (409 otherwise).',
          body: actionBody(route.extra),
          response: withProblems({ 200: ActionResult }),
        },
      },
      async (request) => performAction(db, caller(request), route.action, request.body as never, ctx.clock.now()),
    );
  }
}
