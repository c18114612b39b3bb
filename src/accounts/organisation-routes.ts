// The native organisation routes. Organisations are identity's; they live here because deleting
// one asks what accounts it owns, which identity, beneath accounts, cannot.
import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { IdParams, Page, PageQuery, strict } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import {
  createOrganisation,
  getOrganisation,
  listOrganisations,
  NewOrganisation,
  Organisation,
  OrganisationChange,
  updateOrganisation,
} from '../identity/index.ts';
import { deleteOrganisation } from './organisations.ts';

const tags = ['organisations'];

export async function organisationRoutes(app: App, ctx: AppContext): Promise<void> {
  app.post(
    '/api/organisations',
    {
      config: { access: ['admin'] },
      schema: {
        operationId: 'createOrganisation',
        tags,
        summary: 'Create an organisation (admin)',
        description:
          'The registry verifies who a party is, so its administrator creates organisations; users ' +
          '(POST /api/users, PATCH /api/users/{id}) and accounts (POST /api/accounts) are then put in them.',
        body: NewOrganisation,
        response: { 201: Organisation },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createOrganisation(request.db, caller(request), request.body)),
  );

  app.get(
    '/api/organisations',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listOrganisations',
        tags,
        summary: 'Organisations the caller may read',
        description: 'Its own; every live one for admins, auditors and issuers. In id order.',
        querystring: Type.Object(PageQuery, strict),
        response: { 200: Page(Organisation, 'Organisations in id order') },
        problems: ['invalid_cursor'],
      },
    },
    async (request) => listOrganisations(request.db, caller(request), pageRequest(request.query, 'querystring')),
  );

  app.get(
    '/api/organisations/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getOrganisation',
        tags,
        summary: 'One organisation',
        description:
          'Its users read it, and admins, auditors and issuers. Any other, and a deleted one, answers 404. ' +
          'Its accounts: GET /api/accounts?organisation_id={id}, those the caller is a member of.',
        params: IdParams,
        response: { 200: Organisation },
        problems: ['organisation_not_found'],
      },
    },
    async (request) => getOrganisation(request.db, caller(request), request.params.id),
  );

  app.patch(
    '/api/organisations/:id',
    {
      config: { access: ['admin'] },
      schema: {
        operationId: 'updateOrganisation',
        tags,
        summary: 'Change an organisation (admin)',
        description: 'Changes the fields given; `address` or `website` null removes it.',
        params: IdParams,
        body: OrganisationChange,
        response: { 200: Organisation },
        problems: ['organisation_not_found'],
      },
    },
    async (request) =>
      updateOrganisation(request.db, caller(request), request.params.id, request.body, ctx.clock.now()),
  );

  app.delete(
    '/api/organisations/:id',
    {
      config: { access: ['admin'] },
      schema: {
        operationId: 'deleteOrganisation',
        tags,
        summary: 'Delete an organisation (admin)',
        description:
          'Only one that owns no open account and has no active user (409 naming them otherwise). ' +
          'It is marked deleted, not erased: its closed accounts, deactivated users and the ledger name it.',
        params: IdParams,
        response: { 200: Organisation },
        problems: ['organisation_not_found', 'organisation_has_accounts', 'organisation_has_users'],
      },
    },
    async (request) => deleteOrganisation(request.db, caller(request), request.params.id, ctx.clock.now()),
  );
}
