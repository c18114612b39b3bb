// Account membership decides who reads and acts: a user of another account gets 404 (or 403 for
// an auditor acting) and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let bundle: any;
let auditor: { id: number; token: string };
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  [bundle] = await issue(s, w, [[0, 1000]]);
  auditor = await s.user('auditor');
});
afterAll(() => s.close());

describe('accounts', () => {
  it('creates an account with the caller as member, renames it, lists only what the caller may read', async () => {
    const u = await s.user('trader');
    const a = await expectStatus(
      s.request('POST', '/api/accounts', { token: u.token, body: { account_name: 'Mine' } }),
      201,
    );
    expect(a).toMatchObject({ account_name: 'Mine', closed_at: null });
    const members = await expectStatus(s.request('GET', `/api/accounts/${a.id}/members`, { token: u.token }), 200);
    expect(members.items.map((m: any) => m.user_id)).toEqual([u.id]);
    const renamed = await expectStatus(
      s.request('PATCH', `/api/accounts/${a.id}`, { token: u.token, body: { account_name: 'Renamed' } }),
      200,
    );
    expect(renamed.account_name).toBe('Renamed');
    const mine = await expectStatus(s.request('GET', '/api/accounts', { token: u.token }), 200);
    expect(mine.items.map((x: any) => x.id)).toEqual([a.id]);
    const all = await expectStatus(s.request('GET', '/api/accounts?limit=1000', { token: auditor.token }), 200);
    expect(all.items.map((x: any) => x.id)).toEqual(expect.arrayContaining([a.id, w.producerAccount, w.traderAccount]));
  });

  it('adds members who accept an invitation by email, keeps the last one, and closes only an empty account', async () => {
    const u = await s.user('trader');
    const v = await s.user('trader');
    const a = await expectStatus(
      s.request('POST', '/api/accounts', { token: u.token, body: { account_name: 'Shared' } }),
      201,
    );
    const invitation = await expectStatus(
      s.request('POST', `/api/accounts/${a.id}/members`, { token: u.token, body: { email: v.email.toUpperCase() } }),
      202,
    );
    await expectStatus(s.request('POST', `/api/invitations/${invitation.id}/accept`, { token: v.token }), 200);
    await expectStatus(s.request('GET', `/api/accounts/${a.id}`, { token: v.token }), 200);
    await expectStatus(s.request('DELETE', `/api/accounts/${a.id}/members/${u.id}`, { token: v.token }), 200);
    const last = await s.request('DELETE', `/api/accounts/${a.id}/members/${v.id}`, { token: v.token });
    expect(last.status).toBe(409);
    expect(last.body.code).toBe('last_member');
    const notEmpty = await s.request('DELETE', `/api/accounts/${w.producerAccount}`, { token: w.producer.token });
    expect(notEmpty.status).toBe(409);
    expect(notEmpty.body.code).toBe('account_not_empty');
    const closed = await expectStatus(s.request('DELETE', `/api/accounts/${a.id}`, { token: v.token }), 200);
    expect(closed.closed_at).not.toBeNull();
    const act = await s.request('PATCH', `/api/accounts/${a.id}`, { token: v.token, body: { account_name: 'x' } });
    expect(act.status).toBe(409);
    expect(act.body.code).toBe('account_closed');
  });

  it('invites alike whether or not the user exists, and tells the inviter nothing about any user', async () => {
    const u = await s.user('trader');
    const admin = await s.user('admin');
    const a = await expectStatus(
      s.request('POST', '/api/accounts', { token: u.token, body: { account_name: 'Curious' } }),
      201,
    );
    const invite = async (body: object) => {
      const r = await s.request('POST', `/api/accounts/${a.id}/members`, { token: u.token, body });
      const { id: _id, created_at: _at, ...rest } = r.body;
      return [r.status, rest];
    };
    const pending = { account_id: a.id, invited_by: u.id, status: 'pending' };
    expect(await invite({ user_id: admin.id })).toEqual([202, { ...pending, user_id: admin.id, email: null }]);
    expect(await invite({ user_id: 987_654 })).toEqual([202, { ...pending, user_id: 987_654, email: null }]);
    expect(await invite({ email: admin.email })).toEqual([202, { ...pending, user_id: null, email: admin.email }]);
    expect(await invite({ email: 'nobody-at-all@example.com' })).toEqual([
      202,
      { ...pending, user_id: null, email: 'nobody-at-all@example.com' },
    ]);
    const members = await expectStatus(s.request('GET', `/api/accounts/${a.id}/members`, { token: u.token }), 200);
    expect(members.items.map((m: any) => [m.user_id, m.email])).toEqual([[u.id, u.email]]);
    const both = await s.request('POST', `/api/accounts/${a.id}/members`, {
      token: u.token,
      body: { user_id: admin.id, email: admin.email },
    });
    expect([both.status, both.body.code, both.body.errors[0].field]).toEqual([400, 'member_required', 'body/user_id']);
  });

  it('lets only the invited user accept or decline, once', async () => {
    const u = await s.user('trader');
    const v = await s.user('trader');
    const x = await s.user('trader');
    const a = await expectStatus(
      s.request('POST', '/api/accounts', { token: u.token, body: { account_name: 'Club' } }),
      201,
    );
    const forV = await expectStatus(
      s.request('POST', `/api/accounts/${a.id}/members`, { token: u.token, body: { user_id: v.id } }),
      202,
    );
    const forX = await expectStatus(
      s.request('POST', `/api/accounts/${a.id}/members`, { token: u.token, body: { email: x.email } }),
      202,
    );
    expect((await expectStatus(s.request('GET', '/api/invitations', { token: v.token }), 200)).items).toEqual([forV]);
    expect((await expectStatus(s.request('GET', '/api/invitations', { token: x.token }), 200)).items).toEqual([forX]);

    const before = await s.eventCount();
    for (const [token, id] of [
      [w.outsider.token, forV.id],
      [x.token, forV.id],
      [u.token, forV.id],
      [v.token, 987_654],
    ] as const) {
      const r = await s.request('POST', `/api/invitations/${id}/accept`, { token });
      expect([r.status, r.body.code]).toEqual([404, 'invitation_not_found']);
    }
    expect(await s.eventCount()).toBe(before);
    expect((await s.request('GET', `/api/accounts/${a.id}`, { token: v.token })).status).toBe(404);

    expect(
      await expectStatus(s.request('POST', `/api/invitations/${forV.id}/accept`, { token: v.token }), 200),
    ).toEqual({ ...forV, status: 'accepted' });
    expect(
      await expectStatus(s.request('POST', `/api/invitations/${forX.id}/decline`, { token: x.token }), 200),
    ).toEqual({ ...forX, status: 'declined' });
    const again = await s.request('POST', `/api/invitations/${forV.id}/decline`, { token: v.token });
    expect([again.status, again.body.code]).toEqual([404, 'invitation_not_found']);
    const members = await expectStatus(s.request('GET', `/api/accounts/${a.id}/members`, { token: v.token }), 200);
    expect(members.items.map((m: any) => m.user_id)).toEqual([u.id, v.id]);
    expect((await s.request('GET', `/api/accounts/${a.id}`, { token: x.token })).status).toBe(404);
    expect((await expectStatus(s.request('GET', '/api/invitations', { token: v.token }), 200)).items).toEqual([]);
  });

  it('lets an admin add a member at once', async () => {
    const admin = await s.user('admin');
    const v = await s.user('trader');
    const r = await expectStatus(
      s.request('POST', `/api/accounts/${w.outsiderAccount}/members`, { token: admin.token, body: { email: v.email } }),
      200,
    );
    expect(r.items.map((m: any) => m.user_id)).toEqual([w.outsider.id, v.id]);
    await expectStatus(
      s.request('DELETE', `/api/accounts/${w.outsiderAccount}/members/${v.id}`, { token: w.outsider.token }),
      200,
    );
  });

  it('shows the whitelist in both directions', async () => {
    const p = await expectStatus(
      s.request('GET', `/api/accounts/${w.producerAccount}/whitelist`, { token: w.producer.token }),
      200,
    );
    expect(p).toEqual({ account_id: w.producerAccount, accepts_from: [], accepted_by: [w.traderAccount] });
    const t = await expectStatus(
      s.request('POST', `/api/accounts/${w.traderAccount}/whitelist`, {
        token: w.trader.token,
        body: { add: [w.outsiderAccount], remove: [] },
      }),
      200,
    );
    expect(t).toEqual({
      account_id: w.traderAccount,
      accepts_from: [w.producerAccount, w.outsiderAccount],
      accepted_by: [],
    });
    const removed = await expectStatus(
      s.request('POST', `/api/accounts/${w.traderAccount}/whitelist`, {
        token: w.trader.token,
        body: { remove: [w.outsiderAccount] },
      }),
      200,
    );
    expect(removed.accepts_from).toEqual([w.producerAccount]);
    const self = await s.request('POST', `/api/accounts/${w.traderAccount}/whitelist`, {
      token: w.trader.token,
      body: { add: [w.traderAccount] },
    });
    expect(self.status).toBe(400);
    const unknown = await s.request('POST', `/api/accounts/${w.traderAccount}/whitelist`, {
      token: w.trader.token,
      body: { add: [987654] },
    });
    expect(unknown.status).toBe(404);
  });

  it('summarises Wh by energy source and status', async () => {
    const r = await expectStatus(
      s.request('GET', `/api/accounts/${w.producerAccount}/summary`, { token: w.producer.token }),
      200,
    );
    expect(r).toEqual({
      account_id: w.producerAccount,
      total_wh: 1000,
      by_source_and_status: [{ energy_source: 'solar_pv', certificate_bundle_status: 'active', bundles: 1, wh: 1000 }],
    });
  });
});

describe('a user of another account', () => {
  const reads: Array<[string, () => string]> = [
    ['account', () => `/api/accounts/${w.producerAccount}`],
    ['members', () => `/api/accounts/${w.producerAccount}/members`],
    ['whitelist', () => `/api/accounts/${w.producerAccount}/whitelist`],
    ['summary', () => `/api/accounts/${w.producerAccount}/summary`],
    ['device', () => `/api/devices/${w.device}`],
    ['bundle', () => `/api/certificates/${bundle.id}`],
  ];
  it.each(reads)('cannot read the %s (404)', async (_n, path) => {
    const r = await s.request('GET', path(), { token: w.outsider.token });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('cannot query the account', async () => {
    const r = await s.request('POST', '/api/certificates/query', {
      token: w.outsider.token,
      body: { source_id: w.producerAccount },
    });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('account_not_found');
  });

  const writes: Array<[string, string, () => string, () => unknown]> = [
    [
      'transfer from it',
      'POST',
      () => '/api/certificates/transfer',
      () => ({
        source_id: w.producerAccount,
        target_id: w.outsiderAccount,
        granular_certificate_bundle_ids: [bundle.id],
      }),
    ],
    [
      'cancel in it',
      'POST',
      () => '/api/certificates/cancel',
      () => ({ source_id: w.producerAccount, granular_certificate_bundle_ids: [bundle.id], beneficiary: 'Thief' }),
    ],
    [
      'reserve in it',
      'POST',
      () => '/api/certificates/reserve',
      () => ({ source_id: w.producerAccount, granular_certificate_bundle_ids: [bundle.id] }),
    ],
    [
      'move its bundle as if it were its own',
      'POST',
      () => '/api/certificates/cancel',
      () => ({ source_id: w.outsiderAccount, granular_certificate_bundle_ids: [bundle.id], beneficiary: 'Thief' }),
    ],
    ['rename it', 'PATCH', () => `/api/accounts/${w.producerAccount}`, () => ({ account_name: 'Hijacked' })],
    ['join it', 'POST', () => `/api/accounts/${w.producerAccount}/members`, () => ({ user_id: w.outsider.id })],
    [
      'whitelist for it',
      'POST',
      () => `/api/accounts/${w.producerAccount}/whitelist`,
      () => ({ add: [w.outsiderAccount] }),
    ],
    ['close it', 'DELETE', () => `/api/accounts/${w.producerAccount}`, () => undefined],
  ];
  it.each(writes)('cannot %s, and nothing changes', async (_n, method, path, body) => {
    const before = await s.eventCount();
    const r = await s.request(method, path(), { token: w.outsider.token, body: body() });
    expect([403, 404, 409]).toContain(r.status);
    expect(await s.eventCount()).toBe(before);
    const still = await expectStatus(
      s.request('GET', `/api/certificates/${bundle.id}`, { token: w.producer.token }),
      200,
    );
    expect(still).toMatchObject({
      account_id: w.producerAccount,
      certificate_bundle_status: 'active',
      bundle_quantity: 1000,
    });
  });

  it('as an auditor reads every account but acts on none', async () => {
    await expectStatus(s.request('GET', `/api/certificates/${bundle.id}`, { token: auditor.token }), 200);
    const r = await s.request('POST', '/api/certificates/reserve', {
      token: auditor.token,
      body: { source_id: w.producerAccount, granular_certificate_bundle_ids: [bundle.id] },
    });
    expect(r.status).toBe(403);
  });

  it('as a trader cannot register devices (403)', async () => {
    const r = await s.request('POST', '/api/devices', { token: w.trader.token, body: {} });
    expect(r.status).toBe(403);
  });

  it('without a token gets 401', async () => {
    const r = await s.request('GET', `/api/accounts/${w.producerAccount}`);
    expect(r.status).toBe(401);
  });
});
