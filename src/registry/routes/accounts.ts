import { Type } from 'typebox';
import type { App, AppContext } from '../../platform/context.ts';
import { caller } from '../../platform/http/access.ts';
import { Id, IdParams, Page, PageQuery, withProblems } from '../../platform/http/schemas.ts';
import { pageRequest } from '../../platform/pagination.ts';
import {
  accountSummary,
  addMember,
  closeAccount,
  createAccount,
  getAccount,
  getWhitelist,
  listAccounts,
  listMembers,
  removeMember,
  renameAccount,
  updateWhitelist,
} from '../accounts.ts';
import { inviteMember } from '../invitations.ts';
import { Account, Invitation, Member, Whitelist, strict } from '../schemas.ts';

const AccountName = Type.String({ minLength: 1, maxLength: 200, description: 'Name of the account' });
const tags = ['accounts'];

export async function accountRoutes(app: App, ctx: AppContext): Promise<void> {
  const db = ctx.database.kysely;

  app.post(
    '/api/accounts',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Create an account',
        description: 'The caller becomes its first member.',
        body: Type.Object({ account_name: AccountName }, strict),
        response: withProblems({ 201: Account }, [400, 401]),
      },
    },
    async (request, reply) => reply.status(201).send(await createAccount(db, caller(request), request.body)),
  );

  app.get(
    '/api/accounts',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Accounts the caller may read',
        querystring: Type.Object(PageQuery, strict),
        response: withProblems({ 200: Page(Account, 'Accounts') }, [400, 401]),
      },
    },
    async (request) => listAccounts(db, caller(request), pageRequest(request.query, 'querystring')),
  );

  app.get(
    '/api/accounts/:id',
    {
      config: { access: 'user' },
      schema: { tags, summary: 'One account', params: IdParams, response: withProblems({ 200: Account }, [401, 404]) },
    },
    async (request) => getAccount(db, caller(request), request.params.id),
  );

  app.patch(
    '/api/accounts/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Rename an account (members)',
        params: IdParams,
        body: Type.Object({ account_name: AccountName }, strict),
        response: withProblems({ 200: Account }, [400, 401, 403, 404, 409]),
      },
    },
    async (request) =>
      renameAccount(db, caller(request), request.params.id, request.body.account_name, ctx.clock.now()),
  );

  app.delete(
    '/api/accounts/:id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Close an account (members)',
        description: 'Soft and final. Refused while the account holds active, reserved or locked certificates.',
        params: IdParams,
        response: withProblems({ 200: Account }, [401, 403, 404, 409]),
      },
    },
    async (request) => closeAccount(db, caller(request), request.params.id, ctx.clock.now()),
  );

  app.get(
    '/api/accounts/:id/members',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Members of an account',
        params: IdParams,
        response: withProblems({ 200: Type.Object({ items: Type.Array(Member) }) }, [401, 404]),
      },
    },
    async (request) => ({ items: await listMembers(db, caller(request), request.params.id) }),
  );

  app.post(
    '/api/accounts/:id/members',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Invite a member (members), or add one (admins)',
        description:
          'A member invites: 202 with the invitation, the same answer whether or not the user exists; the user joins by accepting it (POST /api/invitations/{id}/accept). An admin adds the user at once: 200 with the members.',
        params: IdParams,
        body: Type.Object(
          {
            user_id: Type.Optional(Id('User to invite')),
            email: Type.Optional(Type.String({ format: 'email', description: 'Or the email of the user to invite' })),
          },
          strict,
        ),
        response: withProblems({ 200: Type.Object({ items: Type.Array(Member) }), 202: Invitation }),
      },
    },
    async (request, reply) => {
      const principal = caller(request);
      if (principal.role === 'admin') return { items: await addMember(db, principal, request.params.id, request.body) };
      return reply.status(202).send(await inviteMember(db, principal, request.params.id, request.body));
    },
  );

  app.delete(
    '/api/accounts/:id/members/:user_id',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Remove a member (members)',
        params: Type.Object({ id: Id('Account'), user_id: Id('User to remove') }, strict),
        response: withProblems({ 200: Type.Object({ items: Type.Array(Member) }) }, [401, 403, 404, 409]),
      },
    },
    async (request) => ({ items: await removeMember(db, caller(request), request.params.id, request.params.user_id) }),
  );

  app.get(
    '/api/accounts/:id/whitelist',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Whitelist, both directions',
        params: IdParams,
        response: withProblems({ 200: Whitelist }, [401, 404]),
      },
    },
    async (request) => getWhitelist(db, caller(request), request.params.id),
  );

  app.post(
    '/api/accounts/:id/whitelist',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Change whose transfers this account accepts (members)',
        params: IdParams,
        body: Type.Object(
          {
            add: Type.Optional(
              Type.Array(Id('Account'), { maxItems: 1000, description: 'Accounts to accept transfers from' }),
            ),
            remove: Type.Optional(
              Type.Array(Id('Account'), { maxItems: 1000, description: 'Accounts to stop accepting transfers from' }),
            ),
          },
          strict,
        ),
        response: withProblems({ 200: Whitelist }),
      },
    },
    async (request) => updateWhitelist(db, caller(request), request.params.id, request.body),
  );

  app.get(
    '/api/accounts/:id/summary',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Wh held by energy source and status',
        params: IdParams,
        response: withProblems(
          {
            200: Type.Object({
              account_id: Id('Account'),
              total_wh: Type.Integer({ description: 'Wh of every bundle the account holds, any status' }),
              by_source_and_status: Type.Array(
                Type.Object({
                  energy_source: Type.String({ description: 'Energy source' }),
                  certificate_bundle_status: Type.String({ description: 'Status' }),
                  bundles: Type.Integer({ description: 'Number of bundles' }),
                  wh: Type.Integer({ description: 'Wh' }),
                }),
              ),
            }),
          },
          [401, 404],
        ),
      },
    },
    async (request) => accountSummary(db, caller(request), request.params.id),
  );
}
