// The DSBI face on a real chain (Hardhat's EDR node, a real ERC-20): `tangle_msg_id` is the hash of
// the bid's payment, which validate/bid-payment checks on the chain itself (DSBI trusted the
// engine's word); an unproven wallet backs no bid unless the deployment trusts unproven wallets;
// payouts are DSBI's transfer-out records, and asking a PUT whether one is solid is idempotent.
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Market, marketRound, openMarket } from '../../src/market/index.ts';
import { startChain, type TestAccount, type TestChain } from '../helpers/chain.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const MAX_PAYMENT = 5_000_000;
const refusal = (code: number, message: unknown) => ({ code, data: null, status: 'error', message });
const wrapped = (code: number, data: unknown) => ({ code, data });

describe('the DSBI face on a chain', () => {
  let chain: TestChain;
  let s: TestServer;
  let market: Market;
  let marketKey: TestAccount;
  let aliceKey: TestAccount;
  let bobKey: TestAccount;
  let admin: { token: string };
  let alice: { token: string; email: string };
  let session: number;
  let resources = 0;

  const env = () => ({
    TALLY_MARKET_SCHEDULE: 'manual',
    TALLY_CHAIN_RPC_URL: chain.rpcUrl,
    TALLY_CHAIN_ID: String(chain.chainId),
    TALLY_MARKET_TOKEN: chain.token,
    TALLY_MARKET_PRIVATE_KEY: marketKey.privateKey,
    TALLY_CHAIN_CONFIRMATIONS: '2',
  });

  /** The admin's side of DSBI's flow on server `on`: market wallet, a session, open. */
  async function openSession(on: TestServer, token: string): Promise<number> {
    await on.request('POST', '/dsbi/api/market/wallet-address', { token, body: { wallet_address: marketKey.address } });
    const created = await on.request('POST', '/dsbi/api/market/session', {
      token,
      body: {
        session_number: 1,
        market_price: 5500000.0,
        b_min: 500000,
        b_max: 10000000,
        n_price_steps: 20,
        delta: 0.05,
      },
    });
    const id = created.body.data.id;
    await on.request('PATCH', `/dsbi/api/market/session/${id}`, { token, body: { status: 'open' } });
    return id;
  }

  /** A bid of the caller's in the open session, on a new resource of its own. */
  async function bid(on: TestServer, user: { token: string }, sessionId: number) {
    const resource = await on.request('POST', '/dsbi/api/user/resource', {
      token: user.token,
      body: { name: `plant-${++resources}`, type: 'measurements', to_forecast: true },
    });
    return on.request('POST', '/dsbi/api/market/bid', {
      token: user.token,
      body: {
        market_session: sessionId,
        resource: resource.body.data.id,
        bid_price: 1_000_000,
        max_payment: MAX_PAYMENT,
        gain_func: 'mse',
      },
    });
  }

  const pay = (bidId: string, tangle_msg_id: string) =>
    s.request('PATCH', `/dsbi/api/market/bid/${bidId}`, { token: alice.token, body: { tangle_msg_id } });
  const validate = (tangle_msg_id: string) =>
    s.request('POST', '/dsbi/api/market/validate/bid-payment', { token: admin.token, body: { tangle_msg_id } });

  beforeAll(async () => {
    chain = await startChain();
    [marketKey, aliceKey, bobKey] = chain.accounts as [TestAccount, TestAccount, TestAccount];
    s = await startServer(env());
    market = openMarket(s.db.database.kysely, s.config.market, s.clock);
    admin = await s.user('admin');
    alice = await s.user('producer', 'alice');
  });
  afterAll(async () => {
    await s?.close();
    await chain?.close();
  });

  it('takes as market wallet only the address of the payout key', async () => {
    const wrong = await s.request('POST', '/dsbi/api/market/wallet-address', {
      token: admin.token,
      body: { wallet_address: bobKey.address },
    });
    expect(wrong.body).toMatchObject({
      code: 400,
      data: { wallet_address: [expect.stringContaining(marketKey.address)] },
    });
    session = await openSession(s, admin.token);
    const wallet = await s.request('GET', '/dsbi/api/market/wallet-address', { token: alice.token });
    expect(wallet.body.data.wallet_address).toBe(marketKey.address);
  });

  it('lets an unproven wallet back no bid until a signature proves it', async () => {
    const unproven = await s.request('POST', '/dsbi/api/user/wallet-address', {
      token: alice.token,
      body: { wallet_address: aliceKey.address },
    });
    expect(unproven.status).toBe(200);
    expect((await bid(s, alice, session)).body).toEqual(
      refusal(409, 'prove your wallet with a signed challenge before bidding'),
    );
    const challenge = await s.request('GET', '/dsbi/api/user/wallet-address/challenge', { token: alice.token });
    const signature = await privateKeyToAccount(aliceKey.privateKey).signMessage({
      message: challenge.body.data.message,
    });
    const proven = await s.request('PUT', '/dsbi/api/user/wallet-address', {
      token: alice.token,
      body: { wallet_address: aliceKey.address, signature },
    });
    expect(proven.status).toBe(200);
    expect((await bid(s, alice, session)).status).toBe(200);
  });

  let paid: string;

  it('records the payment’s hash at the PATCH and confirms it only when the chain holds it', async () => {
    const placed = await bid(s, alice, session);
    paid = placed.body.data.id;
    expect((await pay(paid, '0xabc123')).body).toEqual({
      code: 400,
      data: { tangle_msg_id: ['Enter the transaction hash of the payment: 0x and 64 hex digits.'] },
      status: 'error',
      message: expect.any(String),
    });
    const hash = await chain.transfer(aliceKey.privateKey, marketKey.address, BigInt(MAX_PAYMENT));
    expect((await pay(paid, hash)).body).toEqual(wrapped(200, { bid_id: paid, tangle_msg_id: hash }));
    expect((await pay(paid, hash)).body).toEqual(
      refusal(409, `A Tangle Message ID already exists for bid ID ${paid}.`),
    );
    // One confirmation of the two the market waits for.
    const early = await validate(hash);
    expect([early.status, early.body.message]).toEqual([409, expect.stringContaining('(unconfirmed)')]);
    await chain.mine(1);
    const ok = await validate(hash);
    expect(ok.body).toEqual(
      wrapped(200, {
        market_bid: paid,
        market_session: session,
        tangle_msg_id: hash,
        user_wallet_address: marketKey.address,
        confirmed: true,
      }),
    );
    expect((await validate(hash)).body).toEqual(refusal(409, `Tangle message ID ${hash} already validated.`));
    const bids = await s.request('GET', `/dsbi/api/market/bid?market_session=${session}&confirmed=true`, {
      token: alice.token,
    });
    expect(bids.body.data.map((b: { id: string; tangle_msg_id: string }) => [b.id, b.tangle_msg_id])).toEqual([
      [paid, hash],
    ]);
  });

  it('answers a refused payment 409 with the chain’s reason', async () => {
    const placed = await bid(s, alice, session);
    const hash = await chain.transfer(aliceKey.privateKey, bobKey.address, BigInt(MAX_PAYMENT));
    await chain.mine(2);
    expect((await pay(placed.body.data.id, hash)).status).toBe(200);
    const refused = await validate(hash);
    expect(refused.body).toEqual(
      refusal(409, 'the payment is refused (wrong_recipient): the transfer is not to the market wallet'),
    );
  });

  it('pays the balance out after the run, as a transfer-out a PUT confirms once, idempotently', async () => {
    for (const status of ['closed', 'running'])
      await s.request('PATCH', `/dsbi/api/market/session/${session}`, { token: admin.token, body: { status } });
    // The buyer has no history: its bid is refunded in full, and the balance goes back to its wallet.
    expect(await marketRound(market, s.clock.now())).toEqual({ count: 2, failed: [] });
    const pending = await s.request('GET', '/dsbi/api/market/transfer-out?is_solid=False', { token: admin.token });
    const [transfer] = pending.body.data;
    expect(pending.body.data).toEqual([
      {
        withdraw_transfer_id: expect.any(Number),
        amount: MAX_PAYMENT,
        user_wallet_address: aliceKey.address,
        tangle_msg_id: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        is_solid: false,
        registered_at: '2026-12-01T12:00:00Z',
        user: expect.any(String),
      },
    ]);
    const put = (body: unknown) => s.request('PUT', '/dsbi/api/market/transfer-out', { token: admin.token, body });
    const early = await put({ withdraw_transfer_id: transfer.withdraw_transfer_id, is_solid: true });
    expect([early.status, early.body.message]).toEqual([
      409,
      expect.stringContaining('not confirmed on the chain yet'),
    ]);
    expect((await put({ withdraw_transfer_id: transfer.withdraw_transfer_id, amount: 1 })).status).toBe(409);
    await chain.mine(1);
    const solid = await put({ withdraw_transfer_id: transfer.withdraw_transfer_id, is_solid: true });
    expect(solid.body).toEqual(wrapped(200, { ...transfer, is_solid: true }));
    const before = await s.eventCount();
    expect((await put({ withdraw_transfer_id: transfer.withdraw_transfer_id, is_solid: true })).body).toEqual(
      solid.body,
    );
    expect(await s.eventCount()).toBe(before);
    const balance = await s.request('GET', '/dsbi/api/market/balance', { token: alice.token });
    expect(balance.body.data).toEqual([
      expect.objectContaining({
        balance: 0,
        total_deposit: MAX_PAYMENT,
        total_withdraw: MAX_PAYMENT,
        total_payment: 0,
      }),
    ]);
    const transactions = await s.request('GET', `/dsbi/api/market/session-transactions?market_session=${session}`, {
      token: alice.token,
    });
    expect(
      transactions.body.data.map((t: { transaction_type: string; amount: number }) => [t.transaction_type, t.amount]),
    ).toEqual([
      ['transfer_in', MAX_PAYMENT],
      ['transfer_out', -MAX_PAYMENT],
    ]);
    expect(
      (await s.request('GET', '/dsbi/api/market/transfer-out?is_solid=false', { token: admin.token })).body,
    ).toEqual(wrapped(200, []));
  });

  it('pays nothing out to a wallet typed in without a signature', async () => {
    const next = (
      await s.request('GET', '/dsbi/api/market/session?status=staged&latest_only=true', { token: admin.token })
    ).body.data[0].id;
    const patch = (status: string) =>
      s.request('PATCH', `/dsbi/api/market/session/${next}`, { token: admin.token, body: { status } });
    await patch('open');
    const placed = await bid(s, alice, next);
    const hash = await chain.transfer(aliceKey.privateKey, marketKey.address, BigInt(MAX_PAYMENT));
    await chain.mine(2);
    await pay(placed.body.data.id, hash);
    expect((await validate(hash)).status).toBe(200);
    // The same address again, without a signature: stored unproven.
    const typed = await s.request('PUT', '/dsbi/api/user/wallet-address', {
      token: alice.token,
      body: { wallet_address: aliceKey.address },
    });
    expect(typed.status).toBe(200);
    await patch('closed');
    await patch('running');
    // The run refunds the bid; the balance stays with the market.
    expect(await marketRound(market, s.clock.now())).toEqual({ count: 1, failed: [] });
    const transfers = await s.request('GET', '/dsbi/api/market/transfer-out', { token: admin.token });
    expect(transfers.body.data).toHaveLength(1);
    const balance = await s.request('GET', '/dsbi/api/market/balance', { token: alice.token });
    expect(balance.body.data[0].balance).toBe(MAX_PAYMENT);
  });

  it('lets an unproven wallet back a bid where the deployment trusts unproven wallets (DSBI’s way)', async () => {
    const trusting = await startServer({ ...env(), TALLY_MARKET_TRUST_UNPROVEN_WALLETS: 'true' });
    try {
      const boss = await trusting.user('admin');
      const carol = await trusting.user('producer', 'carol');
      const id = await openSession(trusting, boss.token);
      await trusting.request('POST', '/dsbi/api/user/wallet-address', {
        token: carol.token,
        body: { wallet_address: bobKey.address },
      });
      expect((await bid(trusting, carol, id)).status).toBe(200);
    } finally {
      await trusting.close();
    }
  });
});
