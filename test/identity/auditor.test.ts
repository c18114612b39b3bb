// Auditors read everything and act on nothing: every route of the OpenAPI document that may change
// state answers an auditor 403 and changes nothing, but for the few that say why an auditor may
// call them (its own credentials, queries that take a body, sealing).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let auditor: { id: number; token: string };
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  auditor = await s.user('auditor');
});
afterAll(() => s.close());

const MUTATING = ['post', 'patch', 'put', 'delete'];
/**
 * Public routes (no caller to refuse), the auditor's own credentials, queries with a body, and
 * sealing, which auditors are granted by name.
 */
const AUDITORS_MAY = [
  'POST /api/user/register',
  'POST /api/token',
  'POST /api/token/refresh',
  'POST /api/api-keys',
  'DELETE /api/api-keys/{id}',
  'POST /api/certificates/query',
  'POST /api/certificates/aggregate',
  'POST /api/ledger/seal',
];

it('refuses an auditor every route that changes state, and nothing changes', async () => {
  const [bundle] = await issue(s, w, [[0, 1000]]);
  const spec = await expectStatus(s.request('GET', '/openapi.json'), 200);
  const routes = Object.entries<Record<string, unknown>>(spec.paths)
    .filter(([path]) => path.startsWith('/api/'))
    .flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => MUTATING.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
  expect(routes).toEqual(expect.arrayContaining(AUDITORS_MAY));
  const refused = routes.filter((r) => !AUDITORS_MAY.includes(r));
  expect(refused).toEqual(
    expect.arrayContaining([
      'POST /api/accounts',
      'POST /api/communities',
      'POST /api/accounts/{id}/members',
      'POST /api/invitations/{id}/accept',
    ]),
  );

  const before = {
    events: await s.eventCount(),
    accounts: (await expectStatus(s.request('GET', '/api/accounts?limit=1000', { token: auditor.token }), 200)).items,
  };
  for (const route of refused) {
    const [method, path] = route.split(' ') as [string, string];
    // Real ids, so a refusal cannot come from a missing row; the body does not matter, the role does.
    const url = path.replace('{id}', String(w.producerAccount)).replace(/\{[a-z_]+\}/g, String(w.producer.id));
    const r = await s.request(method, url, {
      token: auditor.token,
      body: { source_id: w.producerAccount, granular_certificate_bundle_ids: [bundle.id], account_name: 'Audited' },
    });
    expect([route, r.status, r.body.code]).toEqual([
      route,
      403,
      expect.stringMatching(/^(auditors_read_only|role_required)$/),
    ]);
  }
  expect(await s.eventCount()).toBe(before.events);
  expect(
    (await expectStatus(s.request('GET', '/api/accounts?limit=1000', { token: auditor.token }), 200)).items,
  ).toEqual(before.accounts);
  expect(
    await expectStatus(s.request('GET', `/api/certificates/${bundle.id}`, { token: auditor.token }), 200),
  ).toMatchObject({ account_id: w.producerAccount, certificate_bundle_status: 'active', bundle_quantity: 1000 });
});

it('lets an auditor query certificates and manage its own API keys', async () => {
  const page = await expectStatus(
    s.request('POST', '/api/certificates/query', { token: auditor.token, body: { source_id: w.producerAccount } }),
    200,
  );
  expect(page.items.map((b: any) => b.bundle_quantity)).toEqual([1000]);
  const key = await expectStatus(
    s.request('POST', '/api/api-keys', { token: auditor.token, body: { name: 'audit script' } }),
    201,
  );
  expect(
    (await expectStatus(s.request('DELETE', `/api/api-keys/${key.id}`, { token: auditor.token }), 200)).revoked_at,
  ).not.toBeNull();
});
