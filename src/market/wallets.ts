// Wallets: a user's, proven by an EIP-191 signature over a challenge that names the user and a
// single-use nonce (DSBI trusted any address typed in, so anyone could take another's payouts),
// and the market's own, which bids are paid to.
import { randomBytes } from 'node:crypto';
import type { Db } from '../platform/database.ts';
import { badRequest, conflict, notFound, unprocessable } from '../platform/errors.ts';
import type { Principal } from '../platform/principal.ts';
import { appendEvent } from '../ledger/index.ts';
import { checksumAddress, recoverMessageSigner } from '../chain/index.ts';
import { participant } from './participants.ts';
import { listedUser } from './lists.ts';
import type { ChallengeView, MarketWalletView, WalletView } from './schemas.ts';
import { market, type ParticipantRow } from './tables.ts';

const CHALLENGE_MS = 15 * 60_000;

export const walletView = (
  p: Pick<ParticipantRow, 'wallet_address' | 'wallet_proven_at' | 'wallet_registered_at'>,
): WalletView => ({
  wallet_address: p.wallet_address,
  proven: p.wallet_proven_at !== null,
  registered_at: p.wallet_registered_at?.toISOString() ?? null,
});

/** The address in EIP-55 form, or a 400 naming `field`. */
export function walletAddress(text: string, field: string): `0x${string}` {
  const address = checksumAddress(text);
  if (address === undefined) throw badRequest('invalid_wallet_address', `${text} is not an EVM address`, field);
  return address;
}

export async function walletChallenge(db: Db, principal: Principal, now: Date): Promise<ChallengeView> {
  const nonce = randomBytes(16).toString('hex');
  const message = `Tally market: user ${principal.userId} (${principal.email}) proves this wallet. Nonce: ${nonce}`;
  const expiresAt = new Date(now.getTime() + CHALLENGE_MS);
  await market(db)
    .insertInto('market_wallet_challenges')
    .values({ nonce, user_id: principal.userId, message, expires_at: expiresAt, used_at: null })
    .execute();
  return { message, expires_at: expiresAt.toISOString() };
}

export async function getWallet(db: Db, principal: Principal): Promise<WalletView> {
  return walletView(await participant(db, principal.userId));
}

/** Registered wallets: the caller's; every user's for roles that read everything (or one user's). */
export async function listWallets(
  db: Db,
  principal: Principal,
  filter: { user_id?: number | undefined },
): Promise<Array<WalletView & { user_id: number }>> {
  let query = market(db).selectFrom('market_participants').selectAll().where('wallet_address', 'is not', null);
  const user = listedUser(principal, filter.user_id);
  if (user !== undefined) query = query.where('user_id', '=', user);
  const rows = await query.orderBy('user_id').execute();
  return rows.map((p) => ({ user_id: p.user_id, ...walletView(p) }));
}

/**
 * How a registration meets the wallet already held: `create` refuses to replace one and `replace`
 * needs one (DSBI's POST and PUT); `any` does either (the native PUT).
 */
export type WalletMode = 'create' | 'replace' | 'any';

/**
 * Registers the caller's wallet. With a signature it must recover, over one of the caller's live
 * challenges, to the address: the challenge is then spent and the wallet proven. Without one (only
 * the DSBI face allows it) the address is stored unproven: it backs no bid and receives no payout
 * unless the deployment trusts unproven wallets.
 */
export async function registerWallet(
  db: Db,
  principal: Principal,
  input: { wallet_address: string; signature?: string | undefined },
  now: Date,
  mode: WalletMode,
): Promise<WalletView> {
  const address = walletAddress(input.wallet_address, 'body/wallet_address');
  return db.transaction().execute(async (trx) => {
    const before = await participant(trx, principal.userId, { forUpdate: true });
    if (mode === 'create' && before.wallet_address !== null)
      throw conflict('wallet_exists', 'you already have a wallet address; replace it instead');
    if (mode === 'replace' && before.wallet_address === null)
      throw conflict('no_wallet', 'you have no wallet address yet; register one first');
    const holder = await market(trx)
      .selectFrom('market_participants')
      .select('user_id')
      .where('wallet_address', '=', address)
      .executeTakeFirst();
    if (holder !== undefined && holder.user_id !== principal.userId)
      throw conflict('wallet_address_taken', `${address} is registered by another user`);
    const proven =
      input.signature === undefined ? null : await spendChallenge(trx, principal, address, input.signature, now);
    const row = await market(trx)
      .updateTable('market_participants')
      .set({ wallet_address: address, wallet_proven_at: proven, wallet_registered_at: now, updated_at: now })
      .where('user_id', '=', principal.userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = walletView(row);
    await appendEvent(trx, {
      type: proven ? 'market.wallet.proven' : 'market.wallet.registered',
      subject_type: 'market_participant',
      subject_id: principal.userId,
      actor_id: principal.userId,
      payload: { user_id: principal.userId, ...view },
    });
    return view;
  });
}

/** The time of the proof, after spending the live challenge the signature answers; refused otherwise. */
async function spendChallenge(
  trx: Db,
  principal: Principal,
  address: string,
  signature: string,
  now: Date,
): Promise<Date> {
  const live = await market(trx)
    .selectFrom('market_wallet_challenges')
    .selectAll()
    .where('user_id', '=', principal.userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('expires_at', 'desc')
    .limit(20)
    .execute();
  if (live.length === 0)
    throw conflict('no_live_challenge', 'ask for a challenge (GET /api/market/wallet/challenge) and sign it');
  for (const challenge of live) {
    if ((await recoverMessageSigner(challenge.message, signature)) !== address) continue;
    await market(trx)
      .updateTable('market_wallet_challenges')
      .set({ used_at: now })
      .where('nonce', '=', challenge.nonce)
      .execute();
    return now;
  }
  throw unprocessable(
    'wallet_signature_mismatch',
    `the signature is not ${address}'s over any of your live challenges`,
    'body/signature',
  );
}

const marketWalletView = (w: { address: string; registered_at: Date }): MarketWalletView => ({
  wallet_address: w.address,
  registered_at: w.registered_at.toISOString(),
});

/** The market's wallet, or undefined before an admin registers it. */
export async function marketWallet(db: Db): Promise<{ address: `0x${string}`; registered_at: Date } | undefined> {
  const row = await market(db).selectFrom('market_wallet').select(['address', 'registered_at']).executeTakeFirst();
  return row && { address: row.address as `0x${string}`, registered_at: row.registered_at };
}

export async function getMarketWallet(db: Db): Promise<MarketWalletView> {
  const row = await marketWallet(db);
  if (!row) throw notFound('market_wallet', 'of this market');
  return marketWalletView(row);
}

/**
 * Registers the market's wallet (admin). On a chain whose payouts Tally signs, it must be the key's
 * own address: bids paid elsewhere could never be paid back.
 */
export async function setMarketWallet(
  db: Db,
  principal: Principal,
  text: string,
  now: Date,
  opts: { mode: WalletMode; keyAddress: string | undefined },
): Promise<MarketWalletView> {
  const address = walletAddress(text, 'body/wallet_address');
  if (opts.keyAddress !== undefined && address !== opts.keyAddress)
    throw unprocessable(
      'market_wallet_not_key',
      `the market pays out from ${opts.keyAddress} (TALLY_MARKET_PRIVATE_KEY), so that is its wallet`,
      'body/wallet_address',
    );
  return db.transaction().execute(async (trx) => {
    const before = await market(trx).selectFrom('market_wallet').selectAll().forUpdate().executeTakeFirst();
    if (opts.mode === 'create' && before !== undefined)
      throw conflict('market_wallet_exists', 'the market already has a wallet; replace it instead');
    if (opts.mode === 'replace' && before === undefined)
      throw conflict('no_market_wallet', 'the market has no wallet yet; register one first');
    const row = await market(trx)
      .insertInto('market_wallet')
      .values({ address, registered_at: now })
      .onConflict((c) => c.column('singleton').doUpdateSet({ address, registered_at: now }))
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = marketWalletView(row);
    await appendEvent(trx, {
      type: 'market.market_wallet.registered',
      subject_type: 'market_wallet',
      subject_id: 'market',
      actor_id: principal.userId,
      payload: view,
    });
    return view;
  });
}
