// Registry rules no other test pins: hours not over never auto-issue, only an issuing body turns
// auto-issue on or re-rates a device, a metering point's device is of its own account, disclosures
// name consumption points and sum an account's points, and a single-point upload keeps to its point.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { autoIssuanceJob, listPending } from '../../src/registry/auto-issuance.ts';
import { runAsLeader } from '../../src/platform/jobs.ts';
import { buildWorld, CAPACITY_W, expectStatus, hour, issue, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
const PRODUCTION = '571313174000000101';
const CONSUMER = '571313174000000201';
const CONSUMER2 = '571313174000000202';
const OUTSIDER_POINT = '571313174000000301';
const HOUR_MS = 3_600_000;
const DAY = { period_start: '2025-06-01T00:00:00Z', period_end: '2025-06-02T00:00:00Z' };

const hourly = (h: number, wh: number) => ({
  interval_start_datetime: hour(h).production_starting_interval,
  interval_end_datetime: hour(h).production_ending_interval,
  interval_usage: wh,
});
const device = async () => expectStatus(s.request('GET', `/api/devices/${w.device}`, { token: w.producer.token }), 200);

beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: PRODUCTION, type: 'production', account_id: w.producerAccount, device_id: w.device },
    }),
    201,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.trader.token,
      body: { id: CONSUMER, type: 'consumption', account_id: w.traderAccount },
    }),
    201,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.trader.token,
      body: { id: CONSUMER2, type: 'consumption', account_id: w.traderAccount },
    }),
    201,
  );
  await expectStatus(
    s.request('POST', '/api/metering-points', {
      token: w.outsider.token,
      body: { id: OUTSIDER_POINT, type: 'consumption', account_id: w.outsiderAccount },
    }),
    201,
  );
});
afterAll(() => s.close());

describe('who sets auto-issue and capacity', () => {
  it('refuses a holder turning auto-issue on, and lets the issuing body', async () => {
    const before = await device();
    expect(before.auto_issue).toBe(false);
    const events = await s.eventCount();
    const r = await s.request('PATCH', `/api/devices/${w.device}`, {
      token: w.producer.token,
      body: { auto_issue: true },
    });
    expect([r.status, r.body.code]).toEqual([403, 'role_required']);
    expect(await s.eventCount()).toBe(events);
    expect(await device()).toEqual(before);
    const on = await expectStatus(
      s.request('PATCH', `/api/devices/${w.device}`, { token: w.issuer.token, body: { auto_issue: true } }),
      200,
    );
    expect(on.auto_issue).toBe(true);
    expect(await s.eventCount()).toBe(events + 1);
  });

  it('refuses a holder re-rating its device', async () => {
    const before = await device();
    const events = await s.eventCount();
    const r = await s.request('PATCH', `/api/devices/${w.device}`, {
      token: w.producer.token,
      body: { capacity: 2_000_000 },
    });
    expect([r.status, r.body.code]).toEqual([403, 'role_required']);
    expect(await s.eventCount()).toBe(events);
    expect(await device()).toEqual(before);
    expect(before.capacity).toBe(CAPACITY_W);
  });
});

describe('automatic issuance', () => {
  it('never issues an hour that has not ended', async () => {
    // A meter reports only the past, so the hour is seen from inside it by the job's own clock.
    const start = Math.floor(s.clock.now().getTime() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    const duringIt = new Date(start + 30 * 60_000);
    const reading = {
      interval_start_datetime: new Date(start).toISOString(),
      interval_end_datetime: new Date(start + HOUR_MS).toISOString(),
      interval_usage: 500,
    };
    await expectStatus(
      s.request('POST', `/api/metering-points/${PRODUCTION}/readings`, {
        token: w.producer.token,
        body: { readings: [reading] },
      }),
      200,
    );
    expect(
      (
        await expectStatus(
          s.request('PATCH', `/api/devices/${w.device}`, { token: w.issuer.token, body: { auto_issue: true } }),
          200,
        )
      ).auto_issue,
    ).toBe(true);
    const db = s.db.database.kysely;
    const issuer = { userId: w.issuer.id, role: 'issuer' as const, email: 'issuer@example.com' };
    const expected = [
      {
        device_id: w.device,
        production_starting_interval: reading.interval_start_datetime,
        production_ending_interval: reading.interval_end_datetime,
        wh: 500,
        reason: 'hour_not_over',
      },
    ];
    expect(await listPending(db, issuer, { device_id: w.device }, duringIt)).toEqual(expected);
    expect(await runAsLeader(db, autoIssuanceJob(365), duringIt)).toMatchObject({ count: 0, failed: [] });
    expect(await listPending(db, issuer, { device_id: w.device }, duringIt)).toEqual(expected);
    // Once it is over, it issues.
    expect(await runAsLeader(db, autoIssuanceJob(365), new Date(start + HOUR_MS))).toMatchObject({
      count: 1,
      failed: [],
    });
  });
});

describe('a metering point and its device', () => {
  it('refuses a device of another account, even from an issuing body who sees every device', async () => {
    const events = await s.eventCount();
    const r = await s.request('POST', '/api/metering-points', {
      token: w.issuer.token,
      body: { id: 'X-OTHER', type: 'production', account_id: w.traderAccount, device_id: w.device },
    });
    expect([r.status, r.body.code]).toEqual([422, 'device_of_another_account']);
    expect(r.body.errors.map((e: any) => e.field)).toEqual(['body/device_id']);
    expect(await s.eventCount()).toBe(events);
    expect((await s.request('GET', '/api/metering-points/X-OTHER', { token: w.issuer.token })).status).toBe(404);
  });

  it('refuses a consumption point with a device', async () => {
    const events = await s.eventCount();
    const r = await s.request('POST', '/api/metering-points', {
      token: w.producer.token,
      body: { id: 'X-CONS', type: 'consumption', account_id: w.producerAccount, device_id: w.device },
    });
    expect([r.status, r.body.code]).toEqual([422, 'consumption_point_with_device']);
    expect(r.body.errors.map((e: any) => e.field)).toEqual(['body/device_id']);
    expect(await s.eventCount()).toBe(events);
    expect((await s.request('GET', '/api/metering-points/X-CONS', { token: w.producer.token })).status).toBe(404);
  });
});

describe('disclosures', () => {
  it('refuses a production point, naming it', async () => {
    const events = await s.eventCount();
    const listed = (await expectStatus(s.request('GET', '/api/disclosures'), 200)).items.length;
    const r = await s.request('POST', '/api/disclosures', {
      token: w.producer.token,
      body: { metering_point_ids: [PRODUCTION], ...DAY },
    });
    expect([r.status, r.body.code]).toEqual([400, 'not_a_consumption_point']);
    expect(r.body.errors.map((e: any) => e.field)).toEqual(['body/metering_point_ids/0']);
    expect(await s.eventCount()).toBe(events);
    expect((await expectStatus(s.request('GET', '/api/disclosures'), 200)).items.length).toBe(listed);
  });

  it("sums every consumption point of an account and its claims, not another account's", async () => {
    await expectStatus(
      s.request('POST', `/api/metering-points/${CONSUMER}/readings`, {
        token: w.trader.token,
        body: { readings: [hourly(10, 1000), hourly(11, 1000), hourly(12, 500)] },
      }),
      200,
    );
    await expectStatus(
      s.request('POST', `/api/metering-points/${CONSUMER2}/readings`, {
        token: w.trader.token,
        body: { readings: [hourly(12, 300)] },
      }),
      200,
    );
    await expectStatus(
      s.request('POST', `/api/metering-points/${OUTSIDER_POINT}/readings`, {
        token: w.outsider.token,
        body: { readings: [hourly(10, 5000)] },
      }),
      200,
    );
    // The device is metered: the issuing body issues no more than its point metered.
    await expectStatus(
      s.request('POST', `/api/metering-points/${PRODUCTION}/readings`, {
        token: w.producer.token,
        body: { readings: [hourly(10, 600), hourly(11, 2000)] },
      }),
      200,
    );
    const bundles = await issue(s, w, [
      [10, 600],
      [11, 2000],
    ]);
    const ids = bundles.map((b) => b.id);
    await expectStatus(
      s.request('POST', '/api/certificates/transfer', {
        token: w.producer.token,
        body: { source_id: w.producerAccount, target_id: w.traderAccount, granular_certificate_bundle_ids: ids },
      }),
      200,
    );
    const cancelled = (
      await expectStatus(
        s.request('POST', '/api/certificates/cancel', {
          token: w.trader.token,
          body: { source_id: w.traderAccount, granular_certificate_bundle_ids: ids, beneficiary: 'Trader' },
        }),
        200,
      )
    ).bundles;
    // 600 Wh of 10:00 and 1,500 of the 2,000 Wh of 11:00 claimed; 500 stay cancelled, unclaimed.
    await expectStatus(
      s.request('POST', '/api/certificates/claim', {
        token: w.trader.token,
        body: {
          source_id: w.traderAccount,
          granular_certificate_bundle_ids: cancelled.map((b: any) => b.id),
          certificate_quantity: 2100,
          metering_point_id: CONSUMER,
        },
      }),
      200,
    );

    const links = await expectStatus(
      s.request('POST', '/api/disclosures', { token: w.trader.token, body: { account_id: w.traderAccount, ...DAY } }),
      201,
    );
    const d = await expectStatus(s.request('GET', `/api/disclosures/${links.id}/data.json`), 200);
    // Consumption 1000 + 1000 + (500 + 300); the outsider's 5000 Wh are not the trader's.
    expect(d).toMatchObject({
      consumer: { account_id: w.traderAccount },
      consumption_wh: 2800,
      claimed_wh: 2100,
      matched_wh: 1600,
    });
    expect(d.hours.map((h: any) => [h.hour_start, h.consumption_wh, h.claimed_wh])).toEqual([
      ['2025-06-01T10:00:00.000Z', 1000, 600],
      ['2025-06-01T11:00:00.000Z', 1000, 1500],
      ['2025-06-01T12:00:00.000Z', 800, 0],
    ]);
  });
});

describe('single-point uploads', () => {
  it('refuses a CSV row naming another point, storing nothing', async () => {
    const events = await s.eventCount();
    const text = [
      'metering_point_id,interval_start_datetime,interval_end_datetime,interval_usage',
      `${PRODUCTION},2025-07-01T00:00:00Z,2025-07-01T01:00:00Z,100`,
      `${CONSUMER},2025-07-01T01:00:00Z,2025-07-01T02:00:00Z,100`,
      '',
    ].join('\n');
    const r = await s.request('POST', `/api/metering-points/${PRODUCTION}/readings`, {
      token: w.producer.token,
      raw: text,
      headers: { 'content-type': 'text/csv' },
    });
    expect([r.status, r.body.code]).toEqual([400, 'other_metering_point']);
    expect(r.body.errors.map((e: any) => e.field)).toEqual(['csv/row/3/metering_point_id']);
    expect(await s.eventCount()).toBe(events);
    const stored = await expectStatus(
      s.request(
        'GET',
        `/api/metering-points/${PRODUCTION}/readings?from=2025-07-01T00:00:00Z&to=2025-07-02T00:00:00Z`,
        { token: w.producer.token },
      ),
      200,
    );
    expect(stored.items).toEqual([]);
  });
});
