import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Id, IdParams, Page, PageQuery, withProblems } from '../platform/http/schemas.ts';
import { pageRequest } from '../platform/pagination.ts';
import {
  addMember,
  createAccount,
  getAccount,
  getWhitelist,
  listAccounts,
  listMembers,
  removeMember,
  renameAccount,
  updateWhitelist,
} from './accounts.ts';
import { inviteMember } from './invitations.ts';
import { strict } from '../platform/http/schemas.ts';
import { Account, Invitation, Member, Whitelist } from './schemas.ts';

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
    async (request) => renameAccount(db, caller(request), request.params.id, request.body.account_name),
  );

  app.get(
    '/api/accounts/:id/members',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: 'Members of an account',
        params: IdParams,
        querystring: Type.Object(PageQuery, strict),
        response: withProblems({ 200: Page(Member, 'Members in user id order') }, [400, 401, 404]),
      },
    },
    async (request) => listMembers(db, caller(request), request.params.id, pageRequest(request.query, 'querystring')),
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
}
