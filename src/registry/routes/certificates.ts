import { Type } from 'typebox';
import type { App, AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/http/access.ts';
import { caller } from '../../platform/http/access.ts';
import { Id, IdParams, Nullable, OneOf, Page, strict, Timestamp } from '../../platform/http/schemas.ts';
import { written } from '../../platform/http/serializer.ts';
import type { ProblemCode } from '../../platform/problem-codes.ts';
import { pageRequest } from '../../platform/pagination.ts';
import { ACTING_PROBLEMS } from '../../accounts/index.ts';
import { performAction, type Action } from '../actions.ts';
import { issueCertificates, reissueBundle } from '../issuance.ts';
import { aggregateBundles, getBundle, GRANULARITIES, queryBundlesAsJson } from '../queries.ts';
import { getStatement } from '../statements.ts';
import { updateMutables } from '../mutables.ts';
import * as example from '../examples.ts';
import { ImportedIssuance } from '../import-schemas.ts';
import {
  ACTION_REQUESTS,
  type ActionRequests,
  ActionResult,
  Bundle,
  BundleFilter,
  Device,
  EnergySource,
  IssuanceMetadata,
  IssuanceRequest,
  MutablesRequest,
  MutablesResult,
  ReissueRequest,
  Statement,
} from '../schemas.ts';

const tags = ['certificates'];

const ALL_OR_NOTHING = 'All or nothing; each bundle is held by source_id in a status the action starts from.';

/** What every lifecycle action may be refused with. */
const ACTION_PROBLEMS = [
  'duplicate_bundle_id',
  'bundle_not_found',
  'bundle_not_in_account',
  'invalid_status',
  'insufficient_quantity',
  ...ACTING_PROBLEMS,
] as const;

/** Each lifecycle action: who may call it, what it is called, and what it may be refused with beyond the common. */
interface ActionRoute<A extends Action> {
  action: A;
  operationId: string;
  access: Access;
  summary: string;
  description: string;
  problems?: ProblemCode[];
}
const ACTION_ROUTES = [
  {
    action: 'transfer',
    operationId: 'transferCertificates',
    description: 'The bundles move to target_id, which must have whitelisted source_id; their status stays.',
    access: 'user',
    summary: 'Transfer active bundles to an account that whitelisted the source',
    problems: ['target_required', 'same_account', 'transfer_not_accepted'],
  },
  {
    action: 'cancel',
    operationId: 'cancelCertificates',
    description: 'Retires the bundles for the beneficiary; the statement (statement_id) lists them.',
    access: 'user',
    summary: 'Cancel (retire) active or reserved bundles for a beneficiary; returns a statement',
    problems: ['beneficiary_required'],
  },
  {
    action: 'claim',
    operationId: 'claimCertificates',
    description:
      'Claims for a named consumer, or a consumption metering point of the source account, over an optional period.',
    access: 'user',
    summary: 'Claim cancelled bundles against a consumer or consumption metering point',
    problems: [
      'consumer_required',
      'period_incomplete',
      'reversed_period',
      'metering_point_not_found',
      'not_a_consumption_point',
      'point_of_another_account',
    ],
  },
  {
    action: 'withdraw',
    operationId: 'withdrawCertificates',
    description: "The issuing body's correction: withdrawn bundles may be re-issued once.",
    access: ['issuer'],
    summary: 'Withdraw bundles in any non-final status (issuing body)',
  },
  {
    action: 'reserve',
    operationId: 'reserveCertificates',
    description: 'Reserved bundles may still be cancelled, not transferred.',
    access: 'user',
    summary: 'Reserve active bundles',
  },
  {
    action: 'unreserve',
    operationId: 'unreserveCertificates',
    description: 'The bundles become active again.',
    access: 'user',
    summary: 'Return reserved bundles to active',
  },
  {
    action: 'lock',
    operationId: 'lockCertificates',
    description: 'Locked bundles take no action but unlock and withdraw.',
    access: 'user',
    summary: 'Lock active bundles',
  },
  {
    action: 'unlock',
    operationId: 'unlockCertificates',
    description: 'The bundles become active again.',
    access: 'user',
    summary: 'Return locked bundles to active',
  },
] satisfies ActionRoute<Action>[];

/** One action's route, generic so that its body is typed as that action's request. */
function actionRoute<A extends Action>(app: App, ctx: AppContext, route: ActionRoute<A>): void {
  app.post(
    `/api/certificates/${route.action}`,
    {
      config: { access: route.access },
      schema: {
        operationId: route.operationId,
        tags,
        summary: route.summary,
        description: `${route.description} ${ALL_OR_NOTHING}`,
        body: ACTION_REQUESTS[route.action],
        response: { 200: ActionResult },
        problems: [...ACTION_PROBLEMS, ...(route.problems ?? [])],
      },
    },
    // Validated by ACTION_REQUESTS[route.action]: the type provider cannot resolve that for a generic action.
    async (request) =>
      performAction(request.db, caller(request), route.action, request.body as ActionRequests[A], ctx.clock.now()),
  );
}

export async function certificateRoutes(app: App, ctx: AppContext): Promise<void> {
  const lifetime = ctx.config.certificateLifetimeDays;

  app.post(
    '/api/certificates/issue',
    {
      config: { access: ['issuer'] },
      schema: {
        operationId: 'issueCertificates',
        tags,
        summary: 'Issue certificates for metered production (issuing body)',
        description:
          'One bundle per interval (at most one hour), with contiguous certificate ids ' +
          'per device. Refused, all or nothing, if any interval overlaps one ever ' +
          'issued for the device, lies in the future, or exceeds capacity × hours × 1.1.',
        body: IssuanceRequest,
        response: {
          201: Type.Object(
            { bundles: Type.Array(Bundle, { description: 'One bundle per interval' }) },
            { description: 'The issued bundles', examples: [{ bundles: [{ ...example.bundle, account_id: 1 }] }] },
          ),
        },
        problems: [
          'device_not_found',
          'invalid_interval',
          'reversed_interval',
          'interval_too_long',
          'overlapping_intervals',
          'future_interval',
          'over_capacity',
          'whole_hour_required',
          'incomplete_hour',
          'over_metered',
          'not_a_production_device',
          'issuance_metadata_missing',
          'id_space_exhausted',
          'already_issued',
          'account_not_found',
          'account_closed',
        ],
      },
    },
    async (request, reply) =>
      reply.status(201).send({
        bundles: await issueCertificates(request.db, caller(request), request.body, lifetime, ctx.clock.now()),
      }),
  );

  app.post(
    '/api/certificates/reissue',
    {
      config: { access: ['issuer'] },
      schema: {
        operationId: 'reissueBundle',
        tags,
        summary: 'Re-issue a withdrawn bundle (issuing body)',
        description:
          'Creates a new issuance for the same device and interval, linked to the withdrawn bundle and credited to ' +
          'the account that held it. Each withdrawn bundle is re-issued once.',
        body: ReissueRequest,
        response: { 201: Bundle },
        problems: [
          'bundle_not_found',
          'invalid_status',
          'already_reissued',
          'imported_bundle',
          'over_capacity',
          'over_metered',
          'device_not_found',
          'not_a_production_device',
          'issuance_metadata_missing',
          'id_space_exhausted',
          'account_not_found',
          'account_closed',
        ],
      },
    },
    async (request, reply) =>
      reply.status(201).send(await reissueBundle(request.db, caller(request), request.body, lifetime, ctx.clock.now())),
  );

  app.post(
    '/api/certificates/query',
    {
      config: { readOnly: true, access: 'user', auditorsMay: 'it only reads; the body is the filter' },
      schema: {
        operationId: 'queryCertificates',
        tags,
        summary: 'Query bundles of an account',
        description:
          'Every filter is optional but the account. Bundles come in production-time order, then id; ' +
          'pages follow `next_cursor`; there is no time window limit.',
        body: Type.Object(
          {
            ...BundleFilter.properties,
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 1000, description: 'Page size, at most 1000 (default 100)' }),
            ),
            cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
          },
          { ...strict, examples: [{ source_id: 2, certificate_bundle_status: 'active', limit: 100 }] },
        ),
        response: { 200: Page(Bundle, 'Bundles in production-time order, then id') },
        problems: ['account_not_found', 'invalid_cursor', 'reversed_period', 'range_needs_issuance', 'reversed_range'],
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.body;
      return written(
        await queryBundlesAsJson(request.database, caller(request), filter, pageRequest({ limit, cursor }, 'body')),
      );
    },
  );

  app.post(
    '/api/certificates/aggregate',
    {
      config: { readOnly: true, access: 'user', auditorsMay: 'it only reads; the body is the filter' },
      schema: {
        operationId: 'aggregateCertificates',
        tags,
        summary: 'Wh by period, energy source and status',
        description: 'Sums the bundles the filter selects, by UTC hour, day or month of their production start.',
        body: Type.Object(
          {
            ...BundleFilter.properties,
            granularity: OneOf(GRANULARITIES, { description: 'hour, day or month (UTC, by production start)' }),
          },
          { ...strict, examples: [{ source_id: 2, granularity: 'day' }] },
        ),
        response: {
          200: Type.Object(
            {
              items: Type.Array(
                Type.Object({
                  period_start: Timestamp('Start of the period'),
                  energy_source: EnergySource,
                  certificate_bundle_status: Type.String({ description: 'Status' }),
                  bundles: Type.Integer({ description: 'Bundles' }),
                  wh: Type.Integer({ description: 'Wh' }),
                }),
                { description: 'One row per period, energy source and status' },
              ),
            },
            {
              description: 'The sums',
              examples: [
                {
                  items: [
                    {
                      period_start: '2026-06-01T00:00:00.000Z',
                      energy_source: 'solar_pv',
                      certificate_bundle_status: 'active',
                      bundles: 2,
                      wh: 2000000,
                    },
                  ],
                },
              ],
            },
          ),
        },
        problems: ['account_not_found', 'reversed_period', 'range_needs_issuance', 'reversed_range'],
      },
    },
    async (request) => {
      const { granularity, ...filter } = request.body;
      return { items: await aggregateBundles(request.db, caller(request), filter, granularity) };
    },
  );

  app.patch(
    '/api/certificates/mutables',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'updateCertificateMutables',
        tags,
        summary: "Set or remove the holder's reference of bundles",
        description:
          "The holder's reference is the one field of a bundle changed in place, in any status; each change is a " +
          'ledger event (certificates.mutables_updated). Account and status change only by their actions ' +
          '(transfer, cancel, …), every other field never. All or nothing.',
        body: MutablesRequest,
        response: { 200: MutablesResult },
        problems: ['bundle_not_found', 'bundle_not_in_account', ...ACTING_PROBLEMS],
      },
    },
    async (request) => updateMutables(request.db, caller(request), request.body, ctx.clock.now()),
  );

  app.get(
    '/api/certificates/:id',
    {
      config: { readOnly: true, access: 'user' },
      schema: {
        operationId: 'getCertificateBundle',
        tags,
        summary: 'One bundle with its device and issuance metadata',
        description:
          'The device and the issuance metadata are those the certificates were issued with. A bundle imported from ' +
          'another registry has no device or metadata here: `imported_from` says where it was issued.',
        params: IdParams,
        response: {
          200: Type.Intersect(
            [
              Bundle,
              Type.Object({
                device: Nullable(Device),
                issuance_metadata: Nullable(IssuanceMetadata),
                device_location: Nullable(
                  Type.Tuple([Type.Number(), Type.Number()], { description: '[latitude, longitude]' }),
                ),
                reissue_of_bundle_id: Type.Union([Id('The withdrawn bundle this issuance re-issued'), Type.Null()]),
                origin_device: Type.Union([Device, Type.Null()], {
                  description: 'An SD-GC: the production device of the charge certificates it came from',
                }),
                imported_from: Nullable(ImportedIssuance),
              }),
            ],
            {
              description: 'The bundle and where its certificates come from',
              examples: [
                {
                  ...example.bundle,
                  device: example.device,
                  issuance_metadata: example.metadata,
                  device_location: [56.15, 10.2],
                  reissue_of_bundle_id: null,
                  origin_device: null,
                  imported_from: null,
                },
              ],
            },
          ),
        },
        problems: ['bundle_not_found'],
      },
    },
    async (request) => getBundle(request.db, caller(request), request.params.id),
  );

  app.get(
    '/api/certificates/statements/:id',
    {
      config: { readOnly: true, access: 'user' },
      schema: {
        operationId: 'getCancellationStatement',
        tags,
        summary: 'A cancellation statement',
        description: 'What a cancel retired, for whom: the bundles and the Wh by energy source and hour.',
        params: IdParams,
        response: { 200: Statement },
        problems: ['statement_not_found'],
      },
    },
    async (request) => getStatement(request.db, caller(request), request.params.id),
  );

  for (const route of ACTION_ROUTES) actionRoute(app, ctx, route);
}
