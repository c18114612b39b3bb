// Closing an account races with everything that moves certificates into it: whichever commits
// first, a closed account never ends up holding live certificates nobody can act on.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';
import { checkRegistry } from '../../src/registry/check.ts';

let s: TestServer;
let w: World;
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
});
afterAll(() => s.close());

it('never leaves a closed account holding the bundles of 20 transfers racing 10 closes', async () => {
  for (let round = 0; round < 8; round++) {
    const bundles = await issue(
      s,
      w,
      Array.from({ length: 20 }, (_, k): [number, number] => [100 + round * 20 + k, 100]),
    );
    const target = (
      await expectStatus(
        s.request('POST', '/api/accounts', { token: w.trader.token, body: { account_name: `Target ${round}` } }),
        201,
      )
    ).id;
    await expectStatus(
      s.request('POST', `/api/accounts/${target}/whitelist`, {
        token: w.trader.token,
        body: { add: [w.producerAccount] },
      }),
      200,
    );
    const transfers = bundles.map((b) =>
      s.request('POST', '/api/certificates/transfer', {
        token: w.producer.token,
        body: { source_id: w.producerAccount, target_id: target, granular_certificate_bundle_ids: [b.id] },
      }),
    );
    const closes = Array.from({ length: 10 }, () =>
      s.request('DELETE', `/api/accounts/${target}`, { token: w.trader.token }),
    );
    const replies = await Promise.all([...transfers, ...closes]);
    const moved = replies.slice(0, 20).filter((r) => r.status === 200).length;
    const closed = replies.slice(20).filter((r) => r.status === 200).length;
    const summary = await expectStatus(
      s.request('GET', `/api/accounts/${target}/summary`, { token: w.trader.token }),
      200,
    );
    // Either the account closed before any transfer landed, or it stayed open with what arrived.
    expect(summary.total_wh).toBe(moved * 100);
    if (closed > 0) expect(moved).toBe(0);
    for (const r of replies.filter((x) => x.status !== 200)) expect([409, 422]).toContain(r.status);
  }
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
});

it('issues and re-issues nothing into a closed account, and changes nothing', async () => {
  const account = (
    await expectStatus(
      s.request('POST', '/api/accounts', { token: w.producer.token, body: { account_name: 'Closing' } }),
      201,
    )
  ).id;
  await expectStatus(
    s.request('POST', `/api/accounts/${account}/whitelist`, {
      token: w.producer.token,
      body: { add: [w.producerAccount] },
    }),
    200,
  );
  const device = (
    await expectStatus(
      s.request('POST', '/api/devices', {
        token: w.producer.token,
        body: {
          device_name: 'Shed',
          account_id: account,
          technology_code: 'T010101',
          fuel_code: 'F01040100',
          capacity: 1000,
          operational_date: '2020-01-01',
          country: 'DK',
          grid: 'DK1',
          location: { latitude: 55.68, longitude: 12.57 },
          time_zone: 'UTC',
          issuance_metadata: { issuing_body: 'Energinet' },
        },
      }),
      201,
    )
  ).id;
  // A withdrawn bundle is final: the account may close holding it.
  const [b] = await issue(s, w, [[400, 100]]);
  await expectStatus(
    s.request('POST', '/api/certificates/transfer', {
      token: w.producer.token,
      body: { source_id: w.producerAccount, target_id: account, granular_certificate_bundle_ids: [b.id] },
    }),
    200,
  );
  await expectStatus(
    s.request('POST', '/api/certificates/withdraw', {
      token: w.issuer.token,
      body: { source_id: account, granular_certificate_bundle_ids: [b.id] },
    }),
    200,
  );
  // A metered hour ready to issue on its own, until the account closes.
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: 'SHED', type: 'production', account_id: account, device_id: device },
    }),
    201,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points/SHED/readings', {
      token: w.producer.token,
      body: {
        readings: [
          {
            interval_start_datetime: '2025-06-01T00:00:00Z',
            interval_end_datetime: '2025-06-01T01:00:00Z',
            interval_usage: 500,
          },
        ],
      },
    }),
    200,
  );
  await expectStatus(
    s.request('PATCH', `/api/devices/${device}`, { token: w.issuer.token, body: { auto_issue: true } }),
    200,
  );
  await expectStatus(s.request('DELETE', `/api/accounts/${account}`, { token: w.producer.token }), 200);

  const before = await s.eventCount();
  const issued = await s.request('POST', '/api/certificates/issue', {
    token: w.issuer.token,
    body: {
      device_id: device,
      intervals: [
        {
          production_starting_interval: '2025-06-01T00:00:00Z',
          production_ending_interval: '2025-06-01T01:00:00Z',
          wh: 500,
        },
      ],
    },
  });
  expect([issued.status, issued.body.code]).toEqual([409, 'account_closed']);
  const reissued = await s.request('POST', '/api/certificates/reissue', {
    token: w.issuer.token,
    body: { granular_certificate_bundle_id: b.id },
  });
  expect([reissued.status, reissued.body.code]).toEqual([409, 'account_closed']);
  // The job neither issues into it nor counts the device as failed: its hour waits, and says why.
  expect(await expectStatus(s.request('POST', '/api/issuance/run', { token: w.issuer.token }), 200)).toEqual({
    bundles_issued: 0,
    wh_issued: 0,
    failed: [],
  });
  const pending = await expectStatus(
    s.request('GET', `/api/issuance/pending?device_id=${device}`, { token: w.issuer.token }),
    200,
  );
  expect(pending.items.map((p: any) => [p.production_starting_interval, p.wh, p.reason])).toEqual([
    ['2025-06-01T00:00:00.000Z', 500, 'account_closed'],
  ]);
  expect(await s.eventCount()).toBe(before);
  const summary = await expectStatus(
    s.request('GET', `/api/accounts/${account}/summary`, { token: w.producer.token }),
    200,
  );
  expect(summary.by_source_and_status).toEqual([
    { energy_source: 'solar_pv', certificate_bundle_status: 'withdrawn', bundles: 1, wh: 100 },
  ]);
});

it('refuses a transfer and a standing order to a closed account that still whitelists the source, 409 account_closed, and changes nothing', async () => {
  const closed = (
    await expectStatus(
      s.request('POST', '/api/accounts', { token: w.trader.token, body: { account_name: 'Closed, whitelisting' } }),
      201,
    )
  ).id;
  await expectStatus(
    s.request('POST', `/api/accounts/${closed}/whitelist`, {
      token: w.trader.token,
      body: { add: [w.producerAccount] },
    }),
    200,
  );
  await expectStatus(s.request('DELETE', `/api/accounts/${closed}`, { token: w.trader.token }), 200);
  const [b] = await issue(s, w, [[500, 700]]);
  const before = await s.eventCount();

  const transfer = await s.request('POST', '/api/certificates/transfer', {
    token: w.producer.token,
    body: {
      source_id: w.producerAccount,
      target_id: closed,
      granular_certificate_bundle_ids: [b.id],
      certificate_quantity: 300,
    },
  });
  expect([transfer.status, transfer.body.code]).toEqual([409, 'account_closed']);
  const order = await s.request('POST', '/api/standing-orders', {
    token: w.producer.token,
    body: {
      action: 'transfer',
      source_id: w.producerAccount,
      target_id: closed,
      certificate_quantity: 100,
      first_period_start: s.clock.now().toISOString(),
      period_unit: 'day',
    },
  });
  expect([order.status, order.body.code]).toEqual([409, 'account_closed']);

  expect(await s.eventCount()).toBe(before);
  const still = await expectStatus(s.request('GET', `/api/certificates/${b.id}`, { token: w.producer.token }), 200);
  expect([still.account_id, still.certificate_bundle_status, still.bundle_quantity]).toEqual([
    w.producerAccount,
    'active',
    700,
  ]);
  const orders = await expectStatus(s.request('GET', '/api/standing-orders', { token: w.producer.token }), 200);
  expect(orders.items).toEqual([]);
});
