import { Type } from 'typebox';
import type { App, AppContext } from '../platform/context.ts';
import { caller } from '../platform/http/access.ts';
import { Id, IdParams, Items, Page, PageQuery } from '../platform/http/schemas.ts';
import { ACTING_PROBLEMS } from './access.ts';
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
import { Account, AccountName, Invitation, Member, Whitelist } from './schemas.ts';

const tags = ['accounts'];

export async function accountRoutes(app: App, ctx: AppContext): Promise<void> {
  app.post(
    '/api/accounts',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'createAccount',
        tags,
        summary: 'Create an account',
        description:
          'The caller becomes its first member. The account belongs to the organisation named, or else ' +
          "to the caller's own (none when it has none); a user creates accounts in its own organisation " +
          'only, an admin in any.',
        body: Type.Object(
          {
            account_name: AccountName,
            organisation_id: Type.Optional(Id('The organisation that owns the account (default: the caller’s)')),
          },
          { ...strict, examples: [{ account_name: 'Solar Co' }] },
        ),
        response: { 201: Account },
        problems: ['organisation_not_found', 'not_in_organisation'],
      },
    },
    async (request, reply) => reply.status(201).send(await createAccount(request.db, caller(request), request.body)),
  );

  app.get(
    '/api/accounts',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listAccounts',
        tags,
        summary: 'Accounts the caller may read',
        description:
          'Its own accounts; every account for admins, auditors and issuers. In id order. With ' +
          '`organisation_id`, only that organisation’s (still only those the caller may read).',
        querystring: Type.Object(
          {
            ...PageQuery,
            organisation_id: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: Number.MAX_SAFE_INTEGER,
                description: 'Only the accounts of this organisation',
                examples: [1],
              }),
            ),
          },
          strict,
        ),
        response: { 200: Page(Account, 'Accounts') },
        problems: ['invalid_cursor'],
      },
    },
    async (request) =>
      listAccounts(
        request.db,
        caller(request),
        pageRequest(request.query, 'querystring'),
        request.query.organisation_id,
      ),
  );

  app.get(
    '/api/accounts/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getAccount',
        tags,
        summary: 'One account',
        description: 'An account the caller may not read answers 404, as one that does not exist.',
        params: IdParams,
        response: { 200: Account },
        problems: ['account_not_found'],
      },
    },
    async (request) => getAccount(request.db, caller(request), request.params.id),
  );

  app.patch(
    '/api/accounts/:id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'renameAccount',
        tags,
        summary: 'Rename an account (members)',
        description: 'Any member may rename it while it is open.',
        params: IdParams,
        body: Type.Object({ account_name: AccountName }, { ...strict, examples: [{ account_name: 'Solar Co A/S' }] }),
        response: { 200: Account },
        problems: ACTING_PROBLEMS,
      },
    },
    async (request) =>
      renameAccount(request.db, caller(request), request.params.id, request.body.account_name, ctx.clock.now()),
  );

  app.get(
    '/api/accounts/:id/members',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'listAccountMembers',
        tags,
        summary: 'Members of an account',
        description: 'The users who act on its holdings, in the order they joined.',
        params: IdParams,
        querystring: Type.Object(PageQuery, strict),
        response: { 200: Page(Member, 'Members in user id order') },
        problems: ['account_not_found', 'invalid_cursor'],
      },
    },
    async (request) =>
      listMembers(request.db, caller(request), request.params.id, pageRequest(request.query, 'querystring')),
  );

  app.post(
    '/api/accounts/:id/members',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'inviteAccountMember',
        tags,
        summary: 'Invite a member (members), or add one (admins)',
        description:
          'A member invites: 202 with the invitation, the same answer whether or not the ' +
          'user exists; the user joins by accepting it (POST /api/invitations/{id}/accept). ' +
          'An admin adds the user at once: 200 with the members.',
        params: IdParams,
        body: Type.Object(
          {
            user_id: Type.Optional(Id('User to invite')),
            email: Type.Optional(Type.String({ format: 'email', description: 'Or the email of the user to invite' })),
          },
          { ...strict, examples: [{ email: 'colleague@example.com' }] },
        ),
        response: { 200: Items(Member, 'The members, the new one included'), 202: Invitation },
        problems: ['member_required', 'user_not_found', ...ACTING_PROBLEMS],
      },
    },
    async (request, reply) => {
      const principal = caller(request);
      if (principal.role === 'admin')
        return { items: await addMember(request.db, principal, request.params.id, request.body) };
      return reply.status(202).send(await inviteMember(request.db, principal, request.params.id, request.body));
    },
  );

  app.delete(
    '/api/accounts/:id/members/:user_id',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'removeAccountMember',
        tags,
        summary: 'Remove a member (members)',
        description: 'An account keeps at least one member.',
        params: Type.Object(
          {
            id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Account', examples: [1] }),
            user_id: Type.Integer({
              minimum: 1,
              maximum: Number.MAX_SAFE_INTEGER,
              description: 'User to remove',
              examples: [5],
            }),
          },
          strict,
        ),
        response: { 200: Items(Member, 'The remaining members') },
        problems: [...ACTING_PROBLEMS, 'member_not_found', 'last_member'],
      },
    },
    async (request) => ({
      items: await removeMember(request.db, caller(request), request.params.id, request.params.user_id),
    }),
  );

  app.get(
    '/api/accounts/:id/whitelist',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'getWhitelist',
        tags,
        summary: 'Whitelist, both directions',
        description: 'A transfer to this account is accepted only from the accounts in accepts_from.',
        params: IdParams,
        response: { 200: Whitelist },
        problems: ['account_not_found'],
      },
    },
    async (request) => getWhitelist(request.db, caller(request), request.params.id),
  );

  app.post(
    '/api/accounts/:id/whitelist',
    {
      config: { access: 'user' },
      schema: {
        operationId: 'updateWhitelist',
        tags,
        summary: 'Change whose transfers this account accepts (members)',
        description: 'Adds and removes in one change; adding an account already listed changes nothing.',
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
          { ...strict, examples: [{ add: [1] }] },
        ),
        response: { 200: Whitelist },
        problems: ['whitelist_self', 'whitelist_contradiction', ...ACTING_PROBLEMS],
      },
    },
    async (request) => updateWhitelist(request.db, caller(request), request.params.id, request.body),
  );
}
