// Who may read or act on an account. Every registry function that touches an account's
// holdings starts with one of these calls, so the rule is in one place.
import type { Db } from '../platform/database.ts';
import { fixedStatement } from '../platform/fixed-statement.ts';
import { type Principal, readsEverything } from '../platform/principal.ts';
import { conflict, forbidden, notFound, TallyError } from '../platform/errors.ts';
import type { Missing } from '../platform/problem-codes.ts';
import { accountTables, type AccountRow } from './tables.ts';

export async function isMember(db: Db, accountId: number, userId: number): Promise<boolean> {
  const row = await accountTables(db)
    .selectFrom('account_members')
    .select('user_id')
    .where('account_id', '=', accountId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The account and whether `userId` is one of its members, in one statement: every request on an
 * account asks both, and a round trip is most of what either costs.
 */
function accountQuery(db: Db, accountId: number, userId: number) {
  return accountTables(db)
    .selectFrom('accounts')
    .selectAll('accounts')
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('account_members')
            .select('user_id')
            .whereRef('account_members.account_id', '=', 'accounts.id')
            .where('account_members.user_id', '=', userId),
        )
        .as('member'),
    )
    .where('accounts.id', '=', accountId);
}

type FoundAccount = { account: AccountRow; member: boolean } | undefined;

function foundAccount<R extends AccountRow & { member: unknown }>(row: R | undefined): FoundAccount {
  if (!row) return undefined;
  const { member, ...account } = row;
  return { account: account as AccountRow, member: Boolean(member) };
}

async function accountRow(db: Db, accountId: number, userId: number, forUpdate: boolean): Promise<FoundAccount> {
  const query = accountQuery(db, accountId, userId);
  return foundAccount(await (forUpdate ? query.forUpdate() : query).executeTakeFirst());
}

/**
 * A row held in an account (a device, a bundle, a statement, a metering point), if the caller may
 * read that account. Missing and not visible answer alike, 404 under the row's own name, so
 * neither existence nor ownership leaks; any other failure propagates as itself.
 */
export async function readableInAccount<T extends { account_id: number }>(
  db: Db,
  principal: Principal,
  row: T | undefined,
  what: Missing,
  id: string | number,
): Promise<T> {
  if (!row || (!readsEverything(principal) && !(await isMember(db, row.account_id, principal.userId))))
    throw notFound(what, id);
  return row;
}

/**
 * The account, if the caller may read it: its members and the overseeing roles. Anyone else gets
 * 404, so account ids cannot be probed. `forUpdate` locks the row for the caller's transaction.
 */
export async function readableAccount(
  db: Db,
  principal: Principal,
  accountId: number,
  opts: { forUpdate?: boolean } = {},
): Promise<AccountRow> {
  const found = await accountRow(db, accountId, principal.userId, opts.forUpdate ?? false);
  if (!found || (!readsEverything(principal) && !found.member)) throw notFound('account', accountId);
  return found.account;
}

/** What `actionableAccount` refuses with, for the routes that act on an account. */
export const ACTING_PROBLEMS = ['account_not_found', 'role_required', 'not_a_member', 'account_closed'] as const;

/** The account, if the caller may act on its holdings: its members (not auditors) and admins; open accounts only. */
export async function actionableAccount(
  db: Db,
  principal: Principal,
  accountId: number,
  opts: { forUpdate?: boolean } = {},
): Promise<AccountRow> {
  return mayAct(principal, accountId, await accountRow(db, accountId, principal.userId, opts.forUpdate ?? false));
}

/** `actionableAccount`'s rule over the account as found. */
function mayAct(principal: Principal, accountId: number, found: FoundAccount): AccountRow {
  const member = principal.role !== 'admin' && found?.member === true;
  if (!found || (!readsEverything(principal) && !member)) throw notFound('account', accountId);
  const { account } = found;
  if (principal.role === 'auditor') throw forbidden('role_required', 'auditors read accounts but do not act on them');
  if (principal.role !== 'admin' && !member)
    throw forbidden('not_a_member', `you are not a member of account ${accountId}`);
  if (account.closed_at !== null) throw conflict('account_closed', `account ${accountId} is closed`);
  return account;
}

/**
 * Where the caller may register devices and metering points: its own accounts, or any open account
 * for an issuing body.
 */
export async function registrableAccount(db: Db, principal: Principal, accountId: number): Promise<AccountRow> {
  if (principal.role !== 'issuer') return actionableAccount(db, principal, accountId);
  const account = await readableAccount(db, principal, accountId);
  if (account.closed_at !== null) throw conflict('account_closed', `account ${accountId} is closed`);
  return account;
}

/** Accounts the caller may read; undefined means all of them. */
export async function readableAccountIds(db: Db, principal: Principal): Promise<number[] | undefined> {
  if (readsEverything(principal)) return undefined;
  const rows = await accountTables(db)
    .selectFrom('account_members')
    .select('account_id')
    .where('user_id', '=', principal.userId)
    .execute();
  return rows.map((r) => r.account_id);
}

/** Whether `principal` may act on the account now, as `actionableAccount` decides, without refusing. */
export async function mayActOn(db: Db, principal: Principal, accountId: number): Promise<boolean> {
  try {
    await actionableAccount(db, principal, accountId);
    return true;
  } catch (err) {
    if (err instanceof TallyError) return false;
    throw err;
  }
}

/**
 * An account certificates are about to enter (a transfer's target, an issuance's or re-issue's
 * account) must exist and be open. Its row is share-locked until the caller commits, so a
 * concurrent close waits and then sees the certificates arrive (and refuses to close).
 */
export async function lockOpenAccount(db: Db, id: number): Promise<void> {
  const target = await accountTables(db)
    .selectFrom('accounts')
    .select(['id', 'closed_at'])
    .where('id', '=', id)
    .forShare()
    .executeTakeFirst();
  if (!target) throw notFound('account', id);
  if (target.closed_at !== null) throw conflict('account_closed', `account ${target.id} is closed`);
}

/**
 * Whether `target` accepts transfers from `source` (its whitelist; a missing target accepts none)
 * and, when it does, the target share-locked open as `lockOpenAccount` leaves it (a closed one
 * refuses with account_closed): one statement, alone or inside `transferAccepted`'s.
 */
function acceptingQuery(db: Db, target: number, source: number) {
  return accountTables(db)
    .selectFrom('accounts')
    .select((eb) => [
      'closed_at',
      eb
        .exists(
          eb
            .selectFrom('account_whitelist')
            .select('account_id')
            .whereRef('account_whitelist.account_id', '=', 'accounts.id')
            .where('account_whitelist.accepts_from', '=', source),
        )
        .as('accepts'),
    ])
    .where('accounts.id', '=', target)
    .forShare();
}

function accepting(target: number, row: { closed_at: Date | null; accepts: unknown } | undefined): boolean {
  if (!row?.accepts) return false;
  if (row.closed_at !== null) throw conflict('account_closed', `account ${target} is closed`);
  return true;
}

export async function lockAcceptingAccount(db: Db, target: number, source: number): Promise<boolean> {
  return accepting(target, await acceptingQuery(db, target, source).executeTakeFirst());
}

/** `transferAccepted`'s statement, built once: every transfer asks it. */
const transferAccounts = fixedStatement((db: Db, source: number, target: number, userId: number) =>
  accountTables(db)
    .with('target', () => acceptingQuery(db, target, source))
    .selectFrom(() => accountQuery(db, source, userId).as('source'))
    .selectAll('source')
    .select((eb) => [
      eb.selectFrom('target').select('target.closed_at').as('target_closed_at'),
      eb.selectFrom('target').select('target.accepts').as('target_accepts'),
    ]),
);

/**
 * A transfer's two accounts in one round trip, checked in this order: the source as
 * `actionableAccount` checks it (refusing as it does), then whether the target accepts transfers
 * from it, as `lockAcceptingAccount` answers (share-locking it). A transfer asks both before
 * anything else, and a round trip is most of what either costs.
 */
export async function transferAccepted(db: Db, principal: Principal, source: number, target: number): Promise<boolean> {
  const [row] = await transferAccounts(db, source, target, principal.userId);
  // No row: no such source, which answers as `actionableAccount` answers it.
  if (!row) throw notFound('account', source);
  const { target_closed_at: closed_at, target_accepts: accepts, ...sourceRow } = row;
  mayAct(principal, source, foundAccount(sourceRow));
  return accepting(target, { closed_at, accepts });
}

/** Those of `ids` that are closed. */
export async function closedAccounts(db: Db, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await accountTables(db)
    .selectFrom('accounts')
    .select('id')
    .where('id', 'in', ids)
    .where('closed_at', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.id));
}
