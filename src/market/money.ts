// Balances move only by transactions, each booked with its balance change and its event in one
// transaction. transfer_in and revenue add; payment and transfer_out take. The balance's CHECK
// (>= 0) is the last guard: callers never book what would overdraw it.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { badRequest, conflict } from '../platform/errors.ts';
import { type Principal, readsEverything } from '../platform/principal.ts';
import { keyset, mapPage, type Page, type PageRequest } from '../platform/pagination.ts';
import { appendEvent } from '../ledger/index.ts';
import { getUser } from '../identity/index.ts';
import type { Market } from './context.ts';
import { listedUser, pageNewestFirst } from './lists.ts';
import { participant } from './participants.ts';
import type { BalanceView, TransactionView } from './schemas.ts';
import { market, type TransactionType } from './tables.ts';

export interface Booking {
  session_id: number | null;
  bid_id?: string | null;
  user_id: number;
  resource_id: string | null;
  transaction_type: TransactionType;
  /** Signed as stored: payments and transfers out are negative. */
  amount: bigint;
}

/** Which running total each kind of transaction adds its size to. */
const TOTAL = {
  transfer_in: 'total_deposit',
  payment: 'total_payment',
  revenue: 'total_revenue',
  transfer_out: 'total_withdraw',
} as const;

type TransactionRow = Awaited<ReturnType<typeof insertTransaction>>;

const insertTransaction = (trx: Db, b: Booking, now: Date) =>
  market(trx)
    .insertInto('market_transactions')
    .values({ ...b, bid_id: b.bid_id ?? null, registered_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();

export const transactionView = (t: TransactionRow): TransactionView => ({
  id: t.id,
  session_id: t.session_id,
  user_id: t.user_id,
  resource_id: t.resource_id,
  bid_id: t.bid_id,
  transaction_type: t.transaction_type,
  amount: t.amount,
  registered_at: t.registered_at.toISOString(),
});

/** Books one transaction: its row, the user's balance and total, and its event. Inside the caller's transaction. */
export async function book(trx: Db, b: Booking, now: Date, actorId: number | null): Promise<TransactionView> {
  await participant(trx, b.user_id);
  const size = b.amount < 0n ? -b.amount : b.amount;
  const total = TOTAL[b.transaction_type];
  await sql`UPDATE market_participants
    SET balance = balance + ${b.amount.toString()}::numeric,
        ${sql.ref(total)} = ${sql.ref(total)} + ${size.toString()}::numeric,
        updated_at = ${now.toISOString()}::timestamptz
    WHERE user_id = ${b.user_id}`.execute(trx);
  const view = transactionView(await insertTransaction(trx, b, now));
  await appendEvent(trx, {
    type: `market.transaction.${b.transaction_type}`,
    subject_type: 'market_participant',
    subject_id: b.user_id,
    actor_id: actorId,
    payload: view,
  });
  return view;
}

const balanceView = (p: Awaited<ReturnType<typeof participant>>): BalanceView => ({
  user_id: p.user_id,
  balance: p.balance,
  total_deposit: p.total_deposit,
  total_withdraw: p.total_withdraw,
  total_payment: p.total_payment,
  total_revenue: p.total_revenue,
  updated_at: p.updated_at.toISOString(),
});

/** The caller's balance; roles that read everything see every participant's (or one user's). */
export async function listBalances(
  db: Db,
  principal: Principal,
  filter: { user_id?: number | undefined; min_balance?: string | undefined; max_balance?: string | undefined },
  page: PageRequest,
): Promise<Page<BalanceView>> {
  if (!readsEverything(principal)) await participant(db, principal.userId);
  const user = listedUser(principal, filter.user_id);
  let query = market(db).selectFrom('market_participants').selectAll();
  if (user !== undefined) query = query.where('user_id', '=', user);
  if (filter.min_balance !== undefined) query = query.where(sql<boolean>`balance >= ${filter.min_balance}::numeric`);
  if (filter.max_balance !== undefined) query = query.where(sql<boolean>`balance <= ${filter.max_balance}::numeric`);
  const after = byUser.after(page);
  if (after !== undefined) query = query.where('user_id', '>', after.id);
  const rows = await query
    .orderBy('user_id')
    .limit(page.limit + 1)
    .execute();
  return mapPage(
    byUser.page(rows, page.limit, (p) => ({ id: p.user_id })),
    balanceView,
  );
}
const byUser = keyset({ id: 'int' });

/** The caller's transactions (every user's for roles that read everything), newest first. */
export async function listTransactions(
  db: Db,
  principal: Principal,
  filter: { user_id?: number | undefined; session_id?: number | undefined },
  page: PageRequest,
): Promise<Page<TransactionView>> {
  const user = listedUser(principal, filter.user_id);
  return pageNewestFirst(
    page,
    (before, limit) => {
      let query = market(db).selectFrom('market_transactions').selectAll();
      if (user !== undefined) query = query.where('user_id', '=', user);
      if (filter.session_id !== undefined) query = query.where('session_id', '=', filter.session_id);
      if (before !== undefined) query = query.where('id', '<', before);
      return query.orderBy('id', 'desc').limit(limit).execute();
    },
    transactionView,
  );
}

/**
 * Internal rail: an admin credits what a user paid the market by other means, as a transfer_in of
 * no session. On a chain, money comes in only by payments checked on it.
 */
export async function creditBalance(
  m: Market,
  principal: Principal,
  userId: number,
  amount: bigint,
): Promise<TransactionView> {
  if (m.rail.kind !== 'internal')
    throw conflict('rail_has_no_credits', 'on a chain, balances grow only by payments checked on it');
  if (amount <= 0n) throw badRequest('invalid_amount', 'the amount must be above 0', 'body/amount');
  await getUser(m.db, userId);
  return m.db
    .transaction()
    .execute((trx) =>
      book(
        trx,
        { session_id: null, user_id: userId, resource_id: null, transaction_type: 'transfer_in', amount },
        m.clock.now(),
        principal.userId,
      ),
    );
}

/** What a user's transactions of one session add up to, per resource (or for all of them). */
export interface SessionBalance {
  session_id: number;
  user_id: number;
  /** Null when summed over the user's resources (or for movements of no resource). */
  resource_id: string | null;
  deposit: string;
  /** Signed: what was charged, as a negative amount. */
  payment: string;
  revenue: string;
  /** deposit + payment + revenue. */
  balance: string;
  registered_at: Date;
}

/**
 * Each user's money in each session: what came in for its bids, what its bids were charged and
 * what its data earned, per resource or summed over them. Payouts (transfer_out) are a user's, not
 * a session's, and are left out. The caller's own; every user's for roles that read everything.
 */
export async function sessionBalances(
  db: Db,
  principal: Principal,
  filter: {
    session_id?: number | undefined;
    user_id?: number | undefined;
    resource_id?: string | undefined;
    byResource: boolean;
  },
): Promise<SessionBalance[]> {
  const user = listedUser(principal, filter.user_id);
  const resource = filter.byResource ? sql`resource_id` : sql`NULL::uuid`;
  const { rows } = await sql<{
    session_id: string | number;
    user_id: string | number;
    resource_id: string | null;
    deposit: string;
    payment: string;
    revenue: string;
    registered_at: Date;
  }>`
    SELECT session_id, user_id, ${resource} AS resource_id,
      coalesce(sum(amount) FILTER (WHERE transaction_type = 'transfer_in'), 0)::text AS deposit,
      coalesce(sum(amount) FILTER (WHERE transaction_type = 'payment'), 0)::text AS payment,
      coalesce(sum(amount) FILTER (WHERE transaction_type = 'revenue'), 0)::text AS revenue,
      min(registered_at) AS registered_at
    FROM market_transactions
    WHERE session_id IS NOT NULL AND transaction_type <> 'transfer_out'
      AND (${user ?? null}::bigint IS NULL OR user_id = ${user ?? null}::bigint)
      AND (${filter.session_id ?? null}::bigint IS NULL OR session_id = ${filter.session_id ?? null}::bigint)
      AND (${filter.resource_id?.toLowerCase() ?? null}::uuid IS NULL OR resource_id = ${filter.resource_id?.toLowerCase() ?? null}::uuid)
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3`.execute(db);
  return rows.map((r) => ({
    session_id: Number(r.session_id),
    user_id: Number(r.user_id),
    resource_id: r.resource_id,
    deposit: r.deposit,
    payment: r.payment,
    revenue: r.revenue,
    balance: (BigInt(r.deposit) + BigInt(r.payment) + BigInt(r.revenue)).toString(),
    registered_at: new Date(r.registered_at),
  }));
}
