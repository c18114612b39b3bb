// The draft's accounts (`/accounts/account`, `/{id}`), onto the accounts module: create, read,
// rename, close (DELETE: Tally closes, never erases, an account, and only an empty one). The
// draft has no whitelist operation; PATCH takes Tally's `whitelist_add` / `whitelist_remove`
// (account UUIDs) and every account shows its `whitelist`. An account is created in the
// organisation the draft's `id` names, and shows it (`organisation`, `organisation_id`).
import { Type } from 'typebox';
import {
  type AccountView,
  AccountName,
  createAccount,
  getAccount,
  getWhitelist,
  listMembers,
  updateAccount,
} from '../../accounts/index.ts';
import { organisationById } from '../../identity/index.ts';
import type { Db } from '../../platform/database.ts';
import type { Principal } from '../../platform/principal.ts';
import { closeAccount } from '../../registry/index.ts';
import type { Face } from './face.ts';
import { readUuid, uuidOf } from './ids.ts';
import { organisationRead } from './organisations.ts';
import { bodyIdIsPath, entityId, every, Uuid } from './shapes.ts';
import { refuse, ROLE_WORDS } from './wire.ts';

const AccountBase = Type.Object({ account_name: AccountName, id: Type.Optional(Uuid) });
const AccountUpdate = Type.Object({
  id: Type.Optional(Uuid),
  account_name: Type.Optional(AccountName),
  whitelist_add: Type.Optional(Type.Array(Uuid, { maxItems: 1000 })),
  whitelist_remove: Type.Optional(Type.Array(Uuid, { maxItems: 1000 })),
});

/**
 * The draft's AccountRead: the account, its organisation, its users (Tally's members) and, Tally's
 * extension, its whitelist. The account's readers see who owns it: the organisation is shown from
 * the account, whatever organisation the reader is in. Its `id` is the account (the path's); the
 * organisation is `organisation` and `organisation_id`.
 */
async function accountRead(db: Db, principal: Principal, account: AccountView) {
  const members = await every((page) => listMembers(db, principal, account.id, page));
  const whitelist = await getWhitelist(db, principal, account.id);
  const organisation =
    account.organisation_id === null ? undefined : await organisationById(db, account.organisation_id);
  return {
    id: uuidOf('account', account.id),
    account_name: account.account_name,
    ...(organisation
      ? { organisation: organisationRead(organisation), organisation_id: uuidOf('organisation', organisation.id) }
      : {}),
    users: members.map((m) => ({
      id: uuidOf('user', m.user_id),
      name: m.name,
      email: m.email,
      role: [ROLE_WORDS[m.role as keyof typeof ROLE_WORDS] ?? m.role],
    })),
    whitelist: whitelist.accepts_from.map((a) => uuidOf('account', a)),
    closed: account.closed_at !== null,
  };
}

const accountIds = (uuids: string[] | undefined, field: string) =>
  uuids?.map((u, k) => entityId('account', u, ['body', field, k]));

export function accountRoutes(face: Face): void {
  const { ctx } = face;
  const pathId = (id: string | undefined) => entityId('account', id ?? '', ['path', 'id']);

  face.route({
    method: 'POST',
    path: '/accounts/account',
    access: 'user',
    status: 200,
    body: AccountBase,
    handler: async ({ body, caller, db }) => {
      const organisation = body.id === undefined ? undefined : entityId('organisation', body.id, ['body', 'id']);
      const account = await createAccount(db, caller(), {
        account_name: body.account_name,
        organisation_id: organisation,
      });
      return accountRead(db, caller(), account);
    },
  });

  face.route({
    method: 'GET',
    path: '/accounts/account/:id',
    access: 'user',
    status: 200,
    handler: async ({ params, caller, db }) =>
      accountRead(db, caller(), await getAccount(db, caller(), pathId(params.id))),
  });

  face.route({
    method: 'PATCH',
    path: '/accounts/account/:id',
    access: 'user',
    status: 200,
    body: AccountUpdate,
    handler: async ({ params, body, caller, db }) => {
      const id = pathId(params.id);
      // The draft's `id` is the account's, or its organisation's, which stays the one it was created in.
      const named = body.id === undefined ? undefined : readUuid(body.id);
      if (named?.kind === 'organisation') {
        if ((await getAccount(db, caller(), id)).organisation_id !== named.id)
          throw refuse('id', 'an account stays in the organisation it was created in', 'value_error.immutable');
      } else bodyIdIsPath('account', body.id, id);
      const add = accountIds(body.whitelist_add, 'whitelist_add');
      const remove = accountIds(body.whitelist_remove, 'whitelist_remove');
      const whitelist = add === undefined && remove === undefined ? undefined : { add, remove };
      const change = { account_name: body.account_name, whitelist };
      return accountRead(db, caller(), await updateAccount(db, caller(), id, change, ctx.clock.now()));
    },
  });

  face.route({
    method: 'DELETE',
    path: '/accounts/account/:id',
    access: 'user',
    status: 200,
    handler: async ({ params, caller, db }) =>
      accountRead(db, caller(), await closeAccount(db, caller(), pathId(params.id), ctx.clock.now())),
  });
}
