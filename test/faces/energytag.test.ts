// The EnergyTag face, driven as a client written against the EnergyTag GC API draft would drive
// it: an OAuth2 token, users, accounts and devices, certificates created, queried (GET with a JSON
// body, and the same filter as query parameters), transferred, reserved under both spellings,
// cancelled, claimed and withdrawn, then refusals. Every answer, success or refusal, is checked
// against the draft's own schemas (Ajv), with the deviations docs/energytag-conformance.md lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from '../../src/faces/energytag/index.ts';
import { draftValidator, getWithBody, loadDraft } from '../helpers/energytag.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { hour, SOLAR } from '../helpers/world.ts';

const draft = loadDraft();
const validator = draftValidator(draft);
const PREFIX = '/energytag/v2';
const PASSWORD = 'correct horse battery';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the EnergyTag face', () => {
  let s: TestServer;
  let admin: { id: number; email: string; token: string };
  let issuer: { id: number; email: string; token: string };
  const tokens: Record<string, string> = {};
  const seen = new Set<string>();

  beforeAll(async () => {
    s = await startServer();
    admin = await s.user('admin');
    issuer = await s.user('issuer');
  });
  afterAll(async () => s?.close());

  /**
   * Calls `method path` (the draft's path template, filled by `params`) and checks the answer's
   * status and its body against the draft's schema for that status.
   */
  async function call(
    method: string,
    template: string,
    opts: { token?: string; body?: unknown; params?: Record<string, string>; query?: string; status: number },
  ) {
    let path = template;
    for (const [k, v] of Object.entries(opts.params ?? {})) path = path.replace(`{${k}}`, v);
    const url = `${PREFIX}${path}${opts.query ? `?${opts.query}` : ''}`;
    const r =
      method === 'GET' && opts.body !== undefined
        ? await getWithBody(s.url, url, opts.body, opts.token)
        : await s.request(method, url, {
            ...(opts.token ? { token: opts.token } : {}),
            ...(opts.body !== undefined ? { body: opts.body } : {}),
          });
    expect(r.status, JSON.stringify(r.body)).toBe(opts.status);
    expect(validator.check(method, template, r.status, r.body)).toEqual([]);
    seen.add(`${method} ${template}`);
    return r.body;
  }

  async function token(username: string, password: string, status = 200) {
    const r = await s.request('POST', `${PREFIX}/token`, {
      raw: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(status);
    if (status !== 200) {
      expect(validator.check('POST', '/token', r.status, r.body)).toEqual([]);
      return '';
    }
    expect(r.body).toEqual({ access_token: expect.any(String), token_type: 'bearer' });
    return r.body.access_token as string;
  }

  let producer: any;
  let trader: any;
  let solarCo: any;
  let buyer: any;
  let device: any;
  const issued: any[] = [];

  it('logs in with the OAuth2 password flow; the token is Tally’s own', async () => {
    tokens.admin = await token(admin.email, PASSWORD);
    const me = await s.request('GET', '/api/user/me', { token: tokens.admin });
    expect(me.body.id).toBe(admin.id);
    await token(admin.email, 'wrong password', 401);
    tokens.issuer = await token(issuer.email, PASSWORD);
  });

  it('creates, reads and changes users', async () => {
    producer = await call('POST', '/users/user', {
      token: tokens.admin,
      body: {
        name: 'Solar Co',
        email: 'producer@example.com',
        role: ['Production Registrar'],
        password: PASSWORD,
      },
      status: 200,
    });
    expect(producer).toEqual({
      id: expect.stringMatching(UUID),
      name: 'Solar Co',
      email: 'producer@example.com',
      role: ['Production Registrar'],
    });
    trader = await call('POST', '/users/user', {
      token: tokens.admin,
      body: { name: 'Buyer', email: 'buyer@example.com', role: ['Production Registrar'], password: PASSWORD },
      status: 200,
    });
    tokens.producer = await token('producer@example.com', PASSWORD);
    tokens.trader = await token('buyer@example.com', PASSWORD);
    // The admin makes the buyer an account holder; Tally keeps names and emails as they are.
    trader = await call('PATCH', '/users/user/{id}', {
      token: tokens.admin,
      params: { id: trader.id },
      body: { id: trader.id, role: ['Account Holder'] },
      status: 200,
    });
    expect(trader.role).toEqual(['Account Holder']);
    await call('PATCH', '/users/user/{id}', {
      token: tokens.admin,
      params: { id: trader.id },
      body: { role: ['Account Holder'], name: 'Someone else' },
      status: 422,
    });
    expect(
      await call('GET', '/users/user/{id}', { token: tokens.trader, params: { id: trader.id }, status: 200 }),
    ).toEqual(trader);
    // Another user is not the buyer's to read, and not found is a refusal like any other.
    await call('GET', '/users/user/{id}', { token: tokens.trader, params: { id: producer.id }, status: 422 });
    expect(
      await call('GET', '/users/user/{id}', { token: tokens.admin, params: { id: producer.id }, status: 200 }),
    ).toEqual(producer);
  });

  it('creates, reads and changes accounts; PATCH sets the whitelist', async () => {
    solarCo = await call('POST', '/accounts/account', {
      token: tokens.producer,
      body: { account_name: 'Solar Co' },
      status: 200,
    });
    expect(solarCo).toEqual({
      id: expect.stringMatching(UUID),
      account_name: 'Solar Co',
      users: [producer],
      whitelist: [],
      closed: false,
    });
    buyer = await call('POST', '/accounts/account', {
      token: tokens.trader,
      body: { account_name: 'Buyer' },
      status: 200,
    });
    buyer = await call('PATCH', '/accounts/account/{id}', {
      token: tokens.trader,
      params: { id: buyer.id },
      body: { id: buyer.id, account_name: 'Buyer Ltd', whitelist_add: [solarCo.id] },
      status: 200,
    });
    expect(buyer).toMatchObject({ account_name: 'Buyer Ltd', whitelist: [solarCo.id], users: [trader] });
    expect(
      await call('GET', '/accounts/account/{id}', { token: tokens.trader, params: { id: buyer.id }, status: 200 }),
    ).toEqual(buyer);
    // The buyer cannot read the producer's account.
    await call('GET', '/accounts/account/{id}', { token: tokens.trader, params: { id: solarCo.id }, status: 422 });
  });

  it('registers, reads and changes a device', async () => {
    device = await call('POST', '/devices/device', {
      token: tokens.producer,
      body: {
        id: solarCo.id,
        device_name: 'Solar park',
        capacity: 5_000_000,
        energy_source: 'Solar',
        grid: 'DK1',
        operational_date: '2021-04-01',
        technology_type: 'Solar',
        peak_demand: 0,
        ...SOLAR,
        country: 'DK',
        time_zone: 'Europe/Copenhagen',
        device_location: [56.15, 10.2],
        issuance_metadata: { issuing_body: 'Energinet', issuance_purpose: 'disclosure' },
      },
      status: 200,
    });
    expect(device).toMatchObject({
      id: expect.stringMatching(UUID),
      account_id: solarCo.id,
      capacity: 5_000_000,
      energy_source: 'solar_pv',
      technology_type: 'Solar',
      operational_date: '2021-04-01',
      device_location: [56.15, 10.2],
    });
    device = await call('PATCH', '/devices/device/{id}', {
      token: tokens.producer,
      params: { id: device.id },
      body: { id: device.id, device_name: 'Solar park 1' },
      status: 200,
    });
    expect(device.device_name).toBe('Solar park 1');
    await call('PATCH', '/devices/device/{id}', {
      token: tokens.producer,
      params: { id: device.id },
      body: { grid: 'DK2' },
      status: 422,
    });
    expect(
      await call('GET', '/devices/device/{id}', { token: tokens.producer, params: { id: device.id }, status: 200 }),
    ).toEqual(device);
  });

  it('creates certificate bundles: one per hour, ids contiguous per device', async () => {
    const wh = [1_000_000, 500_000, 800_000];
    let next = 1;
    for (const [k, q] of wh.entries()) {
      const b = await call('POST', '/certificates/certificates/create', {
        token: tokens.issuer,
        body: {
          id: device.id,
          account_id: solarCo.id,
          ...hour(k),
          bundle_quantity: q,
          certificate_bundle_id_range_start: next,
          certificate_bundle_id_range_end: next + q - 1,
          certificate_bundle_status: 'Active',
          face_value: 1,
          energy_carrier: 'Electricity',
          issuance_post_energy_carrier_conversion: false,
        },
        status: 201,
      });
      expect(b).toMatchObject({
        id: device.id,
        device_id: device.id,
        account_id: solarCo.id,
        issuance_id: expect.stringMatching(UUID),
        certificate_bundle_id_range_start: next,
        certificate_bundle_id_range_end: next + q - 1,
        bundle_quantity: q,
        certificate_bundle_status: 'Active',
        energy_source: 'solar_pv',
        face_value: 1,
        energy_carrier: 'Electricity',
        issuing_body: 'Energinet',
        country_of_issuance: 'DK',
        device_capacity: 5_000_000,
        ...hour(k),
      });
      issued.push(b);
      next += q;
    }
    // An hour is issued once, ever.
    const before = await s.eventCount();
    await call('POST', '/certificates/certificates/create', {
      token: tokens.issuer,
      body: { id: device.id, ...hour(0), bundle_quantity: 1 },
      status: 422,
    });
    expect(await s.eventCount()).toBe(before);
  });

  it('queries with a JSON body on GET, and with the same filter as query parameters', async () => {
    const byBody = await call('GET', '/certificates/certificates/query', {
      token: tokens.producer,
      body: { source_id: solarCo.id, certificate_bundle_status: 'Active' },
      status: 202,
    });
    expect(byBody.action_response_status).toBe('accepted');
    expect(byBody.filtered_certificate_bundles).toEqual(issued);
    const byQuery = await call('GET', '/certificates/certificates/query', {
      token: tokens.producer,
      query: `source_id=${solarCo.id}&certificate_bundle_status=Active&energy_source=solar_pv`,
      status: 202,
    });
    expect(byQuery.filtered_certificate_bundles).toEqual(issued);
    const one = await call('GET', '/certificates/certificates/query', {
      token: tokens.producer,
      body: { source_id: solarCo.id, source_certificate_issuance_id: issued[1].issuance_id },
      status: 202,
    });
    expect(one.filtered_certificate_bundles).toEqual([issued[1]]);
    // A sparse filter list (device → a time in the hour) overrides the other criteria.
    const sparse = await call('GET', '/certificates/certificates/query', {
      token: tokens.producer,
      body: {
        source_id: solarCo.id,
        certificate_bundle_status: 'Withdrawn',
        sparse_filter_list: { [device.id]: '2025-06-01T01:30:00Z' },
      },
      status: 202,
    });
    expect(sparse.filtered_certificate_bundles).toEqual([issued[1]]);
  });

  const wh = (bundles: any[]) => bundles.reduce((n: number, b: any) => n + b.bundle_quantity, 0);
  const query = async (who: string, body: Record<string, unknown>) =>
    (await call('GET', '/certificates/certificates/query', { token: tokens[who], body, status: 202 }))
      .filtered_certificate_bundles as any[];

  it('transfers, reserves (both spellings), cancels, claims and withdraws', async () => {
    const transfer = await call('POST', '/certificates/certificates/transfer', {
      token: tokens.producer,
      body: {
        source_id: solarCo.id,
        user_id: producer.id,
        target_id: buyer.id,
        source_certificate_issuance_id: issued[0].issuance_id,
        certificate_quantity: 600_000,
      },
      status: 202,
    });
    expect(transfer).toMatchObject({
      action_response_status: 'accepted',
      certificate_quantity: 600_000,
      source_id: solarCo.id,
    });
    expect(transfer.action_id).toMatch(UUID);
    const bought = await query('trader', { source_id: buyer.id });
    expect(bought.map((b) => [b.certificate_bundle_id_range_start, b.certificate_bundle_id_range_end])).toEqual([
      [1, 600_000],
    ]);

    // The draft's misspelt path: a range of ids within an issuance.
    const reserved = await call('POST', '/certificates/certificates/reseve', {
      token: tokens.trader,
      body: {
        source_id: buyer.id,
        source_certificate_issuance_id: issued[0].issuance_id,
        source_certificate_certificate_bundle_id_range_start: 1,
        source_certificate_certificate_bundle_id_range_end: 100_000,
      },
      status: 202,
    });
    expect(reserved.certificate_quantity).toBe(100_000);
    // The correct spelling, on the producer's second hour.
    const reserved2 = await call('POST', '/certificates/certificates/reserve', {
      token: tokens.producer,
      body: { source_id: solarCo.id, source_certificate_issuance_id: issued[1].issuance_id },
      status: 202,
    });
    expect(reserved2.certificate_quantity).toBe(500_000);
    expect(wh(await query('producer', { source_id: solarCo.id, certificate_bundle_status: 'Reserved' }))).toBe(500_000);

    // Cancel what is active in the buyer's account; the account holder is the beneficiary.
    const cancel = await call('POST', '/certificates/certificates/cancel', {
      token: tokens.trader,
      body: { source_id: buyer.id, certificate_bundle_status: 'Active' },
      status: 202,
    });
    expect(cancel.certificate_quantity).toBe(500_000);
    const cancelled = await query('trader', { source_id: buyer.id, certificate_bundle_status: 'Cancelled' });
    expect(
      cancelled.map((b) => [b.certificate_bundle_id_range_start, b.certificate_bundle_id_range_end, b.beneficiary]),
    ).toEqual([[100_001, 600_000, 'Buyer Ltd']]);

    const claim = await call('POST', '/certificates/certificates/claim', {
      token: tokens.trader,
      body: { source_id: buyer.id, certificate_bundle_status: 'Cancelled', certificate_quantity: 200_000 },
      status: 202,
    });
    expect(claim.certificate_quantity).toBe(200_000);
    expect(wh(await query('trader', { source_id: buyer.id, certificate_bundle_status: 'Claimed' }))).toBe(200_000);

    const withdraw = await call('POST', '/certificates/certificates/withdraw', {
      token: tokens.issuer,
      body: { source_id: solarCo.id, source_certificate_issuance_id: issued[2].issuance_id },
      status: 202,
    });
    expect(withdraw.certificate_quantity).toBe(800_000);
    expect(wh(await query('producer', { source_id: solarCo.id, certificate_bundle_status: 'Withdrawn' }))).toBe(
      800_000,
    );
    // What the buyer holds adds up: 100,000 reserved, 300,000 cancelled, 200,000 claimed.
    const all = await query('trader', { source_id: buyer.id });
    expect(wh(all)).toBe(600_000);
  });

  it('refuses with the draft’s HTTPValidationError and changes nothing', async () => {
    const before = await s.eventCount();
    const refusals: Array<[string, string, Record<string, unknown>, string?]> = [
      // not whitelisted by the target: the producer's account does not accept the buyer's transfers
      ['POST', '/certificates/certificates/transfer', { source_id: buyer.id, target_id: solarCo.id }, 'trader'],
      // a producer may not withdraw
      ['POST', '/certificates/certificates/withdraw', { source_id: solarCo.id }, 'producer'],
      // more than the account holds
      [
        'POST',
        '/certificates/certificates/cancel',
        { source_id: solarCo.id, certificate_quantity: 10_000_000 },
        'producer',
      ],
      // nothing matches
      [
        'POST',
        '/certificates/certificates/claim',
        { source_id: solarCo.id, certificate_bundle_status: 'Cancelled' },
        'producer',
      ],
      // a range starting inside a bundle
      [
        'POST',
        '/certificates/certificates/reseve',
        {
          source_id: solarCo.id,
          source_certificate_issuance_id: issued[0].issuance_id,
          source_certificate_certificate_bundle_id_range_start: 700_000,
        },
        'producer',
      ],
      // reserving for another registry
      [
        'POST',
        '/certificates/certificates/reserve',
        { source_id: solarCo.id, target_registry: 'elsewhere' },
        'producer',
      ],
      // a UUID that is not one of this registry's, and no UUID at all
      ['POST', '/certificates/certificates/cancel', { source_id: '00000000-0000-4000-8000-000000000001' }, 'producer'],
      ['POST', '/certificates/certificates/cancel', { source_id: 42 }, 'producer'],
      ['POST', '/certificates/certificates/cancel', {}, 'producer'],
      // an account of another user, and closing an account that still holds certificates
      ['DELETE', '/accounts/account/{id}', {}, 'trader'],
      [
        'POST',
        '/users/user',
        { name: 'x', email: 'x@example.com', role: ['GC Issuer'], password: PASSWORD },
        'producer',
      ],
    ];
    for (const [method, path, body, who] of refusals) {
      const r = await call(method, path, {
        token: tokens[who ?? 'producer'],
        ...(method === 'DELETE' ? { params: { id: solarCo.id } } : { body }),
        status: 422,
      });
      expect(r.detail.length).toBeGreaterThan(0);
      expect(r.detail[0]).toEqual({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
    }
    const bad = await call('GET', '/certificates/certificates/query', {
      token: tokens.producer,
      body: { source_id: 'not-a-uuid' },
      status: 422,
    });
    expect(bad.detail[0].loc).toEqual(['body', 'source_id']);
    // Tally's refusals name the draft's fields: an hour beyond the device's capacity × 1.1 names bundle_quantity.
    const over = await call('POST', '/certificates/certificates/create', {
      token: tokens.issuer,
      body: { id: device.id, ...hour(10), bundle_quantity: 5_500_001 },
      status: 422,
    });
    expect(over.detail).toEqual([
      {
        loc: ['body', 'bundle_quantity'],
        msg: "5500001 Wh exceeds the device's limit of 5500000 Wh for this interval (capacity × hours × 1.1)",
        type: 'over_capacity',
      },
    ]);
    const future = await call('POST', '/certificates/certificates/create', {
      token: tokens.issuer,
      body: { id: device.id, ...hour(0, '2027-01-01T00:00:00Z'), bundle_quantity: 1 },
      status: 422,
    });
    expect(future.detail[0]).toMatchObject({ loc: ['body', 'production_ending_interval'], type: 'future_interval' });
    // A path the draft does not have is not there at all.
    const nowhere = await s.request('POST', `${PREFIX}/nowhere`, {
      token: tokens.producer,
      body: {},
    });
    expect(nowhere.status).toBe(404);
    expect(validator.check('POST', '/nowhere', 404, nowhere.body)).toEqual([]);
    // No token, and a token that is not one: 401, in the same shape.
    await call('GET', '/accounts/account/{id}', { params: { id: solarCo.id }, status: 401 });
    await call('GET', '/accounts/account/{id}', { token: 'nonsense', params: { id: solarCo.id }, status: 401 });
    expect(await s.eventCount()).toBe(before);
  });

  it('acts on the certificates an action can act on, within a range, and on an account only by its kind of UUID', async () => {
    // The producer's account also holds withdrawn certificates; a cancel naming only the account
    // takes its live ones and leaves the withdrawn as they were.
    const withdrawn = wh(await query('producer', { source_id: solarCo.id, certificate_bundle_status: 'Withdrawn' }));
    const live = wh(await query('producer', { source_id: solarCo.id, certificate_bundle_status: 'Active' }));
    expect([withdrawn > 0, live > 0]).toEqual([true, true]);
    const cancelled = await call('POST', '/certificates/certificates/cancel', {
      token: tokens.producer,
      body: { source_id: solarCo.id, certificate_quantity: 1 },
      status: 202,
    });
    expect(cancelled.certificate_quantity).toBe(1);
    expect(wh(await query('producer', { source_id: solarCo.id, certificate_bundle_status: 'Withdrawn' }))).toBe(
      withdrawn,
    );
    expect(wh(await query('producer', { source_id: solarCo.id, certificate_bundle_status: 'Active' }))).toBe(live - 1);

    const before = await s.eventCount();
    const refused: Array<[Record<string, unknown>, (string | number)[]]> = [
      // a quantity past the end of the range it names
      [
        {
          source_id: solarCo.id,
          source_certificate_issuance_id: issued[0].issuance_id,
          source_certificate_certificate_bundle_id_range_end: 10,
          certificate_quantity: 11,
        },
        ['body', 'certificate_quantity'],
      ],
      // a status the action does not act on
      [{ source_id: solarCo.id, certificate_bundle_status: 'Withdrawn' }, ['body', 'certificate_bundle_status']],
      // a device's UUID where the account's belongs, though a number is a number
      [{ source_id: device.id }, ['body', 'source_id']],
    ];
    for (const [body, loc] of refused) {
      const r = await call('POST', '/certificates/certificates/cancel', { token: tokens.producer, body, status: 422 });
      expect(r.detail[0].loc, JSON.stringify(body)).toEqual(loc);
    }
    expect(await s.eventCount()).toBe(before);
  });

  it('closes an empty account (DELETE) and shows it closed', async () => {
    const empty = await call('POST', '/accounts/account', {
      token: tokens.trader,
      body: { account_name: 'Spare' },
      status: 200,
    });
    const closed = await call('DELETE', '/accounts/account/{id}', {
      token: tokens.trader,
      params: { id: empty.id },
      status: 200,
    });
    expect(closed).toMatchObject({ id: empty.id, closed: true });
  });

  it('decommissions a device (DELETE): shown so, and nothing issued for it after', async () => {
    const spare = await call('POST', '/devices/device', {
      token: tokens.producer,
      body: {
        id: solarCo.id,
        device_name: 'Old array',
        capacity: 1_000_000,
        energy_source: 'Solar',
        grid: 'DK1',
        operational_date: '2015-04-01',
        ...SOLAR,
        country: 'DK',
        time_zone: 'Europe/Copenhagen',
        device_location: [56.1, 10.1],
        issuance_metadata: { issuing_body: 'Energinet', issuance_purpose: 'disclosure' },
      },
      status: 200,
    });
    const gone = await call('DELETE', '/devices/device/{id}', {
      token: tokens.producer,
      params: { id: spare.id },
      status: 200,
    });
    expect(gone).toMatchObject({ id: spare.id, decommissioned_at: '2026-12-01T12:00:00.000Z' });
    const before = await s.eventCount();
    const issued = await call('POST', '/certificates/certificates/create', {
      token: tokens.issuer,
      body: { id: spare.id, ...hour(0, '2026-12-01T11:00:00Z'), bundle_quantity: 1 },
      status: 201,
    });
    // Produced before the decommissioning: still issued. After it, nothing would be.
    expect(issued.bundle_quantity).toBe(1);
    expect(await s.eventCount()).toBe(before + 1);
  });

  it('shows ids as version-8 UUIDs of Tally’s ids', async () => {
    const me = await s.request('GET', '/api/user/me', { token: tokens.producer });
    expect(producer.id).toBe(uuidOf('user', me.body.id));
    expect(uuidOf('account', 7)).toBe('7a11e7a9-0002-8000-8000-000000000007');
  });

  it('served every operation the conformance table lists as served', () => {
    const served = [
      'POST /users/user',
      'GET /users/user/{id}',
      'PATCH /users/user/{id}',
      'POST /accounts/account',
      'GET /accounts/account/{id}',
      'PATCH /accounts/account/{id}',
      'DELETE /accounts/account/{id}',
      'DELETE /devices/device/{id}',
      'POST /devices/device',
      'GET /devices/device/{id}',
      'PATCH /devices/device/{id}',
      'POST /certificates/certificates/create',
      'GET /certificates/certificates/query',
      'POST /certificates/certificates/transfer',
      'POST /certificates/certificates/cancel',
      'POST /certificates/certificates/claim',
      'POST /certificates/certificates/withdraw',
      'POST /certificates/certificates/reseve',
      'POST /certificates/certificates/reserve',
    ];
    expect([...seen].sort()).toEqual([...served].sort());
  });
});
