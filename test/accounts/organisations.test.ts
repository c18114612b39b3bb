// Organisations over Tally's own API (decision 0014): an admin creates, changes and deletes them;
// users and accounts are put in them; they grant nothing on accounts, whose members alone act on
// them. A deleted organisation and a deactivated user are kept, never erased. Every refusal
// answers its exact status and changes nothing.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccounts } from '../../src/accounts/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

describe('organisations', () => {
  let s: TestServer;
  let admin: { id: number; token: string };
  let auditor: { id: number; token: string };
  let issuer: { id: number; token: string };
  let outsider: { id: number; token: string };
  let serial = 0;

  beforeAll(async () => {
    s = await startServer();
    admin = await s.user('admin');
    auditor = await s.user('auditor');
    issuer = await s.user('issuer');
    outsider = await s.user('trader');
  });
  afterAll(async () => s?.close());

  /** A verified user the admin creates in `organisation`, logged in. */
  async function member(organisation: number | undefined, role = 'trader') {
    const email = `member-${++serial}@example.com`;
    const created = await s.request('POST', '/api/users', {
      token: admin.token,
      body: { email, password: PASSWORD, name: `Member ${serial}`, role, organisation_id: organisation },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const login = await s.request('POST', '/api/token', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    return { id: created.body.id as number, email, token: login.body.access as string, refresh: login.body.refresh };
  }

  /** What a refusal must leave as it was: the ledger, the organisations, the users' and accounts' organisations. */
  async function state() {
    const db = s.db.database.kysely;
    const rows = await sql<{ v: string }>`
      select concat_ws('|',
        (select string_agg(concat_ws(':', id, name, business_id, email, address, website, deleted_at), ',' order by id)
           from organisations),
        (select string_agg(concat_ws(':', id, role, organisation_id, deactivated_at), ',' order by id) from users),
        (select string_agg(concat_ws(':', id, account_name, organisation_id, closed_at), ',' order by id) from accounts)
      ) as v`.execute(db);
    return { events: await s.eventCount(), rows: rows.rows[0]?.v };
  }

  async function refused(
    method: string,
    path: string,
    opts: { token: string; body?: unknown },
    status: number,
    code: string,
  ) {
    const before = await state();
    const r = await s.request(method, path, opts);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.code).toBe(code);
    expect(await state()).toEqual(before);
    return r.body;
  }

  const eventsOf = async (type: string) =>
    (
      await sql<{ subject_id: string; actor_id: number }>`
        select subject_id, actor_id from events where type = ${type} order by id`.execute(s.db.database.kysely)
    ).rows;

  let solarCo: any;
  let windCo: any;

  it('an admin creates organisations; no one else does, and bad input names its field', async () => {
    const created = await s.request('POST', '/api/organisations', {
      token: admin.token,
      body: { name: 'Solar Co A/S', business_id: 12345678, email: 'contact@solarco.example', website: 'solarco.dk' },
    });
    expect(created.status).toBe(201);
    solarCo = created.body;
    expect(solarCo).toEqual({
      id: expect.any(Number),
      name: 'Solar Co A/S',
      business_id: 12345678,
      email: 'contact@solarco.example',
      address: null,
      website: 'solarco.dk',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      deleted_at: null,
    });
    windCo = (
      await s.request('POST', '/api/organisations', {
        token: admin.token,
        body: { name: 'Wind Co', business_id: 87654321, email: 'wind@example.com', address: 'Vej 1, Esbjerg' },
      })
    ).body;
    expect(windCo.address).toBe('Vej 1, Esbjerg');
    expect(await eventsOf('organisation.created')).toEqual([
      { subject_id: String(solarCo.id), actor_id: admin.id },
      { subject_id: String(windCo.id), actor_id: admin.id },
    ]);

    const body = { name: 'Mine', business_id: 1, email: 'me@example.com' };
    await refused('POST', '/api/organisations', { token: outsider.token, body }, 403, 'role_required');
    await refused('POST', '/api/organisations', { token: auditor.token, body }, 403, 'auditors_read_only');
    const bad = await refused(
      'POST',
      '/api/organisations',
      { token: admin.token, body: { ...body, business_id: 'DK123' } },
      400,
      'invalid_request',
    );
    expect(bad.errors.map((e: any) => e.field)).toEqual(['body/business_id']);
    const missing = await refused(
      'POST',
      '/api/organisations',
      { token: admin.token, body: { name: 'x', business_id: 2 } },
      400,
      'invalid_request',
    );
    expect(missing.errors.map((e: any) => e.field)).toEqual(['body/email']);
  });

  let alice: Awaited<ReturnType<typeof member>>;
  let bob: Awaited<ReturnType<typeof member>>;

  it('puts users in an organisation; its users read it, the overseeing roles read all, others none', async () => {
    alice = await member(solarCo.id);
    bob = await member(solarCo.id);
    const me = await s.request('GET', '/api/user/me', { token: alice.token });
    expect(me.body).toMatchObject({ id: alice.id, organisation_id: solarCo.id, deactivated_at: null });
    await refused(
      'POST',
      '/api/users',
      {
        token: admin.token,
        body: { email: 'nobody@example.com', password: PASSWORD, name: 'x', role: 'trader', organisation_id: 999 },
      },
      404,
      'organisation_not_found',
    );

    for (const who of [alice, admin, auditor, issuer])
      expect((await s.request('GET', `/api/organisations/${solarCo.id}`, { token: who.token })).body).toEqual(solarCo);
    await refused('GET', `/api/organisations/${solarCo.id}`, { token: outsider.token }, 404, 'organisation_not_found');
    await refused('GET', `/api/organisations/${windCo.id}`, { token: alice.token }, 404, 'organisation_not_found');
    expect((await s.request('GET', '/api/organisations', { token: alice.token })).body.items).toEqual([solarCo]);
    expect((await s.request('GET', '/api/organisations', { token: outsider.token })).body.items).toEqual([]);
    expect(
      (await s.request('GET', '/api/organisations', { token: auditor.token })).body.items.map((o: any) => o.id),
    ).toEqual([solarCo.id, windCo.id]);
  });

  let aliceAccount: any;

  it('creates accounts in the caller’s own organisation; the organisation grants nothing on them', async () => {
    const created = await s.request('POST', '/api/accounts', {
      token: alice.token,
      body: { account_name: 'Solar Co trading' },
    });
    expect(created.status).toBe(201);
    aliceAccount = created.body;
    expect(aliceAccount).toMatchObject({ account_name: 'Solar Co trading', organisation_id: solarCo.id });
    // Naming its own organisation is the same; another one is not the caller's to create in.
    const named = await s.request('POST', '/api/accounts', {
      token: alice.token,
      body: { account_name: 'Solar Co spare', organisation_id: solarCo.id },
    });
    expect(named.body.organisation_id).toBe(solarCo.id);
    const account = { account_name: 'x', organisation_id: windCo.id };
    await refused('POST', '/api/accounts', { token: alice.token, body: account }, 404, 'organisation_not_found');
    await refused('POST', '/api/accounts', { token: issuer.token, body: account }, 403, 'not_in_organisation');
    // A user in no organisation makes accounts in none; an admin makes them in any.
    expect(
      (await s.request('POST', '/api/accounts', { token: outsider.token, body: { account_name: 'y' } })).body,
    ).toMatchObject({ organisation_id: null });
    const windAccount = await s.request('POST', '/api/accounts', { token: admin.token, body: account });
    expect(windAccount.body.organisation_id).toBe(windCo.id);

    // Bob is in Solar Co too, yet not a member of Alice's accounts: he neither reads nor lists them.
    await refused('GET', `/api/accounts/${aliceAccount.id}`, { token: bob.token }, 404, 'account_not_found');
    const bobs = await s.request('GET', `/api/accounts?organisation_id=${solarCo.id}`, { token: bob.token });
    expect(bobs.body.items).toEqual([]);
    const alices = await s.request('GET', `/api/accounts?organisation_id=${solarCo.id}`, { token: alice.token });
    expect(alices.body.items.map((a: any) => a.id)).toEqual([aliceAccount.id, named.body.id]);
    const all = await s.request('GET', `/api/accounts?organisation_id=${windCo.id}`, { token: auditor.token });
    expect(all.body.items.map((a: any) => a.id)).toEqual([windAccount.body.id]);
  });

  it('an admin changes an organisation, one event per change; no one else does', async () => {
    const before = await s.eventCount();
    const changed = await s.request('PATCH', `/api/organisations/${solarCo.id}`, {
      token: admin.token,
      body: { website: null, address: 'Havnegade 1, Aarhus' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({
      ...solarCo,
      website: null,
      address: 'Havnegade 1, Aarhus',
      updated_at: expect.any(String),
    });
    solarCo = changed.body;
    expect(await s.eventCount()).toBe(before + 1);
    await refused(
      'PATCH',
      `/api/organisations/${solarCo.id}`,
      { token: alice.token, body: { name: 'x' } },
      403,
      'role_required',
    );
    await refused(
      'PATCH',
      `/api/organisations/${solarCo.id}`,
      { token: admin.token, body: {} },
      400,
      'invalid_request',
    );
    await refused(
      'PATCH',
      '/api/organisations/999',
      { token: admin.token, body: { name: 'x' } },
      404,
      'organisation_not_found',
    );
  });

  it('moves a user between organisations, role and organisation in one change with an event each', async () => {
    const before = await s.eventCount();
    const moved = await s.request('PATCH', `/api/users/${bob.id}`, {
      token: admin.token,
      body: { organisation_id: windCo.id, role: 'producer' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: bob.id, organisation_id: windCo.id, role: 'producer' });
    expect(await s.eventCount()).toBe(before + 2);
    await refused(
      'PATCH',
      `/api/users/${bob.id}`,
      { token: admin.token, body: { organisation_id: 999 } },
      404,
      'organisation_not_found',
    );
    const out = await s.request('PATCH', `/api/users/${bob.id}`, {
      token: admin.token,
      body: { organisation_id: null },
    });
    expect(out.body.organisation_id).toBeNull();
  });

  it('deletes an organisation only once it owns no open account and has no active user, and keeps it', async () => {
    const refusal = await refused(
      'DELETE',
      `/api/organisations/${solarCo.id}`,
      { token: admin.token },
      409,
      'organisation_has_accounts',
    );
    expect(refusal.detail).toContain(String(aliceAccount.id));
    await refused('DELETE', `/api/organisations/${solarCo.id}`, { token: alice.token }, 403, 'role_required');
    const accounts = await s.request('GET', `/api/accounts?organisation_id=${solarCo.id}`, { token: alice.token });
    for (const a of accounts.body.items)
      expect((await s.request('DELETE', `/api/accounts/${a.id}`, { token: alice.token })).status).toBe(200);
    const users = await refused(
      'DELETE',
      `/api/organisations/${solarCo.id}`,
      { token: admin.token },
      409,
      'organisation_has_users',
    );
    expect(users.detail).toContain(String(alice.id));
    // A deactivated user keeps naming its organisation, as a closed account does.
    expect((await s.request('DELETE', `/api/users/${alice.id}`, { token: admin.token })).status).toBe(200);
    const before = await s.eventCount();
    const deleted = await s.request('DELETE', `/api/organisations/${solarCo.id}`, { token: admin.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ ...solarCo, deleted_at: expect.any(String), updated_at: expect.any(String) });
    expect(await s.eventCount()).toBe(before + 1);
    expect(await eventsOf('organisation.deleted')).toEqual([{ subject_id: String(solarCo.id), actor_id: admin.id }]);
    // Gone for every use; its closed accounts still name it.
    await refused('GET', `/api/organisations/${solarCo.id}`, { token: admin.token }, 404, 'organisation_not_found');
    await refused('DELETE', `/api/organisations/${solarCo.id}`, { token: admin.token }, 404, 'organisation_not_found');
    await refused(
      'POST',
      '/api/accounts',
      { token: admin.token, body: { account_name: 'z', organisation_id: solarCo.id } },
      404,
      'organisation_not_found',
    );
    const closed = await s.request('GET', `/api/accounts/${aliceAccount.id}`, { token: admin.token });
    expect(closed.body).toMatchObject({ organisation_id: solarCo.id, closed_at: expect.any(String) });
  });

  it('deactivates a user: no login, no token, no API key, no refresh; kept, and changed no more', async () => {
    const carol = await member(windCo.id);
    const key = await s.request('POST', '/api/api-keys', { token: carol.token, body: { name: 'meter' } });
    expect(key.status).toBe(201);
    expect((await s.request('GET', '/api/user/me', { headers: { 'x-api-key': key.body.key } })).status).toBe(200);

    const before = await s.eventCount();
    const r = await s.request('DELETE', `/api/users/${carol.id}`, { token: admin.token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: carol.id, organisation_id: windCo.id, deactivated_at: expect.any(String) });
    expect(await s.eventCount()).toBe(before + 1);
    expect((await eventsOf('user.deactivated')).at(-1)).toEqual({ subject_id: String(carol.id), actor_id: admin.id });

    const credentials: Array<Record<string, string>> = [
      { authorization: `Bearer ${carol.token}` },
      { 'x-api-key': key.body.key },
    ];
    for (const headers of credentials) {
      const me = await s.request('GET', '/api/user/me', { headers });
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('unauthorized');
    }
    const login = await s.request('POST', '/api/token', { body: { email: carol.email, password: PASSWORD } });
    expect([login.status, login.body.code]).toEqual([401, 'unauthorized']);
    const refresh = await s.request('POST', '/api/token/refresh', { body: { refresh: carol.refresh } });
    expect(refresh.status).toBe(401);

    // Deactivating again changes nothing; the user is still there, and changes no more.
    const again = await s.request('DELETE', `/api/users/${carol.id}`, { token: admin.token });
    expect(again.body).toEqual(r.body);
    expect(await s.eventCount()).toBe(before + 1);
    const listed = await s.request('GET', '/api/users?limit=100', { token: admin.token });
    expect(listed.body.items.find((u: any) => u.id === carol.id)).toEqual(r.body);
    await refused(
      'PATCH',
      `/api/users/${carol.id}`,
      { token: admin.token, body: { role: 'issuer' } },
      409,
      'user_deactivated',
    );
    await refused('DELETE', `/api/users/${admin.id}`, { token: admin.token }, 409, 'self_deactivation');
    await refused('DELETE', '/api/users/999', { token: admin.token }, 404, 'user_not_found');
    await refused('DELETE', `/api/users/${bob.id}`, { token: bob.token }, 403, 'role_required');
  });

  it('tally check finds a deleted organisation that still owns an open account or an active user', async () => {
    const db = s.db.database.kysely;
    expect(await checkAccounts(db)).toEqual([]);
    // Wind Co owns an open account and Carol, deactivated; marked deleted behind the API's back:
    await sql`update organisations set deleted_at = now() where id = ${windCo.id}`.execute(db);
    const open = await s.request('GET', `/api/accounts?organisation_id=${windCo.id}`, { token: admin.token });
    expect(open.body.items).toHaveLength(1);
    expect(await checkAccounts(db)).toEqual(
      open.body.items.map((a: any) => ({
        rule: 'deleted_organisations_own_nothing_live',
        detail: `deleted organisation ${windCo.id} still has open account ${a.id}`,
      })),
    );
  });
});
