// Payouts: after a session, each balance of at least TALLY_MARKET_MIN_PAYOUT goes back to its
// owner's wallet (proven, unless the deployment trusts typed-in ones) as a token transfer from the
// market's key. The balance is taken (a transfer_out) and the transfer signed and its hash stored
// before it is broadcast, so a crash between the two re-broadcasts the same transfer instead of
// sending a second one. A payout is solid once the chain confirms it; the next session opens after.
import { type Selectable, sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { conflict, notFound } from '../platform/errors.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import type { Market } from './context.ts';
import { listedUser, pageNewestFirst } from './lists.ts';
import { book } from './money.ts';
import type { PayoutView } from './schemas.ts';
import { type MarketPayoutsTable, market, money } from './tables.ts';

/** Payouts not yet confirmed on the chain: while there are any, no new session opens. */
export async function unsettledPayouts(db: Db): Promise<number> {
  const row = await market(db)
    .selectFrom('market_payouts')
    .select((e) => e.fn.countAll<number>().as('n'))
    .where('solid_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const payoutView = (p: Selectable<MarketPayoutsTable>): PayoutView => ({
  id: p.id,
  user_id: p.user_id,
  session_id: p.session_id,
  amount: p.amount,
  wallet_address: p.wallet_address,
  tx_hash: p.tx_hash,
  solid: p.solid_at !== null,
  registered_at: p.registered_at.toISOString(),
});

/**
 * Pays out every balance due, when no session is open, closed or running (its bids' money is still
 * in play). Returns how many payouts it made.
 */
export async function payOut(m: Market): Promise<number> {
  if (m.rail.kind !== 'evm' || m.rail.chain.marketAddress === undefined) return 0;
  const chain = m.rail.chain;
  const busy = await market(m.db)
    .selectFrom('market_sessions')
    .select('id')
    .where('status', 'in', ['open', 'closed', 'running'])
    .executeTakeFirst();
  const last = await market(m.db)
    .selectFrom('market_sessions')
    .select('id')
    .where('status', '=', 'finished')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (busy || !last) return 0;
  const due = await market(m.db)
    .selectFrom('market_participants')
    .select('user_id')
    .where(sql<boolean>`balance >= ${m.config.minPayout.toString()}::numeric`)
    .where('wallet_address', 'is not', null)
    .where((e) => (m.config.trustUnprovenWallets ? e.lit(true) : e('wallet_proven_at', 'is not', null)))
    .orderBy('user_id')
    .execute();
  let made = 0;
  for (const { user_id } of due) {
    const now = m.clock.now();
    // Sign first (outside the transaction: it asks the chain for a nonce), then take the balance
    // and store the signed transfer in one transaction; only then broadcast it.
    const p = await market(m.db)
      .selectFrom('market_participants')
      .selectAll()
      .where('user_id', '=', user_id)
      .executeTakeFirstOrThrow();
    if (p.wallet_address === null || money(p.balance) < m.config.minPayout) continue;
    const amount = money(p.balance);
    const signed = await chain.signTokenTransfer(p.wallet_address as `0x${string}`, amount);
    const stored = await m.db.transaction().execute(async (trx) => {
      const current = await market(trx)
        .selectFrom('market_participants')
        .select(['balance', 'wallet_address'])
        .where('user_id', '=', user_id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (current.balance !== p.balance || current.wallet_address !== p.wallet_address) return false;
      const payout = await market(trx)
        .insertInto('market_payouts')
        .values({
          user_id,
          session_id: last.id,
          amount,
          wallet_address: p.wallet_address as string,
          tx_hash: signed.hash,
          signed_tx: signed.raw,
          solid_at: null,
          registered_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await book(
        trx,
        { session_id: last.id, user_id, resource_id: null, transaction_type: 'transfer_out', amount: -amount },
        now,
        null,
      );
      await appendEvent(trx, {
        type: 'market.payout.sent',
        subject_type: 'market_payout',
        subject_id: payout.id,
        actor_id: null,
        payload: payoutView(payout),
      });
      return true;
    });
    if (!stored) continue;
    await chain.broadcast(signed.raw);
    made++;
  }
  return made;
}

/** Marks payouts solid once confirmed; re-broadcasts those the chain does not know (a crash before broadcast). */
export async function settlePayouts(m: Market): Promise<number> {
  if (m.rail.kind !== 'evm') return 0;
  const pending = await market(m.db)
    .selectFrom('market_payouts')
    .selectAll()
    .where('solid_at', 'is', null)
    .orderBy('id')
    .execute();
  let settled = 0;
  for (const p of pending) if ((await settleOne(m, p)).settled) settled++;
  return settled;
}

type PayoutRow = Selectable<MarketPayoutsTable>;

/**
 * Checks one payout on the chain: solid once it has the confirmations the market waits for (it is
 * then marked, with its event); broadcast again when the chain does not know it. `settled` says
 * whether this call marked it.
 */
async function settleOne(m: Market, p: PayoutRow): Promise<{ solid: boolean; settled: boolean; row: PayoutRow }> {
  if (m.rail.kind !== 'evm' || p.tx_hash === null || p.signed_tx === null)
    return { solid: p.solid_at !== null, settled: false, row: p };
  const chain = m.rail.chain;
  const required = m.config.rail.kind === 'evm' ? m.config.rail.confirmations : 1;
  const confirmations = await chain.confirmations(p.tx_hash as `0x${string}`);
  if (confirmations === 0) {
    await chain.broadcast(p.signed_tx as `0x${string}`);
    return { solid: false, settled: false, row: p };
  }
  if (confirmations < required) return { solid: false, settled: false, row: p };
  const now = m.clock.now();
  return m.db.transaction().execute(async (trx) => {
    const row = await market(trx)
      .updateTable('market_payouts')
      .set({ solid_at: now })
      .where('id', '=', p.id)
      .where('solid_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const current = await market(trx)
        .selectFrom('market_payouts')
        .selectAll()
        .where('id', '=', p.id)
        .executeTakeFirst();
      return { solid: true, settled: false, row: current ?? p };
    }
    await appendEvent(trx, {
      type: 'market.payout.solid',
      subject_type: 'market_payout',
      subject_id: p.id,
      actor_id: null,
      payload: payoutView(row),
    });
    return { solid: true, settled: true, row };
  });
}

/**
 * Settles one payout now (an admin asking, as DSBI's transfer-out PUT does): answers it once solid,
 * at once if it already is, so asking again changes nothing; 409 while the chain has not confirmed it.
 */
export async function settlePayout(m: Market, id: number): Promise<PayoutView> {
  const p = await market(m.db).selectFrom('market_payouts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p) throw notFound('market_payout', id);
  if (p.solid_at !== null) return payoutView(p);
  const { solid, row } = await settleOne(m, p);
  if (!solid)
    throw conflict(
      'payout_unconfirmed',
      `payout ${id} (transaction ${p.tx_hash}) is not confirmed on the chain yet; ask again later`,
    );
  return payoutView(row);
}

/** The caller's payouts (everyone's for roles that read everything), newest first. */
export async function listPayouts(
  db: Db,
  principal: Principal,
  filter: { user_id?: number | undefined; solid?: boolean | undefined; id?: number | undefined },
  page: PageRequest,
): Promise<Page<PayoutView>> {
  const user = listedUser(principal, filter.user_id);
  return pageNewestFirst(
    page,
    (before, limit) => {
      let query = market(db).selectFrom('market_payouts').selectAll();
      if (filter.id !== undefined) query = query.where('id', '=', filter.id);
      if (filter.solid !== undefined) query = query.where('solid_at', filter.solid ? 'is not' : 'is', null);
      if (user !== undefined) query = query.where('user_id', '=', user);
      if (before !== undefined) query = query.where('id', '<', before);
      return query.orderBy('id', 'desc').limit(limit).execute();
    },
    payoutView,
  );
}
