// Idempotency-Key: a retried request gets the first answer back, marked as replayed, and does
// its work once; reusing a key for a different request is refused; keys are per caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Reply, type TestServer } from './helpers/server.ts';
import { buildWorld, hour, issue, type World } from './helpers/world.ts';

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

  const post = (path: string, token: string, key: string, body: unknown) => s.request('POST', path, { token, body, headers: { 'idempotency-key': key } });
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

  it('issues one bundle for two identical POST /api/certificates/issue', async () => {
    const body = { device_id: w.device, intervals: [{ ...hour(10), wh: 4200 }] };
    const before = await s.eventCount();
    const first = await post('/api/certificates/issue', w.issuer.token, 'issue-10', body);
    const second = await post('/api/certificates/issue', w.issuer.token, 'issue-10', body);
    expect(first.status).toBe(201);
    expect(first.body.bundles).toHaveLength(1);
    expectReplayOf(second, first);
    expect(await s.eventCount()).toBe(before + 1);
    const issued = await bundlesOf(w.producer.token, w.producerAccount, { certificate_period_start: hour(10).production_starting_interval, certificate_period_end: hour(11).production_starting_interval });
    expect(issued).toEqual(first.body.bundles);
    expect(issued[0].bundle_quantity).toBe(4200);
  });

  it('transfers once for two identical POST /api/certificates/transfer (a repeat without the key would be refused)', async () => {
    const [bundle] = await issue(s, w, [[20, 1500]]);
    const body = { source_id: w.producerAccount, target_id: w.traderAccount, granular_certificate_bundle_ids: [bundle.id], certificate_quantity: 500 };
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
    expect(reused.body).toMatchObject({ code: 'idempotency_key_reused', errors: [{ field: 'header/idempotency-key', message: expect.any(String) }] });
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    expect(await s.eventCount()).toBe(before);
    const names = (await s.request('GET', '/api/accounts', { token: w.trader.token })).body.items.map((a: any) => a.account_name);
    expect(names).toContain('Original');
    expect(names).not.toContain('Something else');
  });

  it('refuses the same key on a different route with 422 idempotency_key_reused', async () => {
    const first = await post('/api/accounts', w.producer.token, 'shared-route-key', { account_name: 'Route A' });
    expect(first.status).toBe(201);
    const before = await s.eventCount();
    const other = await post(`/api/accounts/${w.producerAccount}/whitelist`, w.producer.token, 'shared-route-key', { add: [w.outsiderAccount] });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await s.eventCount()).toBe(before);
    const whitelist = await s.request('GET', `/api/accounts/${w.producerAccount}/whitelist`, { token: w.producer.token });
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
    const outsiderAccounts = (await s.request('GET', '/api/accounts', { token: w.outsider.token })).body.items.map((a: any) => a.id);
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

  it('refuses a key longer than 255 characters with 400 invalid_idempotency_key', async () => {
    const before = await s.eventCount();
    const r = await post('/api/accounts', w.trader.token, 'k'.repeat(256), { account_name: 'Long key' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'invalid_idempotency_key', errors: [{ field: 'header/idempotency-key' }] });
    expect(await s.eventCount()).toBe(before);
  });
});
