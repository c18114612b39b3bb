import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Page, PageQuery } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import { ACTING_PROBLEMS } from '../accounts/index.ts';
import { createDisclosure, listDisclosures } from './disclosures.ts';
import { disclosureCache, matches } from './cache.ts';
import { DisclosureDataset, DisclosureLinks, DisclosureSummary, NewDisclosure } from './schemas.ts';

const tags = ['disclosures'];
const CACHING =
  'Computed once per change of the claims and readings behind it; the answer carries an `ETag`, ' +
  'and `If-None-Match` with it answers 304 while nothing changed.';
const NotModified = Type.Null({ description: 'Not modified: the ETag sent in If-None-Match is current' });
const IdParams = Type.Object(
  {
    id: Type.String({
      format: 'uuid',
      description: 'Disclosure id',
      examples: ['0b7c6d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e'],
    }),
  },
  { additionalProperties: false },
);

export async function disclosureRoutes(app: App, ctx: AppContext): Promise<void> {
  const publicUrl = ctx.config.publicUrl;

  app.post(
    '/api/disclosures',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'publishDisclosure',
        tags,
        summary: 'Publish an hourly-matching disclosure',
        description:
          'For an account (its consumption metering points and the certificates it claimed) or for consumption ' +
          'metering points (and the certificates claimed against them), over at most 366 days. The caller must be ' +
          'able to act for the consumer: publishing makes its data public.',
        body: NewDisclosure,
        response: { 201: DisclosureLinks },
        problems: [
          'consumer_required',
          'reversed_period',
          'period_too_long',
          'metering_point_not_found',
          'not_a_consumption_point',
          ...ACTING_PROBLEMS,
        ],
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDisclosure(request.db, caller(request), request.body, publicUrl)),
  );

  app.get(
    '/api/disclosures',
    {
      config: { readOnly: true, access: 'public' },
      schema: {
        operationId: 'listDisclosures',
        tags,
        summary: 'Published disclosures, newest first',
        description: 'Public: newest first, with the URLs of their datasets.',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(DisclosureSummary, 'Published disclosures, newest first') },
        problems: ['invalid_cursor'],
      },
    },
    async (request) => listDisclosures(request.db, publicUrl, pageRequest(request.query, 'querystring')),
  );

  const datasets = disclosureCache(ctx.clock);
  /** Serves one representation of a dataset with its ETag, or 304 when the client holds it already. */
  const serve =
    (kind: 'json' | 'csv') => async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const dataset = await datasets(request.db, request.params.id);
      const etag = dataset.etag(kind);
      // Caches may keep it, but must ask again before each use: a new claim shows at once.
      reply.header('etag', etag).header('cache-control', 'public, no-cache');
      if (matches(request.headers['if-none-match'], etag)) return reply.status(304).send();
      return kind === 'json'
        ? reply.type('application/json; charset=utf-8').send(dataset.text())
        : reply.type('text/csv').send(dataset.csv());
    };

  app.get(
    '/api/disclosures/:id/data.json',
    {
      config: { readOnly: true, access: 'public' },
      schema: {
        operationId: 'getDisclosureJson',
        tags,
        summary: 'A disclosure dataset as JSON, computed from the current claims',
        description: CACHING,
        params: IdParams,
        response: { 200: DisclosureDataset, 304: NotModified },
        problems: ['disclosure_not_found'],
      },
    },
    serve('json'),
  );

  app.get(
    '/api/disclosures/:id/data.csv',
    {
      config: { readOnly: true, access: 'public' },
      schema: {
        operationId: 'getDisclosureCsv',
        tags,
        summary: 'A disclosure dataset as CSV',
        description: `One row per hour, a claimed_wh column per energy source and technology. ${CACHING}`,
        params: IdParams,
        produces: ['text/csv'],
        response: {
          200: Type.String({
            description: 'The dataset as CSV',
            examples: [
              'hour_start,consumption_wh,claimed_wh,matched_wh,matched_share,claimed_wh_solar_pv/Solar\n' +
                '2026-06-01T10:00:00.000Z,1400000,1200000,1200000,0.857143,1200000\n',
            ],
          }),
          304: NotModified,
        },
        problems: ['disclosure_not_found'],
      },
    },
    serve('csv'),
  );
}
