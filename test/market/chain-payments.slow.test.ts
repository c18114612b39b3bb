// Bids paid on a real chain (Hardhat's EDR node, a real ERC-20): a payment counts only as a
// transfer of the market token from the bidder's proven wallet to the market wallet, of at least
// max_payment, with enough confirmations, by a hash no other bid names. Each refusal answers 409
// with its reason and books nothing.
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMarket, marketRound, openMarket, type Market } from '../../src/market/index.ts';
import { startChain, type TestAccount, type TestChain } from '../helpers/chain.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const MAX_PAYMENT = 5_000_000n;

describe('bid payments on a chain', () => {
  let chain: TestChain;
  let s: TestServer;
  let market: Market;
  let admin: { id: number; token: string };
  let alice: { id: number; token: string };
  let bob: { id: number; token: string };
  let marketKey: TestAccount;
  let aliceKey: TestAccount;
  let bobKey: TestAccount;
  let session: number;

  async function prove(user: { token: string }, account: TestAccount): Promise<void> {
    const challenge = await s.request('GET', '/api/market/wallet/challenge', { token: user.token });
    const signature = await privateKeyToAccount(account.privateKey).signMessage({ message: challenge.body.message });
    const r = await s.request('PUT', '/api/market/wallet', {
      token: user.token,
      body: { wallet_address: account.address, signature },
    });
    expect(r.status).toBe(200);
  }

  /** A new bid of Alice's in the open session, on a resource of its own (one bid per resource). */
  let resources = 0;
  async function newBid(): Promise<string> {
    const resource = await s.request('POST', '/api/market/resources', {
      token: alice.token,
      body: { name: `plant-${++resources}`, type: 'measurements', to_forecast: true },
    });
    const bid = await s.request('POST', '/api/market/bids', {
      token: alice.token,
      body: {
        session_id: session,
        resource_id: resource.body.id,
        bid_price: '1000000',
        max_payment: MAX_PAYMENT.toString(),
        gain_func: 'mse',
      },
    });
    expect(bid.status).toBe(201);
    return bid.body.id;
  }

  const record = (bid: string, tx_hash: string) =>
    s.request('POST', `/api/market/bids/${bid}/payment`, { token: alice.token, body: { tx_hash } });
  const validate = (bid: string) => s.request('POST', `/api/market/bids/${bid}/validation`, { token: admin.token });
  const balance = async () =>
    (await s.request('GET', '/api/market/balances', { token: alice.token })).body.items[0]?.balance;

  beforeAll(async () => {
    chain = await startChain();
    [marketKey, aliceKey, bobKey] = chain.accounts as [TestAccount, TestAccount, TestAccount];
    s = await startServer({
      TALLY_MARKET_SCHEDULE: 'manual',
      TALLY_CHAIN_RPC_URL: chain.rpcUrl,
      TALLY_CHAIN_ID: String(chain.chainId),
      TALLY_MARKET_TOKEN: chain.token,
      TALLY_MARKET_PRIVATE_KEY: marketKey.privateKey,
      TALLY_CHAIN_CONFIRMATIONS: '2',
    });
    market = openMarket(s.db.database.kysely, s.config.market, s.clock);
    admin = await s.user('admin');
    alice = await s.user('producer', 'alice');
    bob = await s.user('producer', 'bob');
    await prove(alice, aliceKey);
    await prove(bob, bobKey);
  });
  afterAll(async () => {
    await s?.close();
    await chain?.close();
  });

  it('takes as market wallet only the address of its payout key', async () => {
    const wrong = await s.request('PUT', '/api/market/market-wallet', {
      token: admin.token,
      body: { wallet_address: bobKey.address },
    });
    expect([wrong.status, wrong.body.code]).toEqual([422, 'market_wallet_not_key']);
    const right = await s.request('PUT', '/api/market/market-wallet', {
      token: admin.token,
      body: { wallet_address: marketKey.address.toLowerCase() },
    });
    expect([right.status, right.body.wallet_address]).toEqual([200, marketKey.address]);
    const staged = await s.request('POST', '/api/market/sessions', { token: admin.token, body: {} });
    session = staged.body.id;
    await s.request('PATCH', `/api/market/sessions/${session}`, { token: admin.token, body: { status: 'open' } });
  });

  it('refuses each payment that does not hold, with its reason, booking nothing', async () => {
    const cases: Array<[string, () => Promise<`0x${string}`>]> = [
      ['wrong_recipient', () => chain.transfer(aliceKey.privateKey, bobKey.address, MAX_PAYMENT)],
      ['wrong_token', () => chain.transfer(aliceKey.privateKey, marketKey.address, MAX_PAYMENT, chain.otherToken)],
      ['too_small', () => chain.transfer(aliceKey.privateKey, marketKey.address, MAX_PAYMENT - 1n)],
      ['wrong_sender', () => chain.transfer(bobKey.privateKey, marketKey.address, MAX_PAYMENT)],
      ['reverted', () => chain.revertingTransfer(aliceKey.privateKey, marketKey.address, 10n ** 30n)],
    ];
    for (const [reason, pay] of cases) {
      const bid = await newBid();
      const hash = await pay();
      await chain.mine(2);
      expect((await record(bid, hash)).status).toBe(200);
      const before = await s.eventCount();
      const r = await validate(bid);
      expect([reason, r.status, r.body.code]).toEqual([reason, 409, 'payment_refused']);
      expect(r.body.detail).toContain(`(${reason})`);
      // The refusal is recorded on the bid (one event), and nothing is booked.
      expect(await s.eventCount()).toBe(before + 1);
      const after = await s.request('GET', `/api/market/bids/${bid}`, { token: alice.token });
      expect([after.body.confirmed, after.body.payment_refusal]).toEqual([false, reason]);
    }
    expect(await balance()).toBe('0');
  });

  it('waits for confirmations, then confirms the bid and books max_payment once', async () => {
    const bid = await newBid();
    const hash = await chain.transfer(aliceKey.privateKey, marketKey.address, MAX_PAYMENT);
    expect((await record(bid, hash)).status).toBe(200);
    const early = await validate(bid);
    expect([early.status, early.body.detail]).toEqual([409, expect.stringContaining('(unconfirmed)')]);
    // A hash backs one bid only.
    const other = await newBid();
    const reused = await record(other, hash);
    expect([reused.status, reused.body.code]).toEqual([409, 'payment_reference_used']);

    await chain.mine(1);
    const ok = await validate(bid);
    expect([ok.status, ok.body.confirmed, ok.body.payment_refusal]).toEqual([200, true, null]);
    expect(await balance()).toBe(MAX_PAYMENT.toString());
    const again = await validate(bid);
    expect([again.status, again.body.code]).toEqual([409, 'bid_already_confirmed']);
    const transactions = await s.request('GET', '/api/market/transactions', { token: alice.token });
    expect(transactions.body.items).toEqual([
      expect.objectContaining({
        bid_id: bid,
        transaction_type: 'transfer_in',
        amount: MAX_PAYMENT.toString(),
        session_id: session,
      }),
    ]);
  });

  it('lets the market job confirm recorded payments by itself', async () => {
    const bid = await newBid();
    const hash = await chain.transfer(aliceKey.privateKey, marketKey.address, MAX_PAYMENT);
    await record(bid, hash);
    expect(await marketRound(market, s.clock.now())).toEqual({ count: 0, failed: [] });
    await chain.mine(1);
    expect(await marketRound(market, s.clock.now())).toEqual({ count: 1, failed: [] });
    const after = await s.request('GET', `/api/market/bids/${bid}`, { token: alice.token });
    expect(after.body.confirmed).toBe(true);
    expect(await balance()).toBe((2n * MAX_PAYMENT).toString());
  });

  it('runs the session, refunds bids without history, and pays balances back once settled', async () => {
    await s.request('PATCH', `/api/market/sessions/${session}`, { token: admin.token, body: { status: 'closed' } });
    await s.request('PATCH', `/api/market/sessions/${session}`, { token: admin.token, body: { status: 'running' } });
    if (market.rail.kind !== 'evm') throw new Error('the chain test runs on the evm rail');
    const rail = market.rail.chain;
    const heldBefore = await rail.tokenBalance(aliceKey.address);
    // The run, then the payout (signed, booked, broadcast) in the same round; not yet solid.
    expect(await marketRound(market, s.clock.now())).toEqual({ count: 2, failed: [] });
    const report = (await s.request('GET', `/api/market/sessions/${session}/report`, { token: admin.token })).body;
    expect(
      report.bids.map((b: { ran: boolean; reason: string; payment: string }) => [b.ran, b.reason, b.payment]),
    ).toEqual([
      [false, 'history_too_short', '0'],
      [false, 'history_too_short', '0'],
    ]);
    expect(await balance()).toBe('0');
    expect(await rail.tokenBalance(aliceKey.address)).toBe(heldBefore + 2n * MAX_PAYMENT);
    const payouts = (await s.request('GET', '/api/market/payouts', { token: alice.token })).body.items;
    expect(payouts).toEqual([
      expect.objectContaining({
        user_id: alice.id,
        session_id: session,
        amount: (2n * MAX_PAYMENT).toString(),
        solid: false,
      }),
    ]);
    expect(payouts[0].wallet_address).toBe(aliceKey.address);
    // Solid once the chain holds it two blocks deep; nothing is sent twice.
    await chain.mine(1);
    expect(await marketRound(market, s.clock.now())).toEqual({ count: 1, failed: [] });
    const solid = (await s.request('GET', '/api/market/payouts', { token: alice.token })).body.items;
    expect(solid.map((p: { solid: boolean }) => p.solid)).toEqual([true]);
    expect(await marketRound(market, s.clock.now())).toEqual({ count: 0, failed: [] });
    expect(await rail.tokenBalance(aliceKey.address)).toBe(heldBefore + 2n * MAX_PAYMENT);
    const outs = (await s.request('GET', '/api/market/transactions', { token: alice.token })).body.items;
    expect(outs[0]).toMatchObject({ transaction_type: 'transfer_out', amount: (-2n * MAX_PAYMENT).toString() });
    expect(await checkMarket(s.db.database.kysely)).toEqual([]);
  });
});
