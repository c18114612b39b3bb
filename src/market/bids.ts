// Bids: a user offers a price per unit of forecast gain for their own measurements resource, in
// the open session, and pays max_payment up front. On the evm rail the payment is a token transfer
// checked on the chain (DSBI trusted its caller); on the internal rail it is drawn from the balance
// an admin credited. Only confirmed bids run.
import { sql } from 'kysely';
import type { Db } from '../platform/database.ts';
import { badRequest, conflict, notFound, unprocessable } from '../platform/errors.ts';
import { type Principal, readsEverything } from '../platform/principal.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import { appendEvent } from '../ledger/index.ts';
import type { Market } from './context.ts';
import { listedUser, pageByUuid } from './lists.ts';
import { book } from './money.ts';
import { participant } from './participants.ts';
import { readableResource } from './resources.ts';
import type { BidFilter, BidView, NewBid } from './schemas.ts';
import { marketWallet } from './wallets.ts';
import { type BidRow, market, money } from './tables.ts';

export const bidView = (b: BidRow): BidView => ({
  id: b.id,
  session_id: b.session_id,
  user_id: b.user_id,
  resource_id: b.resource_id,
  bid_price: b.bid_price,
  max_payment: b.max_payment,
  gain_func: b.gain_func,
  tx_hash: b.tx_hash,
  payment_refusal: b.payment_refusal,
  confirmed: b.confirmed_at !== null,
  has_forecasts: b.has_forecasts,
  registered_at: b.registered_at.toISOString(),
});

/** The caller's wallet, if it may back a bid: registered, and proven unless the deployment trusts typed-in ones. */
async function backingWallet(m: Market, trx: Db, principal: Principal): Promise<string> {
  const p = await participant(trx, principal.userId);
  if (p.wallet_address === null)
    throw conflict('no_wallet', `no wallet address found for ${principal.email}; register your address first`);
  if (p.wallet_proven_at === null && !m.config.trustUnprovenWallets)
    throw conflict('unproven_wallet', 'prove your wallet with a signed challenge before bidding');
  return p.wallet_address;
}

async function openSession(trx: Db, id: number) {
  const s = await market(trx)
    .selectFrom('market_sessions')
    .selectAll()
    .where('id', '=', id)
    .forShare()
    .executeTakeFirst();
  if (!s) throw notFound('market_session', id);
  if (s.status !== 'open') throw conflict('session_not_open', `market session ${id} is not open for bids`);
  return s;
}

export async function placeBid(m: Market, principal: Principal, input: NewBid): Promise<BidView> {
  if (BigInt(input.max_payment) < m.config.minPayment)
    throw unprocessable(
      'payment_below_minimum',
      `max_payment must be at least ${m.config.minPayment} base units`,
      'body/max_payment',
    );
  if (BigInt(input.bid_price) === 0n)
    throw badRequest('invalid_bid_price', 'bid_price must be above 0', 'body/bid_price');
  const now = m.clock.now();
  return m.db.transaction().execute(async (trx) => {
    if (m.rail.kind === 'evm') await backingWallet(m, trx, principal);
    const resource = await readableResource(trx, principal, input.resource_id);
    if (resource.user_id !== principal.userId) throw notFound('market_resource', input.resource_id);
    if (resource.type !== 'measurements' || !resource.to_forecast)
      throw unprocessable(
        'resource_not_forecast',
        `resource ${resource.id} is not a measurements resource to forecast`,
        'body/resource_id',
      );
    await openSession(trx, input.session_id);
    if (m.rail.kind === 'evm' && !(await marketWallet(trx)))
      throw conflict('no_market_wallet', 'the market has no wallet yet to be paid to');
    const row = await market(trx)
      .insertInto('market_bids')
      .values({
        session_id: input.session_id,
        user_id: principal.userId,
        resource_id: resource.id,
        bid_price: BigInt(input.bid_price),
        max_payment: BigInt(input.max_payment),
        gain_func: input.gain_func,
        tx_hash: null,
        payment_refusal: null,
        confirmed_at: null,
        registered_at: now,
      })
      .onConflict((c) => c.columns(['session_id', 'user_id', 'resource_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row)
      throw conflict('bid_exists', `you already bid in session ${input.session_id} for resource ${resource.id}`);
    const view = bidView(row);
    await appendEvent(trx, {
      type: 'market.bid.placed',
      subject_type: 'market_bid',
      subject_id: row.id,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}

async function bidRow(db: Db, id: string, forUpdate = false): Promise<BidRow | undefined> {
  let query = market(db).selectFrom('market_bids').selectAll().where('id', '=', id.toLowerCase());
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The bid whose payment this transaction is (as recorded, any case), if any. */
export async function bidOfPayment(db: Db, txHash: string): Promise<BidView | undefined> {
  const row = await market(db)
    .selectFrom('market_bids')
    .selectAll()
    .where('tx_hash', '=', txHash.toLowerCase())
    .executeTakeFirst();
  return row && bidView(row);
}

/** A bid its bidder or a role that reads everything may see; 404 otherwise. */
async function readableBid(db: Db, principal: Principal, id: string, forUpdate = false): Promise<BidRow> {
  const row = await bidRow(db, id, forUpdate);
  if (!row || (row.user_id !== principal.userId && !readsEverything(principal))) throw notFound('market_bid', id);
  return row;
}

export async function getBid(db: Db, principal: Principal, id: string): Promise<BidView> {
  return bidView(await readableBid(db, principal, id));
}

export async function listBids(
  db: Db,
  principal: Principal,
  filter: BidFilter,
  page: PageRequest,
): Promise<Page<BidView>> {
  const user = listedUser(principal, filter.user_id);
  return pageByUuid(
    page,
    (after, limit) => {
      let query = market(db).selectFrom('market_bids').selectAll();
      if (user !== undefined) query = query.where('user_id', '=', user);
      if (filter.session_id !== undefined) query = query.where('session_id', '=', filter.session_id);
      if (filter.resource_id !== undefined) query = query.where('resource_id', '=', filter.resource_id.toLowerCase());
      if (filter.confirmed !== undefined) query = query.where('confirmed_at', filter.confirmed ? 'is not' : 'is', null);
      if (after !== undefined) query = query.where('id', '>', after);
      return query.orderBy('id').limit(limit).execute();
    },
    bidView,
  );
}

/**
 * The bidder names the payment of a bid: on the evm rail its transaction hash, recorded once (a
 * hash backs one bid ever), then checked on the chain by the market job or an admin's validation;
 * on the internal rail no reference, and the bid is confirmed at once if the balance not yet
 * pledged to other bids covers max_payment.
 */
export async function payBid(
  m: Market,
  principal: Principal,
  id: string,
  txHash: string | undefined,
): Promise<BidView> {
  const now = m.clock.now();
  return m.db.transaction().execute(async (trx) => {
    const bid = await readableBid(trx, principal, id, true);
    if (bid.user_id !== principal.userId) throw notFound('market_bid', id);
    await openSession(trx, bid.session_id);
    if (m.rail.kind === 'internal') return bidView(await pledgeBalance(trx, bid, now));
    if (txHash === undefined)
      throw badRequest('tx_hash_required', 'name the payment’s transaction hash', 'body/tx_hash');
    await backingWallet(m, trx, principal);
    if (bid.tx_hash !== null)
      throw conflict('payment_reference_recorded', `a payment reference is already recorded for bid ${bid.id}`);
    const hash = txHash.toLowerCase();
    const used = await market(trx)
      .selectFrom('market_bids')
      .select('id')
      .where('tx_hash', '=', hash)
      .executeTakeFirst();
    if (used) throw conflict('payment_reference_used', `transaction ${hash} already pays another bid`);
    const row = await market(trx)
      .updateTable('market_bids')
      .set({ tx_hash: hash })
      .where('id', '=', bid.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = bidView(row);
    await appendEvent(trx, {
      type: 'market.bid.payment_recorded',
      subject_type: 'market_bid',
      subject_id: bid.id,
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}

/** Internal rail: a bid is confirmed when the bidder's balance, less what open bids already pledge, covers it. */
async function pledgeBalance(trx: Db, bid: BidRow, now: Date): Promise<BidRow> {
  if (bid.confirmed_at !== null) throw conflict('bid_already_confirmed', `bid ${bid.id} is already confirmed`);
  const p = await participant(trx, bid.user_id, { forUpdate: true });
  const { rows } = await sql<{ pledged: string }>`
    SELECT coalesce(sum(b.max_payment), 0)::text AS pledged FROM market_bids b
    JOIN market_sessions s ON s.id = b.session_id
    WHERE b.user_id = ${bid.user_id} AND b.confirmed_at IS NOT NULL AND s.status <> 'finished'`.execute(trx);
  const free = money(p.balance) - BigInt(rows[0]?.pledged ?? '0');
  if (free < money(bid.max_payment))
    throw conflict('payment_refused', `your free balance ${free} does not cover max_payment ${bid.max_payment}`);
  return confirm(trx, bid, now, null);
}

async function confirm(trx: Db, bid: BidRow, now: Date, actorId: number | null): Promise<BidRow> {
  const row = await market(trx)
    .updateTable('market_bids')
    .set({ confirmed_at: now, payment_refusal: null })
    .where('id', '=', bid.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvent(trx, {
    type: 'market.bid.confirmed',
    subject_type: 'market_bid',
    subject_id: bid.id,
    actor_id: actorId,
    payload: bidView(row),
  });
  return row;
}

/** What each refusal of a payment means, for the bidder who reads it. */
const REFUSALS: Record<string, string> = {
  not_found: 'the chain does not know the transaction (yet)',
  pending: 'the transaction is not mined yet',
  unconfirmed: 'the transaction has fewer confirmations than the market waits for',
  reverted: 'the transaction reverted',
  wrong_token: 'the transaction moves no market token',
  wrong_recipient: 'the transfer is not to the market wallet',
  wrong_sender: 'the transfer is not from your registered wallet',
  too_small: 'the transfer is less than max_payment',
};

export const paymentRefused = (reason: string) =>
  conflict('payment_refused', `the payment is refused (${reason}): ${REFUSALS[reason] ?? reason}`);

/** Refusals a later check may turn into acceptance: the transfer is not (yet) mined or deep enough. */
const TRANSIENT = new Set(['not_found', 'pending', 'unconfirmed']);

/**
 * Checks a recorded payment on the chain: accepted, the bid is confirmed and its max_payment booked
 * as the bidder's transfer_in; refused, the reason is recorded (and answered as a 409 when an admin
 * asked). The chain is read outside any transaction; the result is written under the bid's lock,
 * re-checked, so two checkers never book one payment twice.
 */
export async function checkBidPayment(
  m: Market,
  bidId: string,
  actorId: number | null,
): Promise<{ bid: BidView; refusal: string | null }> {
  if (m.rail.kind !== 'evm') throw conflict('rail_has_no_payments', 'the internal rail confirms bids from balances');
  const chain = m.rail.chain;
  const bid = await bidRow(m.db, bidId);
  if (!bid) throw notFound('market_bid', bidId);
  if (bid.confirmed_at !== null) throw conflict('bid_already_confirmed', `bid ${bid.id} is already confirmed`);
  if (bid.tx_hash === null) throw conflict('no_payment_reference', `bid ${bid.id} names no payment yet`);
  const wallet = await participant(m.db, bid.user_id);
  const to = await marketWallet(m.db);
  if (!to) throw conflict('no_market_wallet', 'the market has no wallet yet to be paid to');
  if (wallet.wallet_address === null) throw conflict('no_wallet', `the bidder of ${bid.id} has no wallet address`);
  const check = await chain.checkTransfer({
    hash: bid.tx_hash,
    from: wallet.wallet_address as `0x${string}`,
    to: to.address,
    minAmount: money(bid.max_payment),
  });
  const now = m.clock.now();
  return m.db.transaction().execute(async (trx) => {
    const current = await bidRow(trx, bid.id, true);
    if (!current || current.confirmed_at !== null)
      throw conflict('bid_already_confirmed', `bid ${bid.id} is already confirmed`);
    if (check.ok) {
      const row = await confirm(trx, current, now, actorId);
      await book(
        trx,
        {
          session_id: row.session_id,
          bid_id: row.id,
          user_id: row.user_id,
          resource_id: row.resource_id,
          transaction_type: 'transfer_in',
          amount: money(row.max_payment),
        },
        now,
        actorId,
      );
      return { bid: bidView(row), refusal: null };
    }
    const row = await market(trx)
      .updateTable('market_bids')
      .set({ payment_refusal: check.reason })
      .where('id', '=', bid.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (!TRANSIENT.has(check.reason) || current.payment_refusal !== check.reason)
      await appendEvent(trx, {
        type: 'market.bid.payment_refused',
        subject_type: 'market_bid',
        subject_id: bid.id,
        actor_id: actorId,
        payload: { ...bidView(row), reason: check.reason },
      });
    return { bid: bidView(row), refusal: check.reason };
  });
}

/** Bids of open sessions whose recorded payment is not yet confirmed nor finally refused: the job checks them. */
export async function unconfirmedPayments(db: Db): Promise<string[]> {
  const rows = await market(db)
    .selectFrom('market_bids as b')
    .innerJoin('market_sessions as s', 's.id', 'b.session_id')
    .select('b.id')
    .where('s.status', '=', 'open')
    .where('b.confirmed_at', 'is', null)
    .where('b.tx_hash', 'is not', null)
    .where((e) => e.or([e('b.payment_refusal', 'is', null), e('b.payment_refusal', 'in', [...TRANSIENT])]))
    .orderBy('b.registered_at')
    .execute();
  return rows.map((r) => r.id);
}
