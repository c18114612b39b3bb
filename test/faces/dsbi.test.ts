// The DSBI face, driven exactly as a DSBI client and the DSBI engine drive INESC TEC's API
// (reference §7 and §9), on the internal rail: register → verify link → token → wallet → resource
// → raw data → the admin's market wallet, session and weights → open → bid → pay → close → run
// (Tally's own engine, the market job) → forecasts, balances, transactions. Then DSBI's error
// shapes, its path rules, and every deliberate deviation (docs/dsbi-compatibility.md).
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Market, marketRound, openMarket } from '../../src/market/index.ts';
import { TEST_START } from '../helpers/clock.ts';
import { knownAnswerSeries } from '../helpers/market.ts';
import { freePort, startServer, type TestServer } from '../helpers/server.ts';

const HOURS = 1440;
const HOUR_MS = 3_600_000;
const VALIDATION =
  "Validation error. Please re-check your request parameters or body fields and fix the errors mentioned in this response 'data' field.";
// Hardhat's well-known test keys: accounts #0 (the market's), #1 and #2.
const MARKET_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const ALICE_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const BOB_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
const PASSWORD = 'S3cure-pass!';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** DSBI's time: UTC, `Z`, six fraction digits only when there is a fraction. */
const DSBI_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/;

const wrapped = (code: number, data: unknown) => ({ code, data });
const refusal = (code: number, message: string) => ({ code, data: null, status: 'error', message });
const invalid = (data: unknown) => ({ code: 400, data, status: 'error', message: VALIDATION });

describe('the DSBI face', () => {
  let s: TestServer;
  let market: Market;
  const dsbi = (method: string, path: string, opts: Parameters<TestServer['request']>[2] = {}) =>
    s.request(method, `/dsbi${path}`, opts);
  /** A request whose redirect is not followed. */
  const raw = (method: string, path: string, init: RequestInit = {}) =>
    fetch(`${s.url}/dsbi${path}`, { method, redirect: 'manual', ...init });

  let admin: { id: number; email: string; token: string };
  let adminAccess: string;

  beforeAll(async () => {
    // A known port: the verification link the face hands out must work.
    s = await startServer({ TALLY_MARKET_SCHEDULE: 'manual', PORT: String(await freePort()) });
    market = openMarket(s.db.database.kysely, s.config.market, s.clock);
    admin = await s.user('admin');
  });
  afterAll(async () => s?.close());

  type Participant = { email: string; token: string; uuid: string; resource: string; tallyId: number };
  const users: Record<'alice' | 'a' | 'b', Participant> = {} as never;

  /** DSBI's user configuration (§9): register, open the link, log in. */
  async function register(name: string): Promise<{ email: string; token: string; refresh: string }> {
    const email = `${name}-${process.pid}@example.com`;
    const r = await dsbi('POST', '/api/user/register', {
      body: { email, password: PASSWORD, first_name: name, last_name: 'Tester' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(wrapped(201, { email, verification_link: expect.any(String) }));
    const link: string = r.body.data.verification_link;
    const uid = Buffer.from(email).toString('base64url');
    expect(link).toMatch(new RegExp(`^${s.url}/dsbi/api/user/verify/${uid}/[A-Za-z0-9_-]+$`));
    // Not verified yet: no token.
    expect(await dsbi('POST', '/api/token', { body: { email, password: PASSWORD } })).toMatchObject({
      status: 400,
      body: { non_field_errors: ['Email not verified'] },
    });
    const opened = await fetch(link);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await opened.text()).toContain('Registration Successful!');
    const again = await fetch(link);
    expect([again.status, await again.json()]).toEqual([400, invalid({ response: 'User is already verified' })]);
    const login = await dsbi('POST', '/api/token', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body)).toEqual(['refresh', 'access']);
    return { email, token: login.body.access, refresh: login.body.refresh };
  }

  it('registers, verifies by the link and logs in, with tokens that are Tally tokens', async () => {
    const alice = await register('alice');
    // The DSBI token works on the native API, and the engine's /api/token/login answers the same.
    const me = await s.request('GET', '/api/user/me', { token: alice.token });
    expect(me.body).toMatchObject({ email: alice.email, name: 'alice Tester', email_verified: true });
    const engine = await dsbi('POST', '/api/token/login', {
      body: { email: admin.email, password: 'correct horse battery' },
    });
    expect(engine.status).toBe(200);
    adminAccess = engine.body.access;
    expect((await s.request('GET', '/api/user/me', { token: adminAccess })).body.role).toBe('admin');
    // A native token works on the face.
    expect((await dsbi('GET', '/api/market/session', { token: admin.token })).body).toEqual(wrapped(200, []));

    const refreshed = await dsbi('POST', '/api/token/refresh', { body: { refresh: alice.refresh } });
    expect([refreshed.status, Object.keys(refreshed.body)]).toEqual([200, ['access', 'refresh']]);
    expect(await dsbi('POST', '/api/token/refresh/', { body: { refresh: alice.refresh } })).toMatchObject({
      status: 401,
      body: { detail: 'Token is invalid or expired', code: 'token_not_valid' },
    });
    expect(
      await dsbi('POST', '/api/token', { body: { email: alice.email, password: 'wrong-password' } }),
    ).toMatchObject({ status: 400, body: { non_field_errors: ['Invalid login credentials'] } });
    const missing = await dsbi('POST', '/api/token/', { body: { email: alice.email } });
    expect([missing.status, missing.body]).toEqual([400, { password: ['This field is required.'] }]);
    const taken = await dsbi('POST', '/api/user/register', {
      body: { email: alice.email, password: PASSWORD, first_name: 'a', last_name: 'b' },
    });
    expect([taken.status, taken.body]).toEqual([409, refusal(409, `The email '${alice.email}' already exists!`)]);
    const bad = await dsbi('POST', '/api/user/register', {
      body: { email: 'not-an-email', password: 'short', first_name: 'x'.repeat(31) },
    });
    expect([bad.status, bad.body]).toEqual([
      400,
      invalid({
        email: ['Enter a valid email address.'],
        password: ['This password is too short. It must contain at least 10 characters.'],
        first_name: ['Ensure this field has no more than 30 characters.'],
        last_name: ['This field is required.'],
      }),
    ]);

    const a = await register('seller-a');
    const b = await register('seller-b');
    for (const [key, u] of [
      ['alice', alice],
      ['a', a],
      ['b', b],
    ] as const) {
      const tallyId = (await s.request('GET', '/api/user/me', { token: u.token })).body.id;
      users[key] = { email: u.email, token: u.token, uuid: '', resource: '', tallyId };
    }
  });

  it('registers a wallet: an EVM address, stored unproven without a signature, proven with one', async () => {
    const alice = privateKeyToAccount(ALICE_KEY);
    const iota = 'rms1qz2yvydysm3fnjcs2ek4wascxkectuhgkk36f0rr23yjh69zyheuvux4ngj';
    expect(
      (await dsbi('POST', '/api/user/wallet-address', { token: users.alice.token, body: { wallet_address: iota } }))
        .body,
    ).toEqual(invalid({ wallet_address: ['Invalid wallet address.'] }));
    expect((await dsbi('GET', '/api/user/wallet-address', { token: users.alice.token })).body).toEqual(
      wrapped(200, []),
    );
    expect(
      (
        await dsbi('PUT', '/api/user/wallet-address', {
          token: users.alice.token,
          body: { wallet_address: alice.address },
        })
      ).body,
    ).toEqual(refusal(409, 'This user does not have a wallet address yet.'));

    const posted = await dsbi('POST', '/api/user/wallet-address/', {
      token: users.alice.token,
      body: { wallet_address: alice.address.toLowerCase() },
    });
    expect([posted.status, posted.body]).toEqual([
      200,
      wrapped(200, { wallet_address: alice.address, registered_at: '2026-12-01T12:00:00Z' }),
    ]);
    expect((await s.request('GET', '/api/market/wallet', { token: users.alice.token })).body.proven).toBe(false);
    expect(
      (
        await dsbi('POST', '/api/user/wallet-address', {
          token: users.alice.token,
          body: { wallet_address: alice.address },
        })
      ).body,
    ).toEqual(refusal(409, 'This user already has an address. Use PUT method to update it.'));
    // Another user cannot store the same address.
    expect(
      (
        await dsbi('POST', '/api/user/wallet-address', {
          token: users.a.token,
          body: { wallet_address: alice.address },
        })
      ).body,
    ).toEqual(invalid({ wallet_address: ['user wallet address with this wallet address already exists.'] }));

    // Tally's addition: a signature over the challenge proves the address.
    const challenge = await dsbi('GET', '/api/user/wallet-address/challenge', { token: users.alice.token });
    expect(challenge.body).toEqual(
      wrapped(200, { message: expect.stringContaining('Nonce:'), expires_at: '2026-12-01T12:15:00Z' }),
    );
    const bobsSignature = await privateKeyToAccount(BOB_KEY).signMessage({ message: challenge.body.data.message });
    expect(
      (
        await dsbi('PUT', '/api/user/wallet-address', {
          token: users.alice.token,
          body: { wallet_address: alice.address, signature: bobsSignature },
        })
      ).body,
    ).toEqual(invalid({ signature: [expect.stringContaining('is not')] }));
    const signature = await alice.signMessage({ message: challenge.body.data.message });
    const proven = await dsbi('PUT', '/api/user/wallet-address', {
      token: users.alice.token,
      body: { wallet_address: alice.address, signature },
    });
    expect(proven.body).toEqual(wrapped(200, { wallet_address: alice.address, registered_at: '2026-12-01T12:00:00Z' }));
    expect((await s.request('GET', '/api/market/wallet', { token: users.alice.token })).body.proven).toBe(true);

    const mine = await dsbi('GET', '/api/user/wallet-address', { token: users.alice.token });
    expect(mine.body.data).toEqual([
      { user: expect.stringMatching(UUID), wallet_address: alice.address, registered_at: '2026-12-01T12:00:00Z' },
    ]);
    users.alice.uuid = mine.body.data[0].user;
    // An admin (DSBI's superuser) reads any user's with ?user=.
    const theirs = await dsbi('GET', `/api/user/wallet-address?user=${users.alice.uuid}`, { token: adminAccess });
    expect(theirs.body.data).toEqual(mine.body.data);
  });

  it('registers resources, forecasts being Tally’s features', async () => {
    const create = (token: string, body: unknown) => dsbi('POST', '/api/user/resource', { token, body });
    const made = await create(users.alice.token, { name: 'wind-farm-1', type: 'measurements', to_forecast: true });
    expect([made.status, made.body]).toEqual([
      201,
      wrapped(201, {
        id: expect.stringMatching(UUID),
        name: 'wind-farm-1',
        type: 'measurements',
        to_forecast: true,
        registered_at: expect.stringMatching(DSBI_TIME),
        user: users.alice.uuid,
      }),
    ]);
    users.alice.resource = made.body.data.id;
    expect(
      (await create(users.alice.token, { name: 'wind-farm-1', type: 'measurements', to_forecast: false })).body,
    ).toEqual(invalid({ non_field_errors: ['The fields user, name, type must make a unique set.'] }));
    const message = "You can only request forecasts for resources with 'measurements' resource type.";
    expect(
      (await create(users.alice.token, { name: 'temperature', type: 'forecasts', to_forecast: true })).body,
    ).toEqual(invalid({ resource_type: [message], to_forecast: [message] }));
    expect((await create(users.alice.token, { name: 'Wind Farm', type: 'kind', to_forecast: 'maybe' })).body).toEqual(
      invalid({
        name: [
          "Resource name cannot contain any upper-case characters, spaces or any special characters besides '-' or '_'.",
        ],
        type: ['"kind" is not a valid choice.'],
        to_forecast: ['Must be a valid boolean.'],
      }),
    );
    const feature = await create(users.alice.token, { name: 'temperature', type: 'forecasts', to_forecast: false });
    expect(feature.body.data.type).toBe('forecasts');
    const native = await s.request('GET', `/api/market/resources/${feature.body.data.id}`, {
      token: users.alice.token,
    });
    expect(native.body.type).toBe('features');

    // PATCH takes the full body; DELETE answers DSBI's sentence.
    expect(
      (
        await dsbi('PATCH', `/api/user/resource/${feature.body.data.id}`, {
          token: users.alice.token,
          body: { name: 'temperature' },
        })
      ).body,
    ).toEqual(invalid({ type: ['This field is required.'], to_forecast: ['This field is required.'] }));
    const renamed = await dsbi('PATCH', `/api/user/resource/${feature.body.data.id}`, {
      token: users.alice.token,
      body: { name: 'air-temperature', type: 'forecasts', to_forecast: false },
    });
    expect(renamed.body.data).toMatchObject({ name: 'air-temperature', type: 'forecasts' });
    expect(
      (
        await dsbi('PATCH', `/api/user/resource/${feature.body.data.id}`, {
          token: users.a.token,
          body: { name: 'x', type: 'forecasts', to_forecast: false },
        })
      ).body,
    ).toEqual(refusal(409, 'Resource ID not found.'));
    // The to_forecast filter works (DSBI's compares it with the name, so always answers nothing).
    const toForecast = await dsbi('GET', '/api/user/resource?to_forecast=true', { token: users.alice.token });
    expect(toForecast.body.data.map((r: { id: string }) => r.id)).toEqual([users.alice.resource]);
    const deleted = await dsbi('DELETE', `/api/user/resource/${feature.body.data.id}`, { token: users.alice.token });
    expect(deleted.body).toEqual(
      wrapped(200, `Resource ID ${feature.body.data.id} deleted for user ${users.alice.email}.`),
    );
    expect(
      (await dsbi('DELETE', `/api/user/resource/${feature.body.data.id}`, { token: users.alice.token })).body,
    ).toEqual(refusal(409, 'Resource ID not found.'));
    expect((await dsbi('GET', '/api/user/resource?resource=nope', { token: users.alice.token })).body).toEqual(
      invalid(["Query param 'resource' must be a valid uuid."]),
    );
    const listed = await dsbi('GET', '/api/user/resource', { token: users.alice.token });
    expect(listed.body).toEqual(wrapped(200, [made.body.data]));
    // An admin may change a user's resource (Tally's rule); a PATCH keeps registered_at.
    const byAdmin = await dsbi('PATCH', `/api/user/resource/${users.alice.resource}`, {
      token: adminAccess,
      body: { name: 'wind-farm-1', type: 'measurements', to_forecast: true },
    });
    expect(byAdmin.body).toEqual(wrapped(200, made.body.data));

    for (const who of ['a', 'b'] as const) {
      const r = await create(users[who].token, { name: `${who}-plant`, type: 'measurements', to_forecast: false });
      users[who].resource = r.body.data.id;
      users[who].uuid = r.body.data.user;
    }
  });

  it('takes raw data by resource name, reads it back in its units, and refuses DSBI’s nested errors', async () => {
    const post = (token: string, body: unknown) => dsbi('POST', '/api/data/raw-data', { token, body });
    const start = TEST_START.getTime() - HOURS * HOUR_MS;
    const known = knownAnswerSeries(HOURS);
    const series = { a: known.a, alice: known.buyer, b: known.b };
    const at = (t: number) => new Date(start + t * HOUR_MS).toISOString();
    for (const who of ['alice', 'a', 'b'] as const) {
      const kw = who === 'alice';
      const r = await post(users[who].token, {
        resource_name: who === 'alice' ? 'wind-farm-1' : `${who}-plant`,
        time_interval: who === 'b' ? '60' : 60,
        aggregation_type: 'avg',
        units: kw ? 'kw' : 'w',
        timeseries: series[who].map((v, t) => ({ datetime: at(t), value: kw ? v / 1000 : v })),
      });
      expect([r.status, r.body]).toEqual([200, wrapped(200, { status: 'ok', message: '' })]);
    }
    const first = series.alice[0] as number;
    const again = await post(users.alice.token, {
      resource_name: 'wind-farm-1',
      time_interval: 60,
      aggregation_type: 'avg',
      units: 'kw',
      timeseries: [{ datetime: at(0).replace('.000Z', ''), value: first / 1000 }],
    });
    expect(again.body).toEqual(wrapped(200, { status: 'ok', message: 'One or more database records were updated.' }));

    const read = await dsbi(
      'GET',
      `/api/data/raw-data?start_date=${at(0).replace('.000', '')}&end_date=${at(1).replace('.000', '')}&resource=${users.alice.resource}`,
      { token: users.alice.token },
    );
    expect(read.body).toEqual(
      wrapped(
        200,
        [0, 1].map((t) => ({
          datetime: at(t).replace('.000', ''),
          value: (series.alice[t] as number) / 1000,
          units: 'kw',
          resource: users.alice.resource,
          resource_type: 'measurements',
          time_interval: 60,
          aggregation_type: 'avg',
          registered_at: '2026-12-01T12:00:00Z',
          resource_name: 'wind-farm-1',
        })),
      ),
    );
    // Others' data is not the caller's.
    const theirs = await dsbi(
      'GET',
      `/api/data/raw-data?resource=${users.alice.resource}&end_date=${at(1).replace('.000', '')}`,
      {
        token: users.a.token,
      },
    );
    expect(theirs.body).toEqual(wrapped(200, []));
    expect((await dsbi('GET', '/api/data/raw-data?start_date=2026-12-01', { token: users.alice.token })).body).toEqual(
      invalid(['Query datetime parameters must use format %Y-%m-%dT%H:%M:%SZ']),
    );
    const nested = await post(users.alice.token, {
      resource_name: 'wind-farm-1',
      time_interval: 60,
      aggregation_type: 'avg',
      units: 'kW',
      timeseries: [{ datetime: at(0), value: null }],
    });
    expect(nested.body).toEqual(
      invalid({ units: ['"kW" is not a valid choice.'], timeseries: [{ value: ['This field may not be null.'] }] }),
    );
    const unknown = await post(users.alice.token, {
      resource_name: 'solar-park',
      time_interval: 60,
      aggregation_type: 'avg',
      units: 'kw',
      timeseries: [],
    });
    expect(unknown.body).toEqual(
      refusal(409, "Resource ID 'solar-park' is not registered for this user. You must register it first."),
    );
  });

  let session: number;
  const weights = Array.from({ length: 20 }, () => 1.0);

  it('lets the admin set the market wallet, stage a session and its weights (the engine’s open_session)', async () => {
    const marketAddress = privateKeyToAccount(MARKET_KEY).address;
    expect((await dsbi('GET', '/api/market/wallet-address', { token: users.alice.token })).body).toEqual(
      refusal(409, 'Market wallet address not found. Register an address first.'),
    );
    expect(
      (
        await dsbi('POST', '/api/market/wallet-address', {
          token: users.alice.token,
          body: { wallet_address: marketAddress },
        })
      ).body,
    ).toEqual(refusal(403, 'You do not have permission to perform this action.'));
    const set = await dsbi('POST', '/api/market/wallet-address', {
      token: adminAccess,
      body: { wallet_address: marketAddress },
    });
    expect(set.body).toEqual(wrapped(200, { wallet_address: marketAddress, registered_at: '2026-12-01T12:00:00Z' }));
    expect(
      (
        await dsbi('POST', '/api/market/wallet-address', {
          token: adminAccess,
          body: { wallet_address: marketAddress },
        })
      ).body,
    ).toEqual(refusal(409, 'A market address was already registered. Use PUT method to update it.'));
    expect(
      (await dsbi('GET', '/api/market/wallet-address/', { token: users.alice.token })).body.data.wallet_address,
    ).toBe(marketAddress);

    // The engine: no session yet, so it creates the first one and its weights (integers may come as 500000.0).
    expect((await dsbi('GET', '/api/market/session', { token: adminAccess })).body).toEqual(wrapped(200, []));
    const halfUnit = await s.request('POST', '/dsbi/api/market/session', {
      token: adminAccess,
      raw: '{"session_number":1,"market_price":5500000.0,"b_min":500000.5,"b_max":10000000,"n_price_steps":20,"delta":0.05}',
      headers: { 'content-type': 'application/json' },
    });
    expect(halfUnit.body).toEqual(invalid({ b_min: ['A valid integer is required.'] }));
    const created = await s.request('POST', '/dsbi/api/market/session', {
      token: adminAccess,
      raw: '{"session_number":1,"market_price":5500000.0,"b_min":500000.0,"b_max":10000000,"n_price_steps":20,"delta":0.05}',
      headers: { 'content-type': 'application/json' },
    });
    expect([created.status, created.body]).toEqual([
      200,
      wrapped(200, {
        id: expect.any(Number),
        session_number: 1,
        session_date: '2026-12-01',
        staged_ts: '2026-12-01T12:00:00Z',
        open_ts: null,
        close_ts: null,
        launch_ts: null,
        finish_ts: null,
        status: 'staged',
        market_price: 5500000,
        b_min: 500000,
        b_max: 10000000,
        n_price_steps: 20,
        delta: 0.05,
      }),
    ]);
    session = created.body.data.id;
    const staged = created.body.data;
    const weighted = await dsbi('POST', '/api/market/price-weight', {
      token: adminAccess,
      body: { weights_p: weights, market_session: session },
    });
    expect(weighted.body).toEqual(wrapped(200, true));
    expect(
      (
        await dsbi('POST', '/api/market/price-weight', {
          token: adminAccess,
          body: { weights_p: [1, 'x'], market_session: 999 },
        })
      ).body,
    ).toEqual(invalid({ weights_p: { '1': ['A valid number is required.'] } }));
    expect(
      (
        await dsbi('POST', '/api/market/price-weight', {
          token: adminAccess,
          body: { weights_p: weights, market_session: 999 },
        })
      ).body,
    ).toEqual(invalid({ market_session: ['This market session does not exist yet.'] }));
    const read = await dsbi('GET', `/api/market/price-weight?market_session=${session}`, { token: adminAccess });
    expect(read.body.data).toHaveLength(20);
    expect(read.body.data[0]).toEqual({ id: expect.any(Number), weights_p: 1, market_session: session });
    expect(
      (
        await dsbi('POST', '/api/market/session', {
          token: adminAccess,
          body: {
            session_number: 2,
            market_price: 5500000,
            b_min: 500000,
            b_max: 10000000,
            n_price_steps: 20,
            delta: 0.05,
          },
        })
      ).body,
    ).toEqual(refusal(409, 'Unable to create new session. There are still unfinished sessions.'));

    // open_session: the latest staged session, no unsettled transfer out, then PATCH open with its time.
    const latest = await dsbi('GET', '/api/market/session?latest_only=True&status=staged', { token: adminAccess });
    expect(latest.body).toEqual(wrapped(200, [staged]));
    expect((await dsbi('GET', '/api/market/transfer-out?is_solid=False', { token: adminAccess })).body).toEqual(
      wrapped(200, []),
    );
    expect(
      (
        await dsbi('PATCH', `/api/market/session/${session}`, {
          token: adminAccess,
          body: { open_ts: '2026-12-01T11:00:00' },
        })
      ).body,
    ).toEqual(invalid({ status: ['This field is required'] }));
    const opened = await dsbi('PATCH', `/api/market/session/${session}`, {
      token: adminAccess,
      body: { status: 'open', open_ts: '2026-12-01T11:00:00.123456' },
    });
    expect(opened.body).toEqual(wrapped(200, { ...staged, status: 'open', open_ts: '2026-12-01T11:00:00.123000Z' }));
    expect((await dsbi('GET', '/api/market/session?status=Open', { token: adminAccess })).body).toEqual(
      wrapped(200, []),
    );
  });

  let bid: string;

  it('takes a bid in the open session and its payment (the client’s participation)', async () => {
    const open = await dsbi('GET', '/api/market/session?status=open&latest_only=true', { token: users.alice.token });
    expect(open.body.data.map((x: { id: number }) => x.id)).toEqual([session]);
    const wallet = await dsbi('GET', '/api/market/wallet-address', { token: users.alice.token });
    const offer = {
      market_session: session,
      resource: users.alice.resource,
      bid_price: 10_000_000,
      max_payment: 1_000_000_000,
      gain_func: 'rmse',
    };
    const place = (body: unknown, token = users.alice.token) => dsbi('POST', '/api/market/bid', { token, body });
    expect((await place({ ...offer, max_payment: 999_999 })).body).toEqual(
      invalid({ max_payment: ['Ensure this value is greater than or equal to 1000000.'] }),
    );
    expect((await place({ ...offer, market_session: session + 1 })).body).toEqual(
      refusal(409, `Market session ${session + 1} does not exist.`),
    );
    expect((await place(offer, users.a.token)).body).toEqual(
      refusal(409, `Resource ID ${users.alice.resource} is not registered to user '${users.a.email}'.`),
    );
    expect((await place({ ...offer, resource: users.a.resource }, users.a.token)).body).toEqual(
      refusal(409, "It is only possible to place bids for resources with 'to_forecast' field equal to True."),
    );
    const placed = await place(offer);
    expect([placed.status, placed.body]).toEqual([
      200,
      wrapped(200, {
        id: expect.stringMatching(UUID),
        user: users.alice.uuid,
        market_session: session,
        resource: users.alice.resource,
        bid_price: 10_000_000,
        gain_func: 'rmse',
        max_payment: 1_000_000_000,
        market_wallet_address: wallet.body.data.wallet_address,
      }),
    ]);
    bid = placed.body.data.id;
    expect((await place(offer)).body).toEqual(
      refusal(
        409,
        `The user already has a placed bid for session ID ${session} and resource ID ${users.alice.resource}.`,
      ),
    );

    // Without a chain the bid is drawn on the balance an admin credited (native route), so the
    // PATCH confirms it and keeps no reference; validating a reference finds no payment.
    const pay = () =>
      dsbi('PATCH', `/api/market/bid/${bid}`, { token: users.alice.token, body: { tangle_msg_id: '0xabc123' } });
    expect((await pay()).body).toEqual(refusal(409, expect.stringContaining('does not cover max_payment')));
    await s.request('POST', `/api/market/balances/${users.alice.tallyId}/credit`, {
      token: admin.token,
      body: { amount: '2000000000' },
    });
    expect((await pay()).body).toEqual(wrapped(200, { bid_id: bid, tangle_msg_id: null }));
    expect(
      (await dsbi('PATCH', `/api/market/bid/${bid}`, { token: users.a.token, body: { tangle_msg_id: '0x1' } })).body,
    ).toEqual(invalid('That market bid ID does not exist.'));
    expect(
      (
        await dsbi('POST', '/api/market/validate/bid-payment', {
          token: adminAccess,
          body: { tangle_msg_id: '0xabc123' },
        })
      ).body,
    ).toEqual(refusal(409, 'No bid payments were found for tangle_msg_id 0xabc123.'));

    const listed = await dsbi('GET', `/api/market/bid?market_session=${session}`, { token: users.alice.token });
    expect(listed.body).toEqual(
      wrapped(200, [
        {
          id: bid,
          tangle_msg_id: null,
          max_payment: 1_000_000_000,
          bid_price: 10_000_000,
          gain_func: 'rmse',
          confirmed: true,
          registered_at: '2026-12-01T12:00:00Z',
          has_forecasts: false,
          user: users.alice.uuid,
          resource: users.alice.resource,
          market_session: session,
        },
      ]),
    );
    expect(
      (await dsbi('GET', `/api/market/bid?market_session=${session}&confirmed=False`, { token: adminAccess })).body,
    ).toEqual(wrapped(200, []));
    expect((await dsbi('GET', `/api/market/bid?confirmed=True`, { token: users.a.token })).body).toEqual(
      wrapped(200, []),
    );
  });

  it('closes and runs the session with Tally’s engine, then answers forecasts, balances and transactions', async () => {
    const patch = (body: unknown) => dsbi('PATCH', `/api/market/session/${session}`, { token: adminAccess, body });
    expect(
      (await patch({ status: 'closed', close_ts: '2026-12-01T11:59:00', open_ts: '2026-12-01T11:00:00' })).body,
    ).toEqual(invalid({ open_ts: ["Tally sets this field itself; a PATCH to 'closed' takes only close_ts."] }));
    expect((await patch({ status: 'closed', close_ts: '2026-12-01T11:59:00' })).body.data).toMatchObject({
      status: 'closed',
      close_ts: '2026-12-01T11:59:00Z',
    });
    expect((await patch({ status: 'open' })).body).toEqual(
      refusal(409, `session ${session} is closed; it moves to running next`),
    );
    const running = await patch({ status: 'running', launch_ts: '2026-12-01T12:00:00.000000' });
    expect(running.body.data).toMatchObject({ status: 'running', launch_ts: '2026-12-01T12:00:00Z' });

    expect(await marketRound(market, s.clock.now())).toEqual({ count: 1, failed: [] });

    const [finished] = (
      await dsbi('GET', `/api/market/session?market_session=${session}`, { token: users.alice.token })
    ).body.data;
    expect(finished).toMatchObject({ status: 'finished', finish_ts: '2026-12-01T12:00:00Z' });
    // The engine's PATCH to finished, after the run, changes nothing.
    expect((await patch({ status: 'finished', finish_ts: '2026-12-01T12:30:00' })).body).toEqual(
      wrapped(200, finished),
    );
    const next = await dsbi('GET', '/api/market/session?latest_only=true&status=staged', { token: adminAccess });
    expect(next.body.data.map((x: { id: number }) => x.id)).toEqual([session + 1]);
    const nextWeights = await dsbi('GET', `/api/market/price-weight?market_session=${session + 1}`, {
      token: adminAccess,
    });
    expect(nextWeights.body.data).toHaveLength(20);

    // The next 24 hours, in the kW the buyer's data came in, q50 as value.
    const forecasts = await dsbi(
      'GET',
      `/api/data/market-forecasts?market_session=${session}&resource=${users.alice.resource}`,
      {
        token: users.alice.token,
      },
    );
    const rows = forecasts.body.data;
    expect(rows.map((f: { datetime: string }) => f.datetime)).toEqual(
      Array.from({ length: 24 }, (_, h) =>
        new Date(TEST_START.getTime() + h * HOUR_MS).toISOString().replace('.000', ''),
      ),
    );
    const native = (await s.request('GET', `/api/market/forecasts?session_id=${session}`, { token: users.alice.token }))
      .body.items;
    expect(rows[0]).toEqual({
      market_session: session,
      datetime: '2026-12-01T12:00:00Z',
      request: '2026-12-01T12:00:00Z',
      value: native[0].q50 / 1000,
      units: 'kw',
      resource: users.alice.resource,
      registered_at: '2026-12-01T12:00:00Z',
      resource_name: 'wind-farm-1',
      q10: native[0].q10 / 1000,
      q90: native[0].q90 / 1000,
    });
    expect(
      (await dsbi('GET', `/api/data/market-forecasts?market_session=${session}`, { token: users.a.token })).body,
    ).toEqual(wrapped(200, []));
    expect((await dsbi('GET', '/api/data/market-forecasts?market_session=one', { token: users.a.token })).body).toEqual(
      invalid(["Query param 'market_session' must be an integer."]),
    );

    // Money: the buyer paid, the informative seller earned; to the base unit.
    const report = (await s.request('GET', `/api/market/sessions/${session}/report`, { token: admin.token })).body;
    const payment = Number(report.bids[0].payment);
    const revenue = (who: 'a' | 'b') =>
      Number(
        report.bids[0].sellers.find((x: { resource_id: string }) => x.resource_id === users[who].resource)?.revenue ??
          0,
      );
    expect(payment).toBeGreaterThan(0);
    expect(payment).toBe(Number(report.fee) + revenue('a') + revenue('b'));
    const balance = await dsbi('GET', '/api/market/balance', { token: users.alice.token });
    expect(balance.body).toEqual(
      wrapped(200, [
        {
          user: users.alice.uuid,
          balance: 2_000_000_000 - payment,
          total_deposit: 2_000_000_000,
          total_withdraw: 0,
          total_payment: -payment,
          total_revenue: 0,
          updated_at: '2026-12-01T12:00:00Z',
        },
      ]),
    );
    const rich = await dsbi('GET', `/api/market/balance?balance__gte=${revenue('a')}&balance__lte=1`, {
      token: adminAccess,
    });
    expect(rich.body.data.map((x: { user: string }) => x.user).sort()).toEqual([users.alice.uuid, users.a.uuid].sort());
    expect((await dsbi('GET', '/api/market/balance?balance__gte=lots', { token: adminAccess })).body).toEqual(
      invalid(["Query param 'balance__gte' must be an integer or float."]),
    );

    const transactions = await dsbi('GET', `/api/market/session-transactions?market_session=${session}`, {
      token: users.alice.token,
    });
    expect(transactions.body).toEqual(
      wrapped(200, [
        {
          market_session: session,
          user: users.alice.uuid,
          resource: users.alice.resource,
          amount: -payment,
          transaction_type: 'payment',
          registered_at: '2026-12-01T12:00:00Z',
          resource_name: 'wind-farm-1',
        },
      ]),
    );
    const sellers = await dsbi(
      'GET',
      `/api/market/session-transactions?market_session=${session}&user=${users.a.uuid}`,
      {
        token: adminAccess,
      },
    );
    expect(sellers.body.data).toEqual([
      {
        market_session: session,
        user: users.a.uuid,
        resource: users.a.resource,
        amount: revenue('a'),
        transaction_type: 'revenue',
        registered_at: '2026-12-01T12:00:00Z',
        resource_name: 'a-plant',
      },
    ]);
    const sessionBalance = await dsbi('GET', `/api/market/session-balance?market_session=${session}`, {
      token: users.alice.token,
    });
    expect(sessionBalance.body).toEqual(
      wrapped(200, [
        {
          market_session: session,
          user: users.alice.uuid,
          resource: users.alice.resource,
          session_deposit: 0,
          session_balance: -payment,
          session_payment: -payment,
          session_revenue: 0,
          registered_at: '2026-12-01T12:00:00Z',
        },
      ]),
    );
    const perUser = await dsbi(
      'GET',
      `/api/market/session-balance?market_session=${session}&balance_by_resource=false&user=${users.a.uuid}`,
      {
        token: adminAccess,
      },
    );
    expect(perUser.body.data).toEqual([
      {
        market_session: session,
        user: users.a.uuid,
        session_deposit: 0,
        session_balance: revenue('a'),
        session_payment: 0,
        session_revenue: revenue('a'),
        registered_at: '2026-12-01T12:00:00Z',
      },
    ]);
    expect(
      (await dsbi('GET', `/api/market/session-fee?market_session=${session}`, { token: adminAccess })).body,
    ).toEqual(wrapped(200, [{ market_session: session, amount: Number(report.fee) }]));
  });

  it('refuses the engine-only writes that would book money past Tally’s own engine', async () => {
    const engine = 'Tally runs the market engine itself.';
    const body = {
      amount: -5.0,
      user: users.alice.uuid,
      resource: users.alice.resource,
      transaction_type: 'payment',
      market_session: session,
    };
    for (const [path, sent] of [
      ['/api/market/session-balance', body],
      ['/api/market/session-fee', { market_session: session, amount: 12345.5 }],
      [
        '/api/market/transfer-out',
        { user: users.alice.uuid, amount: 853090, tangle_msg_id: '0xtx1', user_wallet_address: 'rms1' },
      ],
      ['/api/data/market-forecasts', {}],
    ] as const) {
      const r = await dsbi('POST', path, { token: adminAccess, body: sent });
      expect(r.status).toBe(409);
      expect(r.body).toEqual(refusal(409, expect.stringContaining(engine)));
      expect((await dsbi('POST', path, { token: users.alice.token, body: sent })).status).toBe(403);
    }
    // Transfer-out PUT only asks about a payout Tally made (none without a chain).
    expect(
      (await dsbi('PUT', '/api/market/transfer-out', { token: adminAccess, body: { is_solid: true } })).body,
    ).toEqual(invalid({ withdraw_transfer_id: ['This field is required'] }));
    expect(
      (
        await dsbi('PUT', '/api/market/transfer-out', {
          token: adminAccess,
          body: { withdraw_transfer_id: 1, is_solid: true },
        })
      ).body,
    ).toEqual(invalid({ withdraw_transfer_id: ['Invalid pk "1" - object does not exist.'] }));
  });

  it('follows Tally’s rules where DSBI has none', async () => {
    const terms = {
      session_number: 7,
      market_price: 5500000,
      b_min: 500000,
      b_max: 10000000,
      n_price_steps: 20,
      delta: 0.05,
    };
    expect(
      (await dsbi('POST', '/api/market/session', { token: adminAccess, body: { ...terms, status: 'open' } })).body,
    ).toEqual(invalid({ status: ['Tally stages a new session; move it on with PATCH.'] }));
    expect(
      (await dsbi('POST', '/api/market/session', { token: adminAccess, body: { ...terms, market_price: 5500000.5 } }))
        .body,
    ).toEqual(invalid({ market_price: ['Tally prices are whole base units of the market token, at least 1.'] }));
    // The next session was staged by the run (number 2 of the day, whatever number is sent).
    const [next] = (await dsbi('GET', '/api/market/session?status=staged', { token: adminAccess })).body.data;
    expect(next).toMatchObject({ id: session + 1, session_number: 2 });
    expect(
      (
        await dsbi('POST', '/api/market/price-weight', {
          token: adminAccess,
          body: { weights_p: [1, 2], market_session: next.id },
        })
      ).body,
    ).toEqual(invalid({ weights_p: [`session ${next.id} has 20 grid prices, so it takes 20 weights, not 2`] }));
    expect(
      (
        await dsbi('POST', '/api/market/price-weight', {
          token: adminAccess,
          body: { weights_p: weights, market_session: session },
        })
      ).body,
    ).toEqual(refusal(409, `session ${session} is finished; only a staged session takes new weights`));
    expect(
      (
        await dsbi('POST', '/api/market/bid', {
          token: users.alice.token,
          body: {
            market_session: next.id,
            resource: users.alice.resource,
            bid_price: 0,
            max_payment: 1_000_000,
            gain_func: 'mse',
          },
        })
      ).body,
    ).toEqual(invalid({ bid_price: ['Ensure this value is greater than 0.'] }));

    // Values start on their interval's grid; a name of two resources is refused, not a 500.
    const upload = (timeseries: unknown) =>
      dsbi('POST', '/api/data/raw-data', {
        token: users.alice.token,
        body: { resource_name: 'wind-farm-1', time_interval: 60, aggregation_type: 'avg', units: 'kw', timeseries },
      });
    expect(
      (
        await upload([
          { datetime: '2026-11-01T00:00:00Z', value: 1 },
          { datetime: '2026-11-01T00:30:00Z', value: 1 },
        ])
      ).body,
    ).toEqual(
      invalid({ timeseries: [{}, { datetime: ['2026-11-01T00:30:00.000Z does not start a 60-minute interval'] }] }),
    );
    const twin = await dsbi('POST', '/api/user/resource', {
      token: users.alice.token,
      body: { name: 'wind-farm-1', type: 'forecasts', to_forecast: false },
    });
    expect((await upload([])).body).toEqual(
      refusal(
        409,
        "Resource name 'wind-farm-1' names both your measurements and your forecasts resource; rename one of them to upload its data.",
      ),
    );
    await dsbi('DELETE', `/api/user/resource/${twin.body.data.id}`, { token: users.alice.token });

    // Emails log in in any case; only JSON bodies are read; only DSBI's own paths are routed.
    expect(
      (await dsbi('POST', '/api/token', { body: { email: users.a.email.toUpperCase(), password: PASSWORD } })).status,
    ).toBe(200);
    const form = await dsbi('POST', '/api/user/resource', {
      token: users.alice.token,
      raw: 'name=x&type=measurements&to_forecast=true',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([form.status, form.body]).toEqual([
      415,
      refusal(415, 'Unsupported media type "application/x-www-form-urlencoded" in request.'),
    ]);
    expect((await dsbi('GET', '/api/market/xsession', { token: users.alice.token })).status).toBe(404);
  });

  it('answers DSBI’s error shapes, path rules and status codes', async () => {
    const noToken = await dsbi('GET', '/api/market/session');
    expect([noToken.status, noToken.body, noToken.headers.get('www-authenticate')]).toEqual([
      401,
      refusal(401, 'Authentication credentials were not provided.'),
      'Bearer realm="api"',
    ]);
    // A bad token is refused even on a public route; the token routes ignore it.
    const stale = await dsbi('POST', '/api/user/register', { token: 'expired.token.here', body: {} });
    expect([stale.status, stale.body]).toEqual([401, refusal(401, 'Given token not valid for any token type')]);
    expect(
      (
        await dsbi('POST', '/api/token', {
          token: 'expired.token.here',
          body: { email: users.a.email, password: PASSWORD },
        })
      ).status,
    ).toBe(200);
    expect((await dsbi('POST', '/api/market/session', { token: users.alice.token, body: {} })).body).toEqual(
      refusal(403, 'You do not have permission to perform this action.'),
    );
    const wrongMethod = await dsbi('DELETE', '/api/market/session', { token: users.alice.token });
    expect([wrongMethod.status, wrongMethod.body, wrongMethod.headers.get('allow')]).toEqual([
      405,
      refusal(405, 'Method "DELETE" not allowed.'),
      'GET, POST, HEAD',
    ]);
    expect((await dsbi('GET', '/api/token/login')).body).toEqual({ detail: 'Method "GET" not allowed.' });
    for (const path of [
      '/api/nowhere',
      `/api/market/session/${session}/`,
      `/api/market/bid/${bid}/`,
      '/api/market/session/x',
    ]) {
      const r = await dsbi('PATCH', path, { token: adminAccess, body: { status: 'open' } });
      expect([r.status, r.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
      expect(r.body).toContain('<h1>Not Found</h1>');
    }
    // List routes take a trailing slash or none; notifications want one.
    expect((await dsbi('GET', '/api/market/session/', { token: users.alice.token })).status).toBe(200);
    const redirect = await raw('GET', '/api/user/notification?x=1', {
      headers: { authorization: `Bearer ${users.alice.token}` },
    });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/dsbi/api/user/notification/?x=1']);
    const html = await dsbi('GET', '/api/market/session', {
      token: users.alice.token,
      headers: { accept: 'text/html' },
    });
    expect([html.status, html.body]).toEqual([406, refusal(406, 'Could not satisfy the request Accept header.')]);
    expect((await dsbi('POST', '/api/user/resource', { token: users.alice.token, body: ['a list'] })).body).toEqual(
      invalid({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }),
    );
    expect((await dsbi('GET', '/api/market/session?latest_only=yes', { token: users.alice.token })).body).toEqual(
      invalid(["Query param 'latest_only' must be a boolean (true/false)"]),
    );
    expect(
      (await dsbi('PATCH', '/api/market/session/9999', { token: adminAccess, body: { status: 'open' } })).body,
    ).toEqual(invalid('That market session ID does not exist.'));
    const test = await dsbi('GET', '/api/test/');
    expect(test.body).toEqual({ message: 'Welcome to Predico!' });
  });

  it('lists users for the staff without password hashes, and keeps notification switches', async () => {
    expect((await dsbi('GET', '/api/user/list', { token: users.alice.token })).status).toBe(403);
    const listed = await dsbi('GET', '/api/user/list', { token: adminAccess });
    const alice = listed.body.data.find((u: { email: string }) => u.email === users.alice.email);
    expect(alice).toEqual({
      id: users.alice.uuid,
      last_login: null,
      is_superuser: false,
      first_name: 'alice',
      last_name: 'Tester',
      is_staff: false,
      is_active: true,
      date_joined: expect.stringMatching(DSBI_TIME),
      email: users.alice.email,
      is_verified: true,
      groups: [],
      user_permissions: [],
    });
    for (const u of listed.body.data) expect(u).not.toHaveProperty('password');

    const mine = await dsbi('GET', '/api/user/notification/', { token: users.b.token });
    expect(Object.keys(mine.body.data)).toEqual(['bid', 'session', 'market', 'forecast', 'data']);
    expect(Object.values(mine.body.data).flat()).toHaveLength(9);
    const [first] = mine.body.data.bid;
    expect(first).toEqual({
      id: expect.any(Number),
      user: users.b.uuid,
      notification_title: 'New bid',
      notification_description: 'Bid has been received',
      state: true,
    });
    const off = await dsbi('PATCH', `/api/user/notification/${first.id}/`, {
      token: users.b.token,
      body: { state: false },
    });
    expect(off.body).toEqual(wrapped(200, { state: false }));
    expect(
      (await dsbi('PUT', `/api/user/notification/${first.id}/`, { token: users.a.token, body: { state: true } })).body,
    ).toEqual({ code: 404, data: { message: 'UserNotification matching query not found' }, status: 'error' });
    expect((await dsbi('PUT', `/api/user/notification/${first.id}/`, { token: users.b.token, body: {} })).body).toEqual(
      invalid({ state: ['This field is required.'] }),
    );

    expect(
      (await dsbi('POST', '/api/user/notification_type/', { token: adminAccess, body: { name: 'bids' } })).body,
    ).toEqual(invalid({ name: ['Similar notification event already exists'] }));
    const kind = await dsbi('POST', '/api/user/notification_type/', { token: adminAccess, body: { name: 'weather' } });
    expect([kind.status, kind.body]).toEqual([201, wrapped(201, { id: expect.any(Number), name: 'weather' })]);
    const withKind = await dsbi('GET', '/api/user/notification/', { token: users.b.token });
    expect(withKind.body.data.weather).toEqual([
      { id: expect.any(Number), user: users.b.uuid, notification_title: '', notification_description: '', state: true },
    ]);
    const renamed = await dsbi('PATCH', `/api/user/notification_type/${kind.body.data.id}/`, {
      token: adminAccess,
      body: { name: 'weather-alerts' },
    });
    expect(renamed.body).toEqual(wrapped(200, { id: kind.body.data.id, name: 'weather-alerts' }));
    const gone = await dsbi('DELETE', `/api/user/notification_type/${kind.body.data.id}/`, { token: adminAccess });
    expect([gone.status, gone.body]).toEqual([204, undefined]);
    expect(
      (await dsbi('DELETE', `/api/user/notification_type/${kind.body.data.id}/`, { token: adminAccess })).body,
    ).toEqual(invalid({ message: 'UserNotificationType matching query does not exist' }));
    expect(
      (await dsbi('GET', '/api/user/notification_type/', { token: adminAccess })).body.data.map(
        (t: { name: string }) => t.name,
      ),
    ).toEqual(['bid', 'session', 'market', 'forecast', 'data']);
  });

  it('answers the password-reset trio without ever handing out a reset link', async () => {
    const asked = await dsbi('POST', '/api/user/request-reset-email/', { body: { email: users.a.email } });
    expect([asked.status, asked.body]).toEqual([
      200,
      { success: 'If your email exists on the system an email has been sent to you' },
    ]);
    const check = await dsbi('GET', '/api/user/password-reset-confirm/MQ/some-token/');
    expect([check.status, check.body]).toEqual([400, { error: 'Token is not valid' }]);
    const complete = await dsbi('PATCH', '/api/user/password-reset-complete/', {
      body: { password: 'new-password', uidb64: 'MQ', token: 'some-token' },
    });
    expect([complete.status, complete.body]).toEqual([400, { token: ['Invalid token'] }]);
    const generated = await dsbi('POST', '/api/user/verify/generate-link', {
      body: { email: users.a.email, password: PASSWORD },
    });
    expect(generated.body).toEqual(invalid({ response: 'User is already verified' }));
  });

  it('keeps the face out of the native OpenAPI document', async () => {
    const doc = (await s.request('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/dsbi'))).toEqual([]);
  });

  it('answers a newcomer their own empty balance', async () => {
    const bob = await register('bob');
    expect((await dsbi('GET', '/api/market/balance', { token: bob.token })).body.data).toEqual([
      expect.objectContaining({ balance: 0, total_payment: 0 }),
    ]);
  });
});
