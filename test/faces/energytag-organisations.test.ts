// The EnergyTag face's organisations, and the users and accounts in them, driven as a draft client
// would: an admin creates, reads, changes and deletes an organisation; users and accounts are
// created in it (the draft's `id`) and show it; a user is deleted, which deactivates it. Every
// answer, success or refusal, is checked against the draft's schemas (Ajv), and a refusal changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from '../../src/faces/energytag/index.ts';
import { draftValidator, loadDraft } from '../helpers/energytag.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const validator = draftValidator(loadDraft());
const PREFIX = '/energytag/v2';
const PASSWORD = 'correct horse battery';
const ORGANISATION = /^7a11e7a9-0009-8000-8[0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the EnergyTag face’s organisations', () => {
  let s: TestServer;
  const tokens = { admin: '', auditor: '', outsider: '', alice: '' };
  const seen = new Set<string>();

  beforeAll(async () => {
    s = await startServer();
    const admin = await s.user('admin');
    tokens.admin = await token(admin.email);
    tokens.auditor = (await s.user('auditor')).token;
    tokens.outsider = (await s.user('trader')).token;
  });
  afterAll(async () => s?.close());

  async function token(username: string, status = 200) {
    const r = await s.request('POST', `${PREFIX}/token`, {
      raw: new URLSearchParams({ grant_type: 'password', username, password: PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    if (status !== 200) {
      expect(validator.check('POST', '/token', r.status, r.body)).toEqual([]);
      return '';
    }
    return r.body.access_token as string;
  }

  /** Calls a draft operation and checks the status and the answer against the draft's schema for it. */
  async function call(
    method: string,
    template: string,
    opts: { token: string; body?: unknown; id?: string; status: number },
  ) {
    const path = `${PREFIX}${template.replace('{id}', opts.id ?? '')}`;
    const before = await s.eventCount();
    const r = await s.request(method, path, {
      token: opts.token,
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(opts.status);
    expect(validator.check(method, template, r.status, r.body)).toEqual([]);
    if (r.status >= 400) expect(await s.eventCount()).toBe(before);
    seen.add(`${method} ${template}`);
    return r.body;
  }

  let solarCo: any;
  let windCo: any;
  let alice: any;
  let account: any;

  it('an admin creates, reads and changes organisations', async () => {
    solarCo = await call('POST', '/organisations/organisation', {
      token: tokens.admin,
      body: { name: 'Solar Co A/S', business_id: 12345678, email: 'contact@solarco.example', website: 'solarco.dk' },
      status: 200,
    });
    expect(solarCo).toEqual({
      id: expect.stringMatching(ORGANISATION),
      name: 'Solar Co A/S',
      business_id: 12345678,
      email: 'contact@solarco.example',
      website: 'solarco.dk',
    });
    windCo = await call('POST', '/organisations/organisation', {
      token: tokens.admin,
      body: { name: 'Wind Co', business_id: 7, email: 'wind@example.com', address: 'Vej 1, Esbjerg' },
      status: 200,
    });
    expect(
      await call('GET', '/organisations/organisation/{id}', { token: tokens.auditor, id: solarCo.id, status: 200 }),
    ).toEqual(solarCo);
    solarCo = await call('PATCH', '/organisations/organisation/{id}', {
      token: tokens.admin,
      id: solarCo.id,
      body: { id: solarCo.id, address: 'Havnegade 1, Aarhus' },
      status: 200,
    });
    expect(solarCo.address).toBe('Havnegade 1, Aarhus');
    // Nothing to change: the organisation as it is, no event.
    const before = await s.eventCount();
    expect(
      await call('PATCH', '/organisations/organisation/{id}', {
        token: tokens.admin,
        id: solarCo.id,
        body: {},
        status: 200,
      }),
    ).toEqual(solarCo);
    expect(await s.eventCount()).toBe(before);
  });

  it('creates users and accounts in an organisation, and shows it', async () => {
    alice = await call('POST', '/users/user', {
      token: tokens.admin,
      body: { name: 'Alice', email: 'alice@example.com', role: ['Account Holder'], id: solarCo.id, password: PASSWORD },
      status: 200,
    });
    expect(alice).toEqual({
      id: uuidOf(
        'user',
        (await s.request('GET', '/api/users?limit=100', { token: tokens.admin })).body.items.at(-1).id,
      ),
      name: 'Alice',
      email: 'alice@example.com',
      role: ['Account Holder'],
      organisation_id: solarCo.id,
    });
    tokens.alice = await token('alice@example.com');
    expect(await call('GET', '/users/user/{id}', { token: tokens.alice, id: alice.id, status: 200 })).toEqual(alice);
    // Its users read their organisation; anyone else is refused as if it did not exist.
    expect(
      await call('GET', '/organisations/organisation/{id}', { token: tokens.alice, id: solarCo.id, status: 200 }),
    ).toEqual(solarCo);
    const hidden = await call('GET', '/organisations/organisation/{id}', {
      token: tokens.outsider,
      id: solarCo.id,
      status: 422,
    });
    expect(hidden.detail[0].type).toBe('organisation_not_found');

    account = await call('POST', '/accounts/account', {
      token: tokens.alice,
      body: { account_name: 'Solar Co trading', id: solarCo.id },
      status: 200,
    });
    expect(account).toEqual({
      id: expect.any(String),
      account_name: 'Solar Co trading',
      organisation: solarCo,
      organisation_id: solarCo.id,
      users: [{ id: alice.id, name: 'Alice', email: 'alice@example.com', role: ['Account Holder'] }],
      whitelist: [],
      closed: false,
    });
    // Not in her organisation: refused, as the organisation is not hers to see.
    const elsewhere = await call('POST', '/accounts/account', {
      token: tokens.alice,
      body: { account_name: 'x', id: windCo.id },
      status: 422,
    });
    expect(elsewhere.detail[0].type).toBe('organisation_not_found');
  });

  it('changes a user’s and an account’s organisation only as Tally allows', async () => {
    // The account's PATCH renames and sets the whitelist in one change; its organisation stays.
    const other = await call('POST', '/accounts/account', {
      token: tokens.outsider,
      body: { account_name: 'Other' },
      status: 200,
    });
    expect(other.organisation).toBeUndefined();
    account = await call('PATCH', '/accounts/account/{id}', {
      token: tokens.alice,
      id: account.id,
      body: { id: solarCo.id, account_name: 'Solar Co A/S trading', whitelist_add: [other.id] },
      status: 200,
    });
    expect(account).toMatchObject({ account_name: 'Solar Co A/S trading', whitelist: [other.id] });
    const moved = await call('PATCH', '/accounts/account/{id}', {
      token: tokens.alice,
      id: account.id,
      body: { id: windCo.id, account_name: 'Moved' },
      status: 422,
    });
    expect(moved.detail[0]).toMatchObject({ loc: ['body', 'id'], type: 'value_error.immutable' });
    // A refused whitelist change leaves the name as it was: one transaction.
    await call('PATCH', '/accounts/account/{id}', {
      token: tokens.alice,
      id: account.id,
      body: { account_name: 'Half', whitelist_add: [uuidOf('account', 999)] },
      status: 422,
    });
    expect(
      (await call('GET', '/accounts/account/{id}', { token: tokens.alice, id: account.id, status: 200 })).account_name,
    ).toBe('Solar Co A/S trading');
    const wrong = await call('PATCH', '/accounts/account/{id}', {
      token: tokens.alice,
      id: account.id,
      body: { id: other.id },
      status: 422,
    });
    expect(wrong.detail[0]).toMatchObject({ loc: ['body', 'id'], type: 'value_error.id' });

    // A user's PATCH: the draft's id is the user's or its organisation's.
    const bob = await call('POST', '/users/user', {
      token: tokens.admin,
      body: { name: 'Bob', email: 'bob@example.com', role: ['Account Holder'], password: PASSWORD },
      status: 200,
    });
    expect(bob.organisation_id).toBeUndefined();
    const inWind = await call('PATCH', '/users/user/{id}', {
      token: tokens.admin,
      id: bob.id,
      body: { id: windCo.id, role: ['Production Registrar'] },
      status: 200,
    });
    expect(inWind).toEqual({ ...bob, role: ['Production Registrar'], organisation_id: windCo.id });
    await call('PATCH', '/users/user/{id}', {
      token: tokens.admin,
      id: bob.id,
      body: { id: alice.id, role: ['Account Holder'] },
      status: 422,
    });
    const foreign = await call('POST', '/users/user', {
      token: tokens.admin,
      body: {
        name: 'C',
        email: 'c@example.com',
        role: ['Account Holder'],
        id: '00000000-0000-4000-8000-000000000001',
        password: PASSWORD,
      },
      status: 422,
    });
    expect(foreign.detail[0]).toMatchObject({ loc: ['body', 'id'], type: 'value_error.uuid' });
  });

  it('deletes a user by deactivating it: it logs in no more, its token stops, it is still shown', async () => {
    const deleted = await call('DELETE', '/users/user/{id}', { token: tokens.admin, id: alice.id, status: 200 });
    expect(deleted).toEqual(alice);
    await token('alice@example.com', 401);
    const r = await s.request('GET', `${PREFIX}/users/user/${alice.id}`, { token: tokens.alice });
    expect(r.status).toBe(401);
    expect(validator.check('GET', '/users/user/{id}', 401, r.body)).toEqual([]);
    expect(await call('GET', '/users/user/{id}', { token: tokens.admin, id: alice.id, status: 200 })).toEqual(alice);
    const notAdmin = await call('DELETE', '/users/user/{id}', { token: tokens.outsider, id: alice.id, status: 422 });
    expect(notAdmin.detail[0].type).toBe('role_required');
  });

  it('deletes an organisation once it owns no open account and has no active user', async () => {
    const owns = await call('DELETE', '/organisations/organisation/{id}', {
      token: tokens.admin,
      id: solarCo.id,
      status: 422,
    });
    expect(owns.detail[0].type).toBe('organisation_has_accounts');
    await call('DELETE', '/accounts/account/{id}', { token: tokens.admin, id: account.id, status: 200 });
    const gone = await call('DELETE', '/organisations/organisation/{id}', {
      token: tokens.admin,
      id: solarCo.id,
      status: 200,
    });
    expect(gone).toEqual(solarCo);
    const again = await call('GET', '/organisations/organisation/{id}', {
      token: tokens.admin,
      id: solarCo.id,
      status: 422,
    });
    expect(again.detail[0].type).toBe('organisation_not_found');
    // Wind Co still has Bob.
    const users = await call('DELETE', '/organisations/organisation/{id}', {
      token: tokens.admin,
      id: windCo.id,
      status: 422,
    });
    expect(users.detail[0].type).toBe('organisation_has_users');
  });

  it('refuses bad input naming the field, and others than an admin', async () => {
    const bad = await call('POST', '/organisations/organisation', {
      token: tokens.admin,
      body: { name: 'x', business_id: 'DK1', email: 'x@example.com' },
      status: 422,
    });
    expect(bad.detail[0].loc).toEqual(['body', 'business_id']);
    const missing = await call('POST', '/organisations/organisation', {
      token: tokens.admin,
      body: { name: 'x', business_id: 1 },
      status: 422,
    });
    expect(missing.detail[0].loc).toEqual(['body', 'email']);
    const role = await call('POST', '/organisations/organisation', {
      token: tokens.outsider,
      body: { name: 'x', business_id: 1, email: 'x@example.com' },
      status: 422,
    });
    expect(role.detail[0].type).toBe('role_required');
    const path = await call('PATCH', '/organisations/organisation/{id}', {
      token: tokens.admin,
      id: uuidOf('account', 1),
      body: { name: 'x' },
      status: 422,
    });
    expect(path.detail[0].loc).toEqual(['path', 'id']);
    const body = await call('PATCH', '/organisations/organisation/{id}', {
      token: tokens.admin,
      id: windCo.id,
      body: { id: solarCo.id, name: 'x' },
      status: 422,
    });
    expect(body.detail[0]).toMatchObject({ loc: ['body', 'id'], type: 'value_error.id' });
  });

  it('called every organisation operation and the user deletion', () => {
    for (const op of [
      'POST /organisations/organisation',
      'GET /organisations/organisation/{id}',
      'PATCH /organisations/organisation/{id}',
      'DELETE /organisations/organisation/{id}',
      'DELETE /users/user/{id}',
    ])
      expect(seen).toContain(op);
  });
});
