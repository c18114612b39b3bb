// The draft's accounts (`/accounts/account`, `/{id}`), onto the accounts module: create, read,
// rename, close (DELETE: Tally closes, never erases, an account, and only an empty one). The
// draft has no whitelist operation; PATCH takes Tally's `whitelist_add` / `whitelist_remove`
// (account UUIDs) and every account shows its `whitelist`. Organisations come with issue 12 §2.
import { Type } from 'typebox';
import {
  type AccountView,
  AccountName,
  createAccount,
  getAccount,
  getWhitelist,
  listMembers,
  renameAccount,
  updateWhitelist,
} from '../../accounts/index.ts';
import type { Db } from '../../platform/database.ts';
import type { Principal } from '../../platform/principal.ts';
import { closeAccount } from '../../registry/index.ts';
import type { Face } from './face.ts';
import { uuidOf } from './ids.ts';
import { entityId, every, Uuid } from './shapes.ts';
import { ROLE_WORDS } from './wire.ts';

const AccountBase = Type.Object({ account_name: AccountName, id: Type.Optional(Uuid) });
const AccountUpdate = Type.Object({
  id: Type.Optional(Uuid),
  account_name: Type.Optional(AccountName),
  whitelist_add: Type.Optional(Type.Array(Uuid, { maxItems: 1000 })),
  whitelist_remove: Type.Optional(Type.Array(Uuid, { maxItems: 1000 })),
});

/** The draft's AccountRead: the account, its users (Tally's members) and, Tally's extension, its whitelist. */
async function accountRead(db: Db, principal: Principal, account: AccountView) {
  const members = await every((page) => listMembers(db, principal, account.id, page));
  const whitelist = await getWhitelist(db, principal, account.id);
  return {
    id: uuidOf('account', account.id),
    account_name: account.account_name,
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
  const db = ctx.database.kysely;
  const pathId = (id: string | undefined) => entityId('account', id ?? '', ['path', 'id']);

  face.route({
    method: 'POST',
    path: '/accounts/account',
    access: 'user',
    status: 200,
    body: AccountBase,
    handler: async ({ body, caller }) =>
      accountRead(db, caller(), await createAccount(db, caller(), { account_name: body.account_name })),
  });

  face.route({
    method: 'GET',
    path: '/accounts/account/:id',
    access: 'user',
    status: 200,
    handler: async ({ params, caller }) => accountRead(db, caller(), await getAccount(db, caller(), pathId(params.id))),
  });

  face.route({
    method: 'PATCH',
    path: '/accounts/account/:id',
    access: 'user',
    status: 200,
    body: AccountUpdate,
    handler: async ({ params, body, caller }) => {
      const id = pathId(params.id);
      const now = ctx.clock.now();
      const add = accountIds(body.whitelist_add, 'whitelist_add');
      const remove = accountIds(body.whitelist_remove, 'whitelist_remove');
      if (add !== undefined || remove !== undefined) await updateWhitelist(db, caller(), id, { add, remove });
      const account =
        body.account_name === undefined
          ? await getAccount(db, caller(), id)
          : await renameAccount(db, caller(), id, body.account_name, now);
      return accountRead(db, caller(), account);
    },
  });

  face.route({
    method: 'DELETE',
    path: '/accounts/account/:id',
    access: 'user',
    status: 200,
    handler: async ({ params, caller }) =>
      accountRead(db, caller(), await closeAccount(db, caller(), pathId(params.id), ctx.clock.now())),
  });
}
