// Idempotency-Key: a retried request gets the first answer back, marked as replayed, and does
// its work once; reusing a key for a different request is refused; keys are per caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson } from '../../src/platform/canonical-json.ts';
import { createUser } from '../../src/identity/users.ts';
import { startServer, type Reply, type TestServer } from '../helpers/server.ts';
import { buildWorld, hour, issue, type World } from '../helpers/world.ts';
import { platform } from '../../src/platform/tables.ts';

describe('Idempotency-Key', () => {
  let s: TestServer;
  let w: World;

  beforeAll(async () => {
    s = await startServer();
    w = await buildWorld(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  const post = (path: string, token: string, key: string, body: unknown) =>
    s.request('POST', path, { token, body, headers: { 'idempotency-key': key } });
  const bundlesOf = async (token: string, account: number, filter: Record<string, unknown> = {}) => {
    const r = await s.request('POST', '/api/certificates/query', { token, body: { source_id: account, ...filter } });
    expect(r.status).toBe(200);
    return r.body.items as any[];
  };

  function expectReplayOf(second: Reply, first: Reply): void {
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  }

  it('creates one account for two identical POST /api/accounts', async () => {
    const before = await s.eventCount();
    const first = await post('/api/accounts', w.trader.token, 'acct-1', { account_name: 'Retried' });
    const second = await post('/api/accounts', w.trader.token, 'acct-1', { account_name: 'Retried' });
    expect(first.status).toBe(201);
    expectReplayOf(second, first);
    expect(await s.eventCount()).toBe(before + 1);
    const accounts = await s.request('GET', '/api/accounts', { token: w.trader.token });
    expect(accounts.body.items.filter((a: any) => a.account_name === 'Retried')).toEqual([first.body]);
  });

  it('answers a query afresh under a key already used: a route that only reads stores and replays nothing', async () => {
    const body = { source_id: w.producerAccount, certificate_period_start: hour(40).production_starting_interval };
    const first = await post('/api/certificates/query', w.producer.token, 'query-40', body);
    expect([first.status, first.body.items]).toEqual([200, []]);
    const [issued] = await issue(s, w, [[40, 1500]]);
    const second = await post('/api/certificates/query', w.producer.token, 'query-40', body);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.items.map((b: any) => [b.id, b.bundle_quantity])).toEqual([[issued.id, 1500]]);
    const stored = await platform(s.db.database.kysely)
      .selectFrom('idempotency_keys')
      .select('key')
      .where('key', '=', 'query-40')
      .execute();
    expect(stored).toEqual([]);
  });

  it('issues one bundle for two identical POST /api/certificates/issue', async () => {
    const body = { device_id: w.device, intervals: [{ ...hour(10), wh: 4200 }] };
    const before = await s.eventCount();
    const first = await post('/api/certificates/issue', w.issuer.token, 'issue-10', body);
    const second = await post('/api/certificates/issue', w.issuer.token, 'issue-10', body);
    expect(first.status).toBe(201);
    expect(first.body.bundles).toHaveLength(1);
    expectReplayOf(second, first);
    expect(await s.eventCount()).toBe(before + 1);
    const issued = await bundlesOf(w.producer.token, w.producerAccount, {
      certificate_period_start: hour(10).production_starting_interval,
      certificate_period_end: hour(11).production_starting_interval,
    });
    expect(issued).toEqual(first.body.bundles);
    expect(issued[0].bundle_quantity).toBe(4200);
  });

  it('transfers once for two identical POST /api/certificates/transfer (a repeat without the key would be refused)', async () => {
    const [bundle] = await issue(s, w, [[20, 1500]]);
    const body = {
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      granular_certificate_bundle_ids: [bundle.id],
      certificate_quantity: 500,
    };
    const before = await s.eventCount();
    const first = await post('/api/certificates/transfer', w.producer.token, 'move-20', body);
    const second = await post('/api/certificates/transfer', w.producer.token, 'move-20', body);
    expect(first.status).toBe(200);
    expectReplayOf(second, first);
    expect(first.body).toMatchObject({ action: 'transfer', certificate_quantity: 500, target_id: w.traderAccount });
    expect(await s.eventCount()).toBe(before + 1);

    const received = await bundlesOf(w.trader.token, w.traderAccount, { issuance_id: bundle.issuance_id });
    expect(received.map((b) => [b.bundle_quantity, b.split_from_bundle_id])).toEqual([[500, bundle.id]]);
    const left = await bundlesOf(w.producer.token, w.producerAccount, { issuance_id: bundle.issuance_id });
    expect(left.map((b) => [b.id, b.bundle_quantity])).toEqual([[bundle.id, 1000]]);
  });

  it('refuses the same key with a different body with 422 idempotency_key_reused, doing nothing', async () => {
    const first = await post('/api/accounts', w.trader.token, 'acct-2', { account_name: 'Original' });
    expect(first.status).toBe(201);
    const before = await s.eventCount();
    const reused = await post('/api/accounts', w.trader.token, 'acct-2', { account_name: 'Something else' });
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reused.body).toMatchObject({
      code: 'idempotency_key_reused',
      errors: [{ field: 'header/idempotency-key', message: expect.any(String) }],
    });
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    expect(await s.eventCount()).toBe(before);
    const names = (await s.request('GET', '/api/accounts', { token: w.trader.token })).body.items.map(
      (a: any) => a.account_name,
    );
    expect(names).toContain('Original');
    expect(names).not.toContain('Something else');
  });

  it('refuses the same key on a different route with 422 idempotency_key_reused', async () => {
    const first = await post('/api/accounts', w.producer.token, 'shared-route-key', { account_name: 'Route A' });
    expect(first.status).toBe(201);
    const before = await s.eventCount();
    const other = await post(`/api/accounts/${w.producerAccount}/whitelist`, w.producer.token, 'shared-route-key', {
      add: [w.outsiderAccount],
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await s.eventCount()).toBe(before);
    const whitelist = await s.request('GET', `/api/accounts/${w.producerAccount}/whitelist`, {
      token: w.producer.token,
    });
    expect(whitelist.body.accepts_from).toEqual([]);
  });

  it('keeps keys per caller: another user may use the same key for its own request', async () => {
    const key = 'per-user';
    const before = await s.eventCount();
    const mine = await post('/api/accounts', w.trader.token, key, { account_name: 'Mine' });
    const theirs = await post('/api/accounts', w.outsider.token, key, { account_name: 'Mine' });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(await s.eventCount()).toBe(before + 2);
    const outsiderAccounts = (await s.request('GET', '/api/accounts', { token: w.outsider.token })).body.items.map(
      (a: any) => a.id,
    );
    expect(outsiderAccounts).toContain(theirs.body.id);
    expect(outsiderAccounts).not.toContain(mine.body.id);

    // Each caller's retry still replays its own answer.
    const retry = await post('/api/accounts', w.outsider.token, key, { account_name: 'Mine' });
    expectReplayOf(retry, theirs);
    expect(await s.eventCount()).toBe(before + 2);
  });

  it('does not remember a request refused by validation, so the corrected retry runs', async () => {
    const before = await s.eventCount();
    const invalid = await post('/api/accounts', w.trader.token, 'fix-me', { account_name: '' });
    expect(invalid.status).toBe(400);
    const fixed = await post('/api/accounts', w.trader.token, 'fix-me', { account_name: 'Fixed' });
    expect(fixed.status).toBe(201);
    expect(fixed.body.account_name).toBe('Fixed');
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    expect(await s.eventCount()).toBe(before + 1);
  });

  it('replays a retry whose body lists the same fields in another order', async () => {
    const body = {
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      granular_certificate_bundle_ids: [(await issue(s, w, [[30, 900]]))[0].id],
      certificate_quantity: 100,
    };
    const reordered = {
      certificate_quantity: 100,
      granular_certificate_bundle_ids: body.granular_certificate_bundle_ids,
      target_id: w.traderAccount,
      source_id: w.producerAccount,
    };
    const before = await s.eventCount();
    const first = await post('/api/certificates/transfer', w.producer.token, 'move-30', body);
    const second = await post('/api/certificates/transfer', w.producer.token, 'move-30', reordered);
    expect(first.status).toBe(200);
    expectReplayOf(second, first);
    expect(await s.eventCount()).toBe(before + 1);
  });

  it('hashes a body the same whatever the order of its keys (property)', () => {
    const shuffled = (v: unknown, flip: boolean): unknown => {
      if (Array.isArray(v)) return v.map((x) => shuffled(x, flip));
      if (v === null || typeof v !== 'object') return v;
      const entries = Object.entries(v).map(([k, x]) => [k, shuffled(x, !flip)] as const);
      return Object.fromEntries(flip ? entries.reverse() : entries);
    };
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.boolean(),
        (value, flip) => canonicalJson(shuffled(value, flip)) === canonicalJson(value),
      ),
    );
  });

  describe('routes whose answer carries a secret', () => {
    const storedAnswers = async () =>
      await platform(s.db.database.kysely).selectFrom('idempotency_keys').select(['key', 'body']).execute();

    it('never stores the answer of POST /api/api-keys: a retry mints a new key and no row holds either', async () => {
      const first = await post('/api/api-keys', w.trader.token, 'mint-1', { name: 'robot' });
      const second = await post('/api/api-keys', w.trader.token, 'mint-1', { name: 'robot' });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
      expect(second.body.key).not.toBe(first.body.key);
      const rows = await storedAnswers();
      expect(rows.filter((r) => r.key === 'mint-1')).toEqual([]);
      expect(rows.filter((r) => r.body?.includes(first.body.key) || r.body?.includes(second.body.key))).toEqual([]);
    });

    it('never stores the tokens of POST /api/token or POST /api/token/refresh', async () => {
      const email = `secret-${process.pid}@example.com`;
      await createUser(
        s.db.database.kysely,
        { email, password: 'correct horse battery', name: 'S', role: 'trader', verifiedAt: s.clock.now() },
        null,
      );
      const login = await s.request('POST', '/api/token', {
        body: { email, password: 'correct horse battery' },
        headers: { 'idempotency-key': 'login-1' },
      });
      expect(login.status).toBe(200);
      const refreshed = await s.request('POST', '/api/token/refresh', {
        body: { refresh: login.body.refresh },
        headers: { 'idempotency-key': 'refresh-1' },
      });
      expect(refreshed.status).toBe(200);
      const rows = await storedAnswers();
      expect(rows.filter((r) => r.key === 'login-1' || r.key === 'refresh-1')).toEqual([]);
      for (const secret of [login.body.access, login.body.refresh, refreshed.body.access, refreshed.body.refresh]) {
        expect(rows.filter((r) => r.body?.includes(secret))).toEqual([]);
      }
    });

    it('are exactly the routes the OpenAPI document marks x-mints-secrets, and every answer naming a secret is marked', async () => {
      const spec = (await s.request('GET', '/openapi.json')).body;
      const SECRET = /token|secret|password|link|^key$|^access$|^refresh$/;
      const namesSecret = (schema: any): boolean => {
        if (!schema || typeof schema !== 'object') return false;
        if (Object.keys(schema.properties ?? {}).some((name) => SECRET.test(name))) return true;
        return [
          ...Object.values(schema.properties ?? {}),
          schema.items,
          ...(schema.allOf ?? []),
          ...(schema.anyOf ?? []),
        ].some(namesSecret);
      };
      const marked: string[] = [];
      const carrying: string[] = [];
      for (const [path, ops] of Object.entries<any>(spec.paths)) {
        for (const [method, op] of Object.entries<any>(ops)) {
          const name = `${method.toUpperCase()} ${path}`;
          if (op['x-mints-secrets'] === true) marked.push(name);
          const answers = Object.entries<any>(op.responses ?? {}).filter(([status]) => status.startsWith('2'));
          if (answers.some(([, r]) => namesSecret(r.content?.['application/json']?.schema))) carrying.push(name);
        }
      }
      expect(carrying.sort()).toEqual(marked.sort());
      expect(marked.sort()).toEqual([
        'POST /api/api-keys',
        'POST /api/token',
        'POST /api/token/refresh',
        'POST /api/user/register',
      ]);
    });
  });

  it('refuses a key longer than 255 characters with 400 invalid_idempotency_key', async () => {
    const before = await s.eventCount();
    const r = await post('/api/accounts', w.trader.token, 'k'.repeat(256), { account_name: 'Long key' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'invalid_idempotency_key', errors: [{ field: 'header/idempotency-key' }] });
    expect(await s.eventCount()).toBe(before);
  });
});
