import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Id, Timestamp, withProblems } from '../platform/http/schemas.ts';
import { createDisclosure, disclosureCsv, disclosureDataset, listDisclosures } from './disclosures.ts';

const tags = ['disclosures'];
const Links = {
  id: Type.String({ format: 'uuid', description: 'Disclosure id' }),
  json_url: Type.String({ description: 'The dataset as JSON; public, no token needed' }),
  csv_url: Type.String({ description: 'The dataset as CSV; public, no token needed' }),
};
const IdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'Disclosure id' }) }, { additionalProperties: false });

export async function disclosureRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;
  const publicUrl = ctx.config.publicUrl;

  app.post('/api/disclosures', {
    config: { access: 'user' },
    schema: {
      tags, summary: 'Publish an hourly-matching disclosure',
      description: 'For an account (its consumption metering points and the certificates it claimed) or for consumption metering points (and the certificates claimed against them), over at most 366 days. The caller must be able to act for the consumer: publishing makes its data public.',
      body: Type.Object({
        account_id: Type.Optional(Id('The consuming account')),
        metering_point_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, description: 'Consumption metering point' }), { minItems: 1, maxItems: 1000, description: 'Or these consumption metering points' })),
        period_start: Timestamp('Start of the period (UTC)'),
        period_end: Timestamp('End of the period (UTC, exclusive)'),
      }, { additionalProperties: false }),
      response: withProblems({ 201: Type.Object(Links) }),
    },
  }, async (request, reply) => reply.status(201).send(await createDisclosure(db, caller(request), request.body, publicUrl)));

  app.get('/api/disclosures', {
    config: { access: 'public' },
    schema: {
      tags, summary: 'Published disclosures, newest first',
      response: {
        200: Type.Object({
          items: Type.Array(Type.Object({
            ...Links,
            account_id: Type.Union([Id('Consuming account'), Type.Null()]),
            metering_point_ids: Type.Array(Type.String(), { description: 'Consumption metering points' }),
            period_start: Timestamp('Start'), period_end: Timestamp('End'), created_at: Timestamp('Published at'),
          })),
        }),
      },
    },
  }, async () => ({ items: await listDisclosures(db, publicUrl) }));

  app.get('/api/disclosures/:id/data.json', {
    config: { access: 'public' },
    schema: { tags, summary: 'A disclosure dataset as JSON, computed from the current claims', params: IdParams, response: withProblems({ 200: Type.Unknown({ description: 'The dataset' }) }, [400, 404]) },
  }, async (request) => disclosureDataset(db, request.params.id));

  app.get('/api/disclosures/:id/data.csv', {
    config: { access: 'public' },
    schema: { tags, summary: 'A disclosure dataset as CSV', params: IdParams, response: withProblems({ 200: Type.String({ description: 'text/csv' }) }, [400, 404]) },
  }, async (request, reply) => reply.type('text/csv').send(disclosureCsv(await disclosureDataset(db, request.params.id))));
}
