// The publications routes: publish a document on decentralised storage, and read what became of it.
// A publication is public once made (its CID is on the storage and in the ledger), so reading is too.
import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Page, PageQuery } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import { getPublication, listPublications, publish } from './publications.ts';
import type { Publisher } from './publisher.ts';
import { NewPublication, Publication, PublicationFilter } from './schemas.ts';

const tags = ['publications'];
const IdParams = Type.Object(
  {
    id: Type.String({
      format: 'uuid',
      description: 'Publication id',
      examples: ['6f1d2c3b-4a5e-4f60-8172-93a4b5c6d7e8'],
    }),
  },
  { additionalProperties: false },
);

export const publicationRoutes =
  (publisher: Publisher | undefined) =>
  async (app: App, ctx: AppContext): Promise<void> => {
    app.post(
      '/api/publications',
      {
        config: { access: 'user' },
        schema: {
          operationId: 'publish',
          tags,
          summary:
            'Publish a disclosure, a sealed ledger block or a market session’s forecasts on decentralised storage',
          description:
            'Tally uploads the document as it stands now through its own uploader (`/uploader`), signing and paying ' +
            'with its publisher wallet (TALLY_PUBLISHER_PRIVATE_KEY): the quote, an approval of the quoted tokens when ' +
            'the storage asks for payment, the signed upload, then the CID. The answer is the publication with its ' +
            'final status; an attempt that reached a quote is recorded even if the upload failed (`failure` says why). ' +
            'An issuer or an admin publishes anything; a disclosure’s owner publishes that disclosure.',
          body: NewPublication,
          response: { 201: Publication },
          problems: [
            'invalid_request',
            'role_required',
            'disclosure_not_found',
            'ledger_block_not_found',
            'market_session_not_found',
            'storage_not_found',
            'publisher_not_configured',
            'storage_not_payable',
            'nothing_to_publish',
            'document_too_large',
            'storage_provider_failed',
          ],
        },
      },
      async (request, reply) =>
        reply.status(201).send(await publish(request.db, publisher, caller(request), request.body, ctx.clock.now())),
    );

    app.get(
      '/api/publications',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'listPublications',
          tags,
          summary: 'Publications, newest first',
          description: 'Public: every attempt to publish, with its status and, when stored, its CID.',
          querystring: Type.Object({ ...PublicationFilter, ...PageQuery }, { additionalProperties: false }),
          response: { 200: Page(Publication, 'Publications, newest first') },
          problems: ['invalid_cursor'],
        },
      },
      async (request) => listPublications(request.db, request.query, pageRequest(request.query, 'querystring')),
    );

    app.get(
      '/api/publications/:id',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'getPublication',
          tags,
          summary: 'A publication: its status, CID and the SHA-256 of what was published',
          description: 'Public. Fetch the document from the storage by its CID and compare its SHA-256.',
          params: IdParams,
          response: { 200: Publication },
          problems: ['publication_not_found'],
        },
      },
      async (request) => getPublication(request.db, request.params.id),
    );
  };
