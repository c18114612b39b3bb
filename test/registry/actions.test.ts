import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, hour, issue, type World } from '../helpers/world.ts';
import { runAsLeader } from '../../src/platform/jobs.ts';
import { jobsFor } from '../../src/app.ts';
import { checkRegistry } from '../../src/registry/check.ts';

let s: TestServer;
let w: World;
let h = 0; // each test issues fresh hours
beforeAll(async () => {
  s = await startServer();
  w = await buildWorld(s);
});
afterAll(async () => {
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
  await s.close();
});

const post = (path: string, token: string, body: unknown) => s.request('POST', path, { token, body });
const one = async (wh: number) => (await issue(s, w, [[h++, wh]]))[0];
const get = (id: number, token = w.producer.token) =>
  expectStatus(s.request('GET', `/api/certificates/${id}`, { token }), 200);

describe('transfer', () => {
  it('moves whole bundles to a whitelisting account', async () => {
    const a = await one(100);
    const b = await one(200);
    const r = await expectStatus(
      post('/api/certificates/transfer', w.producer.token, {
        source_id: w.producerAccount,
        target_id: w.traderAccount,
        granular_certificate_bundle_ids: [a.id, b.id],
      }),
      200,
    );
    expect(r).toMatchObject({
      action: 'transfer',
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      certificate_quantity: 300,
      remainders: [],
      statement_id: null,
    });
    expect(r.bundles.map((x: any) => [x.id, x.account_id, x.certificate_bundle_status])).toEqual([
      [a.id, w.traderAccount, 'active'],
      [b.id, w.traderAccount, 'active'],
    ]);
  });

  it('splits for a partial quantity: the transferred part takes the lowest ids', async () => {
    const a = await one(1000);
    const r = await expectStatus(
      post('/api/certificates/transfer', w.producer.token, {
        source_id: w.producerAccount,
        target_id: w.traderAccount,
        granular_certificate_bundle_ids: [a.id],
        certificate_quantity: 250,
      }),
      200,
    );
    const [moved] = r.bundles;
    const [rest] = r.remainders;
    expect([
      moved.certificate_bundle_id_range_start,
      moved.certificate_bundle_id_range_end,
      moved.bundle_quantity,
      moved.account_id,
      moved.split_from_bundle_id,
    ]).toEqual([
      a.certificate_bundle_id_range_start,
      a.certificate_bundle_id_range_start + 249,
      250,
      w.traderAccount,
      a.id,
    ]);
    expect([
      rest.id,
      rest.certificate_bundle_id_range_start,
      rest.certificate_bundle_id_range_end,
      rest.bundle_quantity,
      rest.account_id,
    ]).toEqual([
      a.id,
      a.certificate_bundle_id_range_start + 250,
      a.certificate_bundle_id_range_end,
      750,
      w.producerAccount,
    ]);
    expect(moved.issuance_id).toBe(a.issuance_id);
  });

  it('takes whole bundles first, in the listed order, and splits only the last one', async () => {
    const a = await one(100);
    const b = await one(100);
    const c = await one(100);
    const r = await expectStatus(
      post('/api/certificates/transfer', w.producer.token, {
        source_id: w.producerAccount,
        target_id: w.traderAccount,
        granular_certificate_bundle_ids: [c.id, a.id, b.id],
        certificate_quantity: 150,
      }),
      200,
    );
    expect(r.certificate_quantity).toBe(150);
    expect(r.bundles.map((x: any) => x.bundle_quantity)).toEqual([100, 50]);
    expect(r.bundles[0].id).toBe(c.id);
    expect(r.remainders.map((x: any) => [x.id, x.bundle_quantity])).toEqual([[a.id, 50]]);
    expect((await get(b.id)).account_id).toBe(w.producerAccount);
  });

  it('refuses a target that has not whitelisted the source, or does not exist, alike, and changes nothing', async () => {
    const a = await one(10);
    const before = await s.eventCount();
    const refusal = async (target: number) => {
      const r = await post('/api/certificates/transfer', w.producer.token, {
        source_id: w.producerAccount,
        target_id: target,
        granular_certificate_bundle_ids: [a.id],
      });
      return JSON.parse(
        JSON.stringify([r.status, r.body.code, r.body.detail, r.body.errors]).replaceAll(String(target), 'N'),
      );
    };
    const unwilling = await refusal(w.outsiderAccount);
    const detail = `account N does not accept transfers from account ${w.producerAccount}; it must add it to its whitelist`;
    expect(unwilling).toEqual([422, 'transfer_not_accepted', detail, [{ field: 'body/target_id', message: detail }]]);
    // A missing account must not be told apart from an unwilling one: account ids cannot be probed.
    expect(await refusal(987_654)).toEqual(unwilling);
    expect(await s.eventCount()).toBe(before);
    expect((await get(a.id)).account_id).toBe(w.producerAccount);
  });

  it('answers for the source before the target: a caller who may not act on the source learns nothing of the target', async () => {
    const a = await one(10);
    const before = await s.eventCount();
    const refusal = async (token: string, source: number, target: number) => {
      const r = await post('/api/certificates/transfer', token, {
        source_id: source,
        target_id: target,
        granular_certificate_bundle_ids: [a.id],
      });
      return [r.status, r.body.code, r.body.detail];
    };
    const hidden = [404, 'account_not_found', `account ${w.producerAccount} not found`];
    // The trader is no member of the producer's account: whatever the target, willing or missing.
    expect(await refusal(w.trader.token, w.producerAccount, w.traderAccount)).toEqual(hidden);
    expect(await refusal(w.trader.token, w.producerAccount, 987_654)).toEqual(hidden);
    expect(await refusal(w.producer.token, 876_543, 987_654)).toEqual([
      404,
      'account_not_found',
      'account 876543 not found',
    ]);
    expect(await s.eventCount()).toBe(before);
    expect((await get(a.id)).account_id).toBe(w.producerAccount);
  });

  it('refuses a transfer by an auditor and from a closed source as any action on them, and changes nothing', async () => {
    const a = await one(10);
    const auditor = await s.user('auditor', 'transfer-auditor');
    const spare = await expectStatus(post('/api/accounts', w.producer.token, { account_name: 'Closed source' }), 201);
    await expectStatus(s.request('DELETE', `/api/accounts/${spare.id}`, { token: w.producer.token }), 200);
    const before = await s.eventCount();
    const transfer = (token: string, source: number) =>
      post('/api/certificates/transfer', token, {
        source_id: source,
        target_id: w.traderAccount,
        granular_certificate_bundle_ids: [a.id],
      });
    const byAuditor = await transfer(auditor.token, w.producerAccount);
    expect([byAuditor.status, byAuditor.body.code]).toEqual([403, 'auditors_read_only']);
    const fromClosed = await transfer(w.producer.token, spare.id);
    expect([fromClosed.status, fromClosed.body.code, fromClosed.body.detail]).toEqual([
      409,
      'account_closed',
      `account ${spare.id} is closed`,
    ]);
    expect(await s.eventCount()).toBe(before);
    expect((await get(a.id)).account_id).toBe(w.producerAccount);
  });

  it("shows the target of a split transfer only the part it received, never the source's remainder", async () => {
    const a = await one(1000);
    const r = await expectStatus(
      post('/api/certificates/transfer', w.producer.token, {
        source_id: w.producerAccount,
        target_id: w.traderAccount,
        granular_certificate_bundle_ids: [a.id],
        certificate_quantity: 400,
      }),
      200,
    );
    const seen = async (token: string) => {
      const { items } = await expectStatus(
        s.request('GET', `/api/events?type=certificates.transferred&subject_id=${w.producerAccount}&limit=1000`, {
          token,
        }),
        200,
      );
      const event = items.find((e: any) => e.id === r.action_id);
      return event.payload.bundles.map((b: any) => [b.id, b.account_id, b.bundle_quantity]);
    };
    expect(await seen(w.trader.token)).toEqual([[r.bundles[0].id, w.traderAccount, 400]]);
    expect((await s.request('GET', `/api/certificates/${a.id}`, { token: w.trader.token })).status).toBe(404);
    // The source, and those who read every account, see the whole event as the ledger holds it.
    const whole = [
      [r.bundles[0].id, w.traderAccount, 400],
      [a.id, w.producerAccount, 600],
    ];
    expect(await seen(w.producer.token)).toEqual(whole);
    expect(await seen(w.issuer.token)).toEqual(whole);
  });

  it('refuses a closed target account, even one that whitelisted the source', async () => {
    const buyer = await s.user('trader');
    const closing = await expectStatus(post('/api/accounts', buyer.token, { account_name: 'Closing' }), 201);
    await expectStatus(post(`/api/accounts/${closing.id}/whitelist`, buyer.token, { add: [w.producerAccount] }), 200);
    await expectStatus(s.request('DELETE', `/api/accounts/${closing.id}`, { token: buyer.token }), 200);
    const a = await one(10);
    const before = await s.eventCount();
    const r = await post('/api/certificates/transfer', w.producer.token, {
      source_id: w.producerAccount,
      target_id: closing.id,
      granular_certificate_bundle_ids: [a.id],
    });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('account_closed');
    expect(await s.eventCount()).toBe(before);
    expect((await get(a.id)).account_id).toBe(w.producerAccount);
  });

  it('refuses more than the bundles hold, all or nothing', async () => {
    const a = await one(10);
    const r = await post('/api/certificates/transfer', w.producer.token, {
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      granular_certificate_bundle_ids: [a.id],
      certificate_quantity: 11,
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('insufficient_quantity');
    const all = await post('/api/certificates/transfer', w.producer.token, {
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      granular_certificate_bundle_ids: [a.id, 999_999],
    });
    expect(all.status).toBe(404);
    expect((await get(a.id)).account_id).toBe(w.producerAccount);
  });
});

describe('cancel and claim', () => {
  it('cancels for a beneficiary with one statement that can be fetched again', async () => {
    const a = await one(400);
    const b = await one(600);
    const r = await expectStatus(
      post('/api/certificates/cancel', w.producer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [a.id, b.id],
        certificate_quantity: 700,
        beneficiary: 'Acme A/S',
        purpose: 'Scope 2 2025',
      }),
      200,
    );
    expect(r.certificate_quantity).toBe(700);
    expect(
      r.bundles.every(
        (x: any) =>
          x.certificate_bundle_status === 'cancelled' &&
          x.beneficiary === 'Acme A/S' &&
          x.cancellation_statement_id === r.statement_id,
      ),
    ).toBe(true);
    const st = await expectStatus(
      s.request('GET', `/api/certificates/statements/${r.statement_id}`, { token: w.producer.token }),
      200,
    );
    expect(st).toMatchObject({
      id: r.statement_id,
      account_id: w.producerAccount,
      beneficiary: 'Acme A/S',
      purpose: 'Scope 2 2025',
      total_wh: 700,
      by_energy_source: [{ energy_source: 'solar_pv', wh: 700 }],
    });
    expect(st.by_hour).toEqual([
      { hour: a.production_starting_interval, energy_source: 'solar_pv', wh: 400 },
      { hour: b.production_starting_interval, energy_source: 'solar_pv', wh: 300 },
    ]);
    expect(st.bundles.map((x: any) => x.bundle_quantity)).toEqual([400, 300]);
    // Another account's member does not see the statement.
    expect(
      (await s.request('GET', `/api/certificates/statements/${r.statement_id}`, { token: w.outsider.token })).status,
    ).toBe(404);
  });

  it('claims only cancelled bundles, for a consumer and period', async () => {
    const a = await one(50);
    const early = await post('/api/certificates/claim', w.producer.token, {
      source_id: w.producerAccount,
      granular_certificate_bundle_ids: [a.id],
      consumer: 'Acme',
    });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('invalid_status');
    await expectStatus(
      post('/api/certificates/cancel', w.producer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [a.id],
        beneficiary: 'Acme',
      }),
      200,
    );
    const noConsumer = await post('/api/certificates/claim', w.producer.token, {
      source_id: w.producerAccount,
      granular_certificate_bundle_ids: [a.id],
    });
    expect(noConsumer.status).toBe(400);
    const period = { period_start: '2025-06-01T00:00:00Z', period_end: '2025-07-01T00:00:00Z' };
    await expectStatus(
      post('/api/metering-points', w.producer.token, {
        id: '571313174000000001',
        type: 'consumption',
        account_id: w.producerAccount,
      }),
      201,
    );
    const c = await expectStatus(
      post('/api/certificates/claim', w.producer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [a.id],
        metering_point_id: '571313174000000001',
        ...period,
      }),
      200,
    );
    expect(c.bundles[0]).toMatchObject({
      certificate_bundle_status: 'claimed',
      claim_metering_point_id: '571313174000000001',
      claim_period_start: '2025-06-01T00:00:00.000Z',
      claim_period_end: '2025-07-01T00:00:00.000Z',
    });
    const again = await post('/api/certificates/claim', w.producer.token, {
      source_id: w.producerAccount,
      granular_certificate_bundle_ids: [a.id],
      consumer: 'Acme',
    });
    expect(again.status).toBe(409);
  });
});

describe('status rules', () => {
  it.each([
    // action, status the bundle is put in first (via these actions), allowed?
    ['reserve', [], 'reserved'],
    ['lock', [], 'locked'],
    ['unreserve', ['reserve'], 'active'],
    ['unlock', ['lock'], 'active'],
    ['cancel', ['reserve'], 'cancelled'],
  ] as const)('%s after %j leaves the bundle %s', async (action, before, expected) => {
    const a = await one(10);
    for (const step of before)
      await expectStatus(
        post(`/api/certificates/${step}`, w.producer.token, {
          source_id: w.producerAccount,
          granular_certificate_bundle_ids: [a.id],
        }),
        200,
      );
    const extra = action === 'cancel' ? { beneficiary: 'B' } : {};
    const r = await expectStatus(
      post(`/api/certificates/${action}`, w.producer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [a.id],
        ...extra,
      }),
      200,
    );
    expect(r.bundles[0].certificate_bundle_status).toBe(expected);
  });

  it.each([
    ['transfer', 'reserve'],
    ['transfer', 'lock'],
    ['lock', 'reserve'],
    ['reserve', 'lock'],
    ['unlock', 'reserve'],
    ['unreserve', 'lock'],
    ['cancel', 'lock'],
  ] as const)('refuses %s of a bundle after %s with 409 and changes nothing', async (action, first) => {
    const a = await one(10);
    await expectStatus(
      post(`/api/certificates/${first}`, w.producer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [a.id],
      }),
      200,
    );
    const before = await s.eventCount();
    const extra =
      action === 'transfer' ? { target_id: w.traderAccount } : action === 'cancel' ? { beneficiary: 'B' } : {};
    const r = await post(`/api/certificates/${action}`, w.producer.token, {
      source_id: w.producerAccount,
      granular_certificate_bundle_ids: [a.id],
      ...extra,
    });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('invalid_status');
    expect(await s.eventCount()).toBe(before);
  });

  it('lets the issuing body withdraw a locked bundle but nothing final', async () => {
    const a = await one(10);
    await expectStatus(
      post('/api/certificates/lock', w.producer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [a.id],
      }),
      200,
    );
    const r = await expectStatus(
      post('/api/certificates/withdraw', w.issuer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [a.id],
      }),
      200,
    );
    expect(r.bundles[0].certificate_bundle_status).toBe('withdrawn');
    expect(
      (
        await post('/api/certificates/withdraw', w.issuer.token, {
          source_id: w.producerAccount,
          granular_certificate_bundle_ids: [a.id],
        })
      ).status,
    ).toBe(409);
  });

  it('expires active bundles past their expiry date with the periodic job, and only those', async () => {
    const [a, b] = await issue(s, w, [
      [h++, 5],
      [h++, 6],
    ]);
    await expectStatus(
      post('/api/certificates/reserve', w.producer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [b.id],
      }),
      200,
    );
    const expire = jobsFor(s.config, s.clock).find((j) => j.name === 'expire-certificates')!;
    const expiry = new Date(a.expiry_datestamp);
    const db = s.db.database.kysely;
    // Only bundles of this test are due at this instant: move the others' expiry out of the way first.
    await sql`UPDATE bundles SET expiry_datestamp = expiry_datestamp + interval '100 years'
      WHERE id NOT IN (${a.id}, ${b.id})`.execute(db);
    expect(await runAsLeader(db, expire, new Date(expiry.getTime() - 1))).toBe(0);
    expect(await runAsLeader(db, expire, expiry)).toBe(1);
    expect((await get(a.id)).certificate_bundle_status).toBe('expired');
    expect((await get(b.id)).certificate_bundle_status).toBe('reserved');
    await sql`UPDATE bundles SET expiry_datestamp = expiry_datestamp - interval '100 years'
      WHERE id NOT IN (${a.id}, ${b.id})`.execute(db);
  });
});

describe('query and aggregates', () => {
  it('pages through every bundle of an account exactly once, with filters', async () => {
    const bundles = await issue(
      s,
      w,
      Array.from({ length: 7 }, (_, k) => [500 + k, 10 + k] as [number, number]),
    );
    const period = {
      certificate_period_start: hour(500).production_starting_interval,
      certificate_period_end: hour(507).production_starting_interval,
    };
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await expectStatus(
        post('/api/certificates/query', w.producer.token, {
          source_id: w.producerAccount,
          ...period,
          limit: 3,
          ...(cursor ? { cursor } : {}),
        }),
        200,
      );
      seen.push(...page.items.map((b: any) => b.id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(bundles.map((b) => b.id));
    expect(pages).toBe(3);
    const byIssuance = await expectStatus(
      post('/api/certificates/query', w.producer.token, {
        source_id: w.producerAccount,
        issuance_id: bundles[2].issuance_id,
      }),
      200,
    );
    expect(byIssuance.items.map((b: any) => b.id)).toEqual([bundles[2].id]);
    // An issuance id of this account queried through another account finds nothing.
    const other = await expectStatus(
      post('/api/certificates/query', w.trader.token, {
        source_id: w.traderAccount,
        issuance_id: bundles[2].issuance_id,
      }),
      200,
    );
    expect(other.items).toEqual([]);
    const wind = await expectStatus(
      post('/api/certificates/query', w.producer.token, {
        source_id: w.producerAccount,
        ...period,
        energy_source: ['wind'],
      }),
      200,
    );
    expect(wind.items).toEqual([]);
    const bad = await post('/api/certificates/query', w.producer.token, {
      source_id: w.producerAccount,
      cursor: 'garbage',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body/cursor');
  });

  it('aggregates Wh by day and status', async () => {
    const base = '2025-09-01T00:00:00Z';
    const issued = await expectStatus(
      post('/api/certificates/issue', w.issuer.token, {
        device_id: w.device,
        intervals: [
          { ...hour(0, base), wh: 10 },
          { ...hour(1, base), wh: 20 },
          { ...hour(25, base), wh: 40 },
        ],
      }),
      201,
    );
    await expectStatus(
      post('/api/certificates/reserve', w.producer.token, {
        source_id: w.producerAccount,
        granular_certificate_bundle_ids: [issued.bundles[0].id],
      }),
      200,
    );
    const r = await expectStatus(
      post('/api/certificates/aggregate', w.producer.token, {
        source_id: w.producerAccount,
        granularity: 'day',
        certificate_period_start: base,
        certificate_period_end: '2025-09-03T00:00:00Z',
      }),
      200,
    );
    expect(r.items).toEqual([
      {
        period_start: '2025-09-01T00:00:00.000Z',
        energy_source: 'solar_pv',
        certificate_bundle_status: 'active',
        bundles: 1,
        wh: 20,
      },
      {
        period_start: '2025-09-01T00:00:00.000Z',
        energy_source: 'solar_pv',
        certificate_bundle_status: 'reserved',
        bundles: 1,
        wh: 10,
      },
      {
        period_start: '2025-09-02T00:00:00.000Z',
        energy_source: 'solar_pv',
        certificate_bundle_status: 'active',
        bundles: 1,
        wh: 40,
      },
    ]);
  });
});
