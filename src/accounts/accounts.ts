// Accounts hold certificates. Members act on them; a whitelist says whose transfers they accept.
import type { Updateable } from 'kysely';
import type { Static } from 'typebox';
import type { Db } from '../platform/database.ts';
import type { Principal } from '../platform/principal.ts';
import {
  findUserByEmail,
  getOrganisation,
  getUser,
  getUsers,
  lockOrganisation,
  organisationOf,
} from '../identity/index.ts';
import { appendEvent } from '../ledger/index.ts';
import { badRequest, conflict, forbidden, notFound } from '../platform/errors.ts';
import { afterId, keyset, pageOf, type Page, type PageRequest } from '../platform/pagination.ts';
import { actionableAccount, readableAccount, readableAccountIds } from './access.ts';
import { checkInvitee, type Invitee } from './invitations.ts';
import type { Account, Member, Whitelist } from './schemas.ts';
import { accountTables, type AccountRow, type AccountsTable } from './tables.ts';
import { iso } from '../platform/timestamp.ts';

/** The views are the static types of the answer schemas (schemas.ts), so the two cannot drift. */
export type AccountView = Static<typeof Account>;

const view = (a: AccountRow): AccountView => ({
  id: a.id,
  account_name: a.account_name,
  created_at: a.created_at.toISOString(),
  updated_at: a.updated_at.toISOString(),
  closed_at: iso(a.closed_at),
  organisation_id: a.organisation_id,
});

/**
 * The organisation a new account is created in: the one named, or else the caller's own (none
 * when it has none). A user creates accounts in its own organisation only, an admin in any; one
 * the caller may not see is not found. Being in an organisation grants nothing on its accounts.
 */
async function newAccountOrganisation(db: Db, principal: Principal, named: number | undefined): Promise<number | null> {
  const own = await organisationOf(db, principal.userId);
  if (named === undefined || named === own || principal.role === 'admin') return named ?? own;
  await getOrganisation(db, principal, named);
  throw forbidden('not_in_organisation', `you create accounts in your own organisation, not in organisation ${named}`);
}

export async function createAccount(
  db: Db,
  principal: Principal,
  input: { account_name: string; organisation_id?: number | undefined },
): Promise<AccountView> {
  const organisationId = await newAccountOrganisation(db, principal, input.organisation_id);
  return db.transaction().execute(async (trx) => {
    // Share-locked, so a concurrent deletion of the organisation waits and then sees the account.
    if (organisationId !== null) await lockOrganisation(trx, organisationId, 'share');
    const row = await accountTables(trx)
      .insertInto('accounts')
      .values({ account_name: input.account_name, organisation_id: organisationId })
      .returningAll()
      .executeTakeFirstOrThrow();
    await accountTables(trx)
      .insertInto('account_members')
      .values({ account_id: row.id, user_id: principal.userId })
      .execute();
    const account = view(row);
    await appendEvent(trx, {
      type: 'account.created',
      subject_type: 'account',
      subject_id: row.id,
      account_ids: [row.id],
      actor_id: principal.userId,
      payload: { account, members: [principal.userId] },
    });
    return account;
  });
}

export async function getAccount(db: Db, principal: Principal, id: number): Promise<AccountView> {
  return view(await readableAccount(db, principal, id));
}

/** The accounts the caller may read (its memberships decide), of one organisation when `organisationId` is given. */
export async function listAccounts(
  db: Db,
  principal: Principal,
  page: PageRequest,
  organisationId?: number,
): Promise<Page<AccountView>> {
  const visible = await readableAccountIds(db, principal);
  let query = accountTables(db).selectFrom('accounts').selectAll();
  if (visible !== undefined) query = query.where('id', 'in', visible.length ? visible : [0]);
  if (organisationId !== undefined) query = query.where('organisation_id', '=', organisationId);
  query = query.where('id', '>', afterId(page));
  const rows = await query
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return pageOf(rows.map(view), page.limit);
}

export async function renameAccount(
  db: Db,
  principal: Principal,
  id: number,
  accountName: string,
  now: Date,
): Promise<AccountView> {
  return db.transaction().execute(async (trx) => {
    await actionableAccount(trx, principal, id, { forUpdate: true });
    return renameLocked(trx, principal, id, accountName, now);
  });
}

/** Renames the account whose row the caller's transaction holds locked. */
const renameLocked = (trx: Db, principal: Principal, id: number, accountName: string, now: Date) =>
  changeLocked(trx, principal, id, { account_name: accountName, updated_at: now }, 'account.updated');

/**
 * Marks an account closed, inside the caller's transaction, which holds the account's row lock
 * (`actionableAccount(..., { forUpdate: true })`) and has checked that nothing is held there (the
 * registry's closeAccount: what an account holds is the registry's to know).
 */
export const markClosed = (trx: Db, principal: Principal, id: number, now: Date): Promise<AccountView> =>
  changeLocked(trx, principal, id, { closed_at: now, updated_at: now }, 'account.closed');

/** Changes the locked account's row and records the account as it now is in an event of `type`. */
async function changeLocked(
  trx: Db,
  principal: Principal,
  id: number,
  change: Updateable<AccountsTable>,
  type: 'account.updated' | 'account.closed',
): Promise<AccountView> {
  const row = await accountTables(trx)
    .updateTable('accounts')
    .set(change)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const account = view(row);
  await appendEvent(trx, {
    type,
    subject_type: 'account',
    subject_id: id,
    account_ids: [id],
    actor_id: principal.userId,
    payload: { account },
  });
  return account;
}

// --- members ---------------------------------------------------------------------------------

export type MemberView = Static<typeof Member>;

/** The account's members in user id order, after user `after`, at most `limit` of them. */
async function members(db: Db, accountId: number, after = 0, limit?: number): Promise<MemberView[]> {
  let query = accountTables(db)
    .selectFrom('account_members')
    .select(['user_id', 'added_at'])
    .where('account_id', '=', accountId)
    .where('user_id', '>', after)
    .orderBy('user_id');
  if (limit !== undefined) query = query.limit(limit);
  const rows = await query.execute();
  const users = await getUsers(
    db,
    rows.map((r) => r.user_id),
  );
  return rows.map((r, k) => {
    const u = users[k]!;
    return { user_id: u.id, email: u.email, name: u.name, role: u.role, added_at: r.added_at.toISOString() };
  });
}

/** Members are listed by user id. */
const byUser = keyset({ user_id: 'int' });

export async function listMembers(
  db: Db,
  principal: Principal,
  accountId: number,
  page: PageRequest,
): Promise<Page<MemberView>> {
  await readableAccount(db, principal, accountId);
  const rows = await members(db, accountId, byUser.after(page)?.user_id, page.limit + 1);
  return byUser.page(rows, page.limit, (m) => ({ user_id: m.user_id }));
}

/** An admin, who sees every user anyway, adds one directly; anyone else joins only by accepting an invitation. */
export async function addMember(db: Db, principal: Principal, accountId: number, who: Invitee): Promise<MemberView[]> {
  if (principal.role !== 'admin')
    throw forbidden('role_required', 'only an admin adds a member directly; members invite');
  checkInvitee(who);
  return db.transaction().execute(async (trx) => {
    await actionableAccount(trx, principal, accountId, { forUpdate: true });
    const user = who.user_id !== undefined ? await getUser(trx, who.user_id) : await findUserByEmail(trx, who.email!);
    if (!user) throw notFound('user', who.email!);
    const added = await accountTables(trx)
      .insertInto('account_members')
      .values({ account_id: accountId, user_id: user.id })
      .onConflict((oc) => oc.doNothing())
      .returning('user_id')
      .execute();
    if (added.length > 0)
      await appendEvent(trx, {
        type: 'account.member_added',
        subject_type: 'account',
        subject_id: accountId,
        account_ids: [accountId],
        actor_id: principal.userId,
        payload: { account_id: accountId, user_id: user.id },
      });
    return members(trx, accountId);
  });
}

export async function removeMember(
  db: Db,
  principal: Principal,
  accountId: number,
  userId: number,
): Promise<MemberView[]> {
  return db.transaction().execute(async (trx) => {
    await actionableAccount(trx, principal, accountId, { forUpdate: true });
    const current = await members(trx, accountId);
    if (!current.some((m) => m.user_id === userId)) throw notFound('member', userId);
    if (current.length === 1) throw conflict('last_member', 'an account keeps at least one member');
    await accountTables(trx)
      .deleteFrom('account_members')
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .execute();
    await appendEvent(trx, {
      type: 'account.member_removed',
      subject_type: 'account',
      subject_id: accountId,
      account_ids: [accountId],
      actor_id: principal.userId,
      payload: { account_id: accountId, user_id: userId },
    });
    return current.filter((m) => m.user_id !== userId);
  });
}

// --- whitelist -------------------------------------------------------------------------------

export type WhitelistView = Static<typeof Whitelist>;

async function whitelist(db: Db, accountId: number): Promise<WhitelistView> {
  const from = await accountTables(db)
    .selectFrom('account_whitelist')
    .select('accepts_from')
    .where('account_id', '=', accountId)
    .orderBy('accepts_from')
    .execute();
  const by = await accountTables(db)
    .selectFrom('account_whitelist')
    .select('account_id')
    .where('accepts_from', '=', accountId)
    .orderBy('account_id')
    .execute();
  return {
    account_id: accountId,
    accepts_from: from.map((r) => r.accepts_from),
    accepted_by: by.map((r) => r.account_id),
  };
}

export async function getWhitelist(db: Db, principal: Principal, accountId: number): Promise<WhitelistView> {
  await readableAccount(db, principal, accountId);
  return whitelist(db, accountId);
}

/** Accounts to accept transfers from, and to stop accepting them from. */
export type WhitelistChange = { add?: number[] | undefined; remove?: number[] | undefined };

/** A whitelist change as sets, refused when it lists the account itself or names one account both ways. */
function checkedChange(accountId: number, change: WhitelistChange): { add: number[]; remove: number[] } {
  const add = [...new Set(change.add ?? [])];
  const remove = [...new Set(change.remove ?? [])];
  if (add.includes(accountId)) throw badRequest('whitelist_self', 'an account does not whitelist itself', 'body/add');
  const both = add.find((a) => remove.includes(a));
  if (both !== undefined)
    throw badRequest('whitelist_contradiction', `account ${both} is both added and removed`, 'body/remove');
  return { add, remove };
}

export async function updateWhitelist(
  db: Db,
  principal: Principal,
  accountId: number,
  change: WhitelistChange,
): Promise<WhitelistView> {
  const checked = checkedChange(accountId, change);
  return db.transaction().execute(async (trx) => {
    await actionableAccount(trx, principal, accountId, { forUpdate: true });
    return whitelistLocked(trx, principal, accountId, checked);
  });
}

/** Changes the whitelist of the account whose row the caller's transaction holds locked. */
async function whitelistLocked(
  trx: Db,
  principal: Principal,
  accountId: number,
  { add, remove }: { add: number[]; remove: number[] },
): Promise<WhitelistView> {
  const added: number[] = [];
  const removed: number[] = [];
  if (add.length > 0) {
    const known = await accountTables(trx).selectFrom('accounts').select('id').where('id', 'in', add).execute();
    const missing = add.find((a) => !known.some((k) => k.id === a));
    if (missing !== undefined) throw notFound('account', missing);
    const rows = await accountTables(trx)
      .insertInto('account_whitelist')
      .values(add.map((a) => ({ account_id: accountId, accepts_from: a })))
      .onConflict((oc) => oc.doNothing())
      .returning('accepts_from')
      .execute();
    added.push(...rows.map((r) => r.accepts_from));
  }
  if (remove.length > 0) {
    const rows = await accountTables(trx)
      .deleteFrom('account_whitelist')
      .where('account_id', '=', accountId)
      .where('accepts_from', 'in', remove)
      .returning('accepts_from')
      .execute();
    removed.push(...rows.map((r) => r.accepts_from));
  }
  const result = await whitelist(trx, accountId);
  if (added.length + removed.length > 0) {
    await appendEvent(trx, {
      type: 'account.whitelist_changed',
      subject_type: 'account',
      subject_id: accountId,
      account_ids: [accountId],
      actor_id: principal.userId,
      payload: { account_id: accountId, added, removed, accepts_from: result.accepts_from },
    });
  }
  return result;
}

/**
 * Renames an account and changes its whitelist in one transaction (the EnergyTag face's PATCH
 * does both), each change with its event: both happen or neither. Nothing to change still needs
 * acting rights, and answers the account as it is.
 */
export async function updateAccount(
  db: Db,
  principal: Principal,
  id: number,
  change: { account_name?: string | undefined; whitelist?: WhitelistChange | undefined },
  now: Date,
): Promise<AccountView> {
  const checked = change.whitelist === undefined ? undefined : checkedChange(id, change.whitelist);
  return db.transaction().execute(async (trx) => {
    const row = await actionableAccount(trx, principal, id, { forUpdate: true });
    if (checked !== undefined) await whitelistLocked(trx, principal, id, checked);
    return change.account_name === undefined ? view(row) : renameLocked(trx, principal, id, change.account_name, now);
  });
}

// --- summary ---------------------------------------------------------------------------------
