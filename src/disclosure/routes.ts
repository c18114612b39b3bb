import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Id, Timestamp, withProblems } from '../platform/http/schemas.ts';
import { createDisclosure, listDisclosures } from './disclosures.ts';
import { disclosureCache, matches } from './cache.ts';

const tags = ['disclosures'];
const Links = {
  id: Type.String({ format: 'uuid', description: 'Disclosure id' }),
  json_url: Type.String({ description: 'The dataset as JSON; public, no token needed' }),
  csv_url: Type.String({ description: 'The dataset as CSV; public, no token needed' }),
};
const CACHING =
  'Computed once per change of the claims and readings behind it; the answer carries an `ETag`, and `If-None-Match` with it answers 304 while nothing changed.';
const NotModified = Type.Null({ description: 'Not modified: the ETag sent in If-None-Match is current' });
const IdParams = Type.Object(
  { id: Type.String({ format: 'uuid', description: 'Disclosure id' }) },
  { additionalProperties: false },
);

export async function disclosureRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;
  const publicUrl = ctx.config.publicUrl;

  app.post(
    '/api/disclosures',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Publish an hourly-matching disclosure',
        description:
          'For an account (its consumption metering points and the certificates it claimed) or for consumption metering points (and the certificates claimed against them), over at most 366 days. The caller must be able to act for the consumer: publishing makes its data public.',
        body: Type.Object(
          {
            account_id: Type.Optional(Id('The consuming account')),
            metering_point_ids: Type.Optional(
              Type.Array(Type.String({ minLength: 1, description: 'Consumption metering point' }), {
                minItems: 1,
                maxItems: 1000,
                description: 'Or these consumption metering points',
              }),
            ),
            period_start: Timestamp('Start of the period (UTC)'),
            period_end: Timestamp('End of the period (UTC, exclusive)'),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: Type.Object(Links) }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDisclosure(db, caller(request), request.body, publicUrl)),
  );

  app.get(
    '/api/disclosures',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Published disclosures, newest first',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                ...Links,
                account_id: Type.Union([Id('Consuming account'), Type.Null()]),
                metering_point_ids: Type.Array(Type.String(), { description: 'Consumption metering points' }),
                period_start: Timestamp('Start'),
                period_end: Timestamp('End'),
                created_at: Timestamp('Published at'),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ items: await listDisclosures(db, publicUrl) }),
  );

  const datasets = disclosureCache(db, ctx.clock);
  /** Serves one representation of a dataset with its ETag, or 304 when the client holds it already. */
  const serve =
    (kind: 'json' | 'csv') => async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const dataset = await datasets(request.params.id);
      const etag = dataset.etag(kind);
      // Caches may keep it, but must ask again before each use: a new claim shows at once.
      reply.header('etag', etag).header('cache-control', 'public, no-cache');
      if (matches(request.headers['if-none-match'], etag)) return reply.status(304).send();
      return kind === 'json' ? reply.send(dataset.json) : reply.type('text/csv').send(dataset.csv());
    };

  app.get(
    '/api/disclosures/:id/data.json',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'A disclosure dataset as JSON, computed from the current claims',
        description: CACHING,
        params: IdParams,
        response: withProblems(
          { 200: Type.Unknown({ description: 'The dataset' }), 304: NotModified },
          [400, 404, 429],
        ),
      },
    },
    serve('json'),
  );

  app.get(
    '/api/disclosures/:id/data.csv',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'A disclosure dataset as CSV',
        description: CACHING,
        params: IdParams,
        response: withProblems({ 200: Type.String({ description: 'text/csv' }), 304: NotModified }, [400, 404, 429]),
      },
    },
    serve('csv'),
  );
}
