// The forecasting market's native API on the internal rail (no chain): resources and their data,
// wallets proven by signature, sessions and their transitions, bids drawn on credited balances.
// Every refused request answers its exact problem and leaves the ledger as it was.
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';

// Hardhat's well-known test keys: accounts #1 and #2.
const ALICE_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const BOB_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';

describe('the forecasting market (internal rail)', () => {
  let s: TestServer;
  let admin: { id: number; token: string };
  let alice: { id: number; token: string };
  let bob: { id: number; token: string };

  beforeAll(async () => {
    s = await startServer({ TALLY_MARKET_SCHEDULE: 'manual' });
    admin = await s.user('admin');
    alice = await s.user('producer', 'alice');
    bob = await s.user('producer', 'bob');
  });
  afterAll(async () => s?.close());

  /** Asserts a refusal's status and code, and that it wrote nothing to the ledger. */
  async function refused(
    call: () => Promise<{ status: number; body: { code?: string } }>,
    status: number,
    code: string,
  ): Promise<void> {
    const before = await s.eventCount();
    const r = await call();
    expect([r.status, r.body.code]).toEqual([status, code]);
    expect(await s.eventCount()).toBe(before);
  }

  let windFarm: string;

  it('registers, lists, renames and deletes resources, each name once per owner and type', async () => {
    const created = await s.request('POST', '/api/market/resources', {
      token: alice.token,
      body: { name: 'wind-farm-1', type: 'measurements', to_forecast: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      user_id: alice.id,
      name: 'wind-farm-1',
      type: 'measurements',
      to_forecast: true,
      metering_point_id: null,
    });
    windFarm = created.body.id;
    expect(windFarm).toMatch(/^[0-9a-f-]{36}$/);

    await refused(
      () =>
        s.request('POST', '/api/market/resources', {
          token: alice.token,
          body: { name: 'wind-farm-1', type: 'measurements', to_forecast: false },
        }),
      409,
      'resource_name_taken',
    );
    await refused(
      () =>
        s.request('POST', '/api/market/resources', {
          token: alice.token,
          body: { name: 'temperature', type: 'features', to_forecast: true },
        }),
      400,
      'features_not_forecast',
    );
    await refused(
      () =>
        s.request('POST', '/api/market/resources', {
          token: alice.token,
          body: { name: 'Wind Farm', type: 'measurements', to_forecast: true },
        }),
      400,
      'invalid_request',
    );
    // Bob may use the same name; he does not see Alice's resource.
    const bobs = await s.request('POST', '/api/market/resources', {
      token: bob.token,
      body: { name: 'wind-farm-1', type: 'measurements', to_forecast: false },
    });
    expect(bobs.status).toBe(201);
    await refused(
      () => s.request('GET', `/api/market/resources/${windFarm}`, { token: bob.token }),
      404,
      'market_resource_not_found',
    );
    const mine = await s.request('GET', '/api/market/resources', { token: bob.token });
    expect(mine.body.items.map((r: { id: string }) => r.id)).toEqual([bobs.body.id]);
    const all = await s.request('GET', '/api/market/resources', { token: admin.token });
    expect(all.body.items.map((r: { id: string }) => r.id).sort()).toEqual([windFarm, bobs.body.id].sort());

    const renamed = await s.request('PATCH', `/api/market/resources/${bobs.body.id}`, {
      token: bob.token,
      body: { name: 'solar-park' },
    });
    expect([renamed.status, renamed.body.name]).toEqual([200, 'solar-park']);
    const gone = await s.request('DELETE', `/api/market/resources/${bobs.body.id}`, { token: bob.token });
    expect(gone.status).toBe(200);
    await refused(
      () => s.request('GET', `/api/market/resources/${bobs.body.id}`, { token: bob.token }),
      404,
      'market_resource_not_found',
    );
  });

  it('stores a series as sent, replaces values at the same time, and reads it back in pages', async () => {
    const upload = (points: Array<{ datetime: string; value: number }>, units = 'kw', time_interval = 60) =>
      s.request('POST', `/api/market/resources/${windFarm}/data`, {
        token: alice.token,
        body: { units, time_interval, points },
      });
    const first = await upload([
      { datetime: '2026-05-01T00:00:00Z', value: 1.5 },
      { datetime: '2026-05-01T01:00:00Z', value: 2.25 },
    ]);
    expect([first.status, first.body]).toEqual([200, { written: 2, replaced: 0 }]);
    const second = await upload(
      [
        { datetime: '2026-05-01T01:00:00Z', value: 2500 },
        { datetime: '2026-05-01T02:00:00Z', value: 3000 },
      ],
      'w',
    );
    expect(second.body).toEqual({ written: 2, replaced: 1 });

    await refused(() => upload([{ datetime: '2026-05-01T02:30:00Z', value: 1 }]), 400, 'off_interval_grid');
    await refused(
      () =>
        upload([
          { datetime: '2026-05-01T03:00:00Z', value: 1 },
          { datetime: '2026-05-01T03:00:00Z', value: 2 },
        ]),
      400,
      'duplicate_datetime',
    );
    await refused(() => upload([{ datetime: '2026-05-01T03:00:00Z', value: 1 }], 'kW'), 400, 'invalid_request');
    await refused(
      () =>
        s.request('POST', `/api/market/resources/${windFarm}/data`, {
          token: bob.token,
          body: { units: 'w', time_interval: 60, points: [] },
        }),
      404,
      'market_resource_not_found',
    );

    const page1 = await s.request(
      'GET',
      `/api/market/resources/${windFarm}/data?from=2026-05-01T00:00:00Z&to=2026-05-02T00:00:00Z&limit=2`,
      { token: alice.token },
    );
    expect(page1.body.items).toEqual([
      { datetime: '2026-05-01T00:00:00.000Z', value: 1.5, units: 'kw', time_interval: 60 },
      { datetime: '2026-05-01T01:00:00.000Z', value: 2500, units: 'w', time_interval: 60 },
    ]);
    const page2 = await s.request(
      'GET',
      `/api/market/resources/${windFarm}/data?from=2026-05-01T00:00:00Z&to=2026-05-02T00:00:00Z&limit=2&cursor=${page1.body.next_cursor}`,
      { token: alice.token },
    );
    expect(page2.body).toEqual({
      items: [{ datetime: '2026-05-01T02:00:00.000Z', value: 3000, units: 'w', time_interval: 60 }],
      next_cursor: null,
    });
  });

  it('accepts a wallet only with a signature over a live challenge of its own user', async () => {
    const aliceAccount = privateKeyToAccount(ALICE_KEY);
    const bobAccount = privateKeyToAccount(BOB_KEY);
    await refused(
      () =>
        s.request('PUT', '/api/market/wallet', {
          token: alice.token,
          body: { wallet_address: aliceAccount.address, signature: `0x${'1b'.repeat(65)}` },
        }),
      409,
      'no_live_challenge',
    );
    const challenge = await s.request('GET', '/api/market/wallet/challenge', { token: alice.token });
    expect(challenge.status).toBe(200);
    expect(challenge.body.message).toContain(`user ${alice.id}`);
    // Bob's key signing Alice's challenge does not prove Alice's address, nor his own for her.
    const bobsSignature = await bobAccount.signMessage({ message: challenge.body.message });
    await refused(
      () =>
        s.request('PUT', '/api/market/wallet', {
          token: alice.token,
          body: { wallet_address: aliceAccount.address, signature: bobsSignature },
        }),
      422,
      'wallet_signature_mismatch',
    );
    const signature = await aliceAccount.signMessage({ message: challenge.body.message });
    const proven = await s.request('PUT', '/api/market/wallet', {
      token: alice.token,
      body: { wallet_address: aliceAccount.address.toLowerCase(), signature },
    });
    expect([proven.status, proven.body.wallet_address, proven.body.proven]).toEqual([200, aliceAccount.address, true]);
    // The challenge is spent: the same proof again finds no live challenge.
    await refused(
      () =>
        s.request('PUT', '/api/market/wallet', {
          token: alice.token,
          body: { wallet_address: aliceAccount.address, signature },
        }),
      409,
      'no_live_challenge',
    );
    // Bob cannot take Alice's address, even signing with her key's challenge of his own.
    const bobChallenge = await s.request('GET', '/api/market/wallet/challenge', { token: bob.token });
    await refused(
      async () =>
        s.request('PUT', '/api/market/wallet', {
          token: bob.token,
          body: {
            wallet_address: aliceAccount.address,
            signature: await aliceAccount.signMessage({ message: bobChallenge.body.message }),
          },
        }),
      409,
      'wallet_address_taken',
    );
    const wallet = await s.request('GET', '/api/market/wallet', { token: alice.token });
    expect(wallet.body).toMatchObject({ wallet_address: aliceAccount.address, proven: true });
  });

  let session: number;

  it('moves a session staged → open → closed → running, one open at a time', async () => {
    await refused(
      () => s.request('POST', '/api/market/sessions', { token: alice.token, body: {} }),
      403,
      'role_required',
    );
    const staged = await s.request('POST', '/api/market/sessions', { token: admin.token, body: {} });
    expect(staged.status).toBe(201);
    expect(staged.body).toMatchObject({
      session_number: 1,
      status: 'staged',
      market_price: '5500000',
      b_min: '500000',
      b_max: '10000000',
      n_price_steps: 20,
      delta: 0.05,
    });
    expect(staged.body.weights).toEqual(Array.from({ length: 20 }, () => 1));
    session = staged.body.id;
    await refused(
      () => s.request('POST', '/api/market/sessions', { token: admin.token, body: {} }),
      409,
      'unfinished_session',
    );
    await refused(
      () => s.request('PATCH', `/api/market/sessions/${session}`, { token: admin.token, body: { status: 'closed' } }),
      409,
      'invalid_session_transition',
    );
    const open = await s.request('PATCH', `/api/market/sessions/${session}`, {
      token: admin.token,
      body: { status: 'open' },
    });
    expect([open.status, open.body.status, open.body.open_at]).toEqual([200, 'open', s.clock.now().toISOString()]);
  });

  it('takes a bid for one’s own forecastable resource and confirms it from the free balance', async () => {
    const bid = (token: string, body: Record<string, unknown>) =>
      s.request('POST', '/api/market/bids', { token, body });
    const offer = {
      session_id: session,
      resource_id: windFarm,
      bid_price: '6000000',
      max_payment: '50000000',
      gain_func: 'rmse',
    };
    await refused(() => bid(alice.token, { ...offer, max_payment: '999999' }), 422, 'payment_below_minimum');
    await refused(() => bid(bob.token, offer), 404, 'market_resource_not_found');
    await refused(() => bid(alice.token, { ...offer, session_id: session + 1 }), 404, 'market_session_not_found');
    const placed = await bid(alice.token, offer);
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ ...offer, user_id: alice.id, confirmed: false, tx_hash: null });
    await refused(() => bid(alice.token, offer), 409, 'bid_exists');

    const pay = () => s.request('POST', `/api/market/bids/${placed.body.id}/payment`, { token: alice.token, body: {} });
    await refused(pay, 409, 'payment_refused');
    await refused(
      () => s.request('POST', `/api/market/balances/${alice.id}/credit`, { token: alice.token, body: { amount: '1' } }),
      403,
      'role_required',
    );
    const credit = await s.request('POST', `/api/market/balances/${alice.id}/credit`, {
      token: admin.token,
      body: { amount: '60000000' },
    });
    expect(credit.body).toMatchObject({ transaction_type: 'transfer_in', amount: '60000000', session_id: null });
    const paid = await pay();
    expect([paid.status, paid.body.confirmed]).toEqual([200, true]);
    await refused(pay, 409, 'bid_already_confirmed');
    const balances = await s.request('GET', '/api/market/balances', { token: alice.token });
    expect(balances.body.items).toEqual([
      expect.objectContaining({
        user_id: alice.id,
        balance: '60000000',
        total_deposit: '60000000',
        total_payment: '0',
      }),
    ]);
  });
});
