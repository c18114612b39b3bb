// Standing orders over HTTP, run by the job at the times the test's clock is set to: each period
// once, missed periods caught up once each in order after downtime, a run short of Wh recorded with
// nothing moved (or, partial, what there was), an ended order no longer running, every run its own
// action's event, two rounds at once running nothing twice, and `tally check` proving the runs.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsLeader } from '../../src/platform/jobs.ts';
import { checkRegistry } from '../../src/registry/check.ts';
import { runStandingOrders, standingOrdersJob } from '../../src/registry/standing-order-runs.ts';
import { checkAfter } from '../helpers/check-after.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

let s: TestServer;
let w: World;
let h = 0; // each test issues fresh hours
beforeAll(async () => {
  // The clock jumps days ahead: tokens outlive the test.
  s = await startServer({ TALLY_ACCESS_TOKEN_TTL: String(365 * 86_400) });
  w = await buildWorld(s);
});
afterAll(async () => {
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
  await s.close();
});

const db = () => s.db.database.kysely;
/** One round of the job as of the clock's time. */
const tick = () => runAsLeader(db(), standingOrdersJob, s.clock.now());
const at = (ms: number) => new Date(s.clock.now().getTime() + ms).toISOString();

async function order(body: Record<string, unknown>, token = w.producer.token) {
  return expectStatus(s.request('POST', '/api/standing-orders', { token, body }), 201);
}
async function runs(id: number, token = w.producer.token) {
  return (await expectStatus(s.request('GET', `/api/standing-orders/${id}/runs`, { token }), 200)).items;
}
/** Wh of `issuance` the account holds, by status. */
async function held(account: number, issuance: number) {
  const { rows } = await sql<{ status: string; wh: number }>`
    SELECT certificate_bundle_status AS status, sum(bundle_quantity)::bigint AS wh FROM bundles
    WHERE account_id = ${account} AND issuance_id = ${issuance} GROUP BY 1 ORDER BY 1`.execute(db());
  return Object.fromEntries(rows.map((r) => [r.status, r.wh]));
}
async function eventsOf(type: string, since: number) {
  const { rows } = await sql<{ id: number; payload: any }>`
    SELECT id, payload FROM events WHERE type = ${type} AND id > ${since} ORDER BY id`.execute(db());
  return rows;
}
const lastEvent = async () =>
  Number((await sql<{ id: number }>`SELECT coalesce(max(id), 0) AS id FROM events`.execute(db())).rows[0]?.id);

describe('a standing transfer', () => {
  it('runs each period once, catches up missed periods once each in order, and stops after its runs', async () => {
    const [bundle] = await issue(s, w, [[h++, 10_000]]);
    const first = at(HOUR_MS);
    const o = await order({
      action: 'transfer',
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      selection: { issuance_id: bundle.issuance_id },
      certificate_quantity: 1500,
      first_period_start: first,
      period_unit: 'day',
      number_of_runs: 3,
    });
    expect(o).toMatchObject({
      action: 'transfer',
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      selection: { issuance_id: bundle.issuance_id },
      certificate_quantity: 1500,
      partial: false,
      period_unit: 'day',
      period_quantity: 1,
      number_of_runs: 3,
      runs: 0,
      next_period_start: new Date(first).toISOString(),
      ended_at: null,
    });
    // Before the first period: nothing.
    expect(await tick()).toEqual({ count: 0, failed: [] });
    s.clock.advance(HOUR_MS + 60_000);
    const before = await lastEvent();
    expect(await tick()).toEqual({ count: 1, failed: [] });
    // Once per period: the same period does not run again.
    expect(await tick()).toEqual({ count: 0, failed: [] });
    expect(await held(w.traderAccount, bundle.issuance_id)).toEqual({ active: 1500 });
    const [run] = await runs(o.id);
    expect(run).toEqual({
      sequence: 0,
      period_start: new Date(first).toISOString(),
      ran_at: s.clock.now().toISOString(),
      outcome: 'fulfilled',
      certificate_quantity: 1500,
      action_id: expect.any(Number),
      reason_code: null,
      reason: null,
    });
    // The run is an ordinary transfer with its own event, and the run its own event after it.
    const [transferred] = await eventsOf('certificates.transferred', before);
    expect(transferred?.id).toBe(run.action_id);
    expect(transferred?.payload.request).toMatchObject({
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      certificate_quantity: 1500,
    });
    const [ran] = await eventsOf('standing_order.ran', before);
    expect(ran?.payload).toEqual({ order_id: o.id, run });

    // Tally is down for three days: the two periods left run at the next tick, once each, in order.
    s.clock.advance(3 * DAY_MS);
    expect(await tick()).toEqual({ count: 2, failed: [] });
    const all = await runs(o.id);
    expect(all.map((r: any) => [r.sequence, r.period_start, r.outcome, r.certificate_quantity])).toEqual([
      [0, new Date(first).toISOString(), 'fulfilled', 1500],
      [1, new Date(Date.parse(first) + DAY_MS).toISOString(), 'fulfilled', 1500],
      [2, new Date(Date.parse(first) + 2 * DAY_MS).toISOString(), 'fulfilled', 1500],
    ]);
    expect(new Set(all.map((r: any) => r.action_id)).size).toBe(3);
    expect(await held(w.traderAccount, bundle.issuance_id)).toEqual({ active: 4500 });
    expect(await held(w.producerAccount, bundle.issuance_id)).toEqual({ active: 5500 });
    // Every run made: no more.
    s.clock.advance(5 * DAY_MS);
    expect(await tick()).toEqual({ count: 0, failed: [] });
    expect(
      await expectStatus(s.request('GET', `/api/standing-orders/${o.id}`, { token: w.trader.token }), 404),
    ).toMatchObject({ code: 'standing_order_not_found' });
    expect(
      await expectStatus(s.request('GET', `/api/standing-orders/${o.id}`, { token: w.producer.token }), 200),
    ).toMatchObject({ runs: 3, next_period_start: null });
  });

  it('records a run it cannot fulfil and moves nothing; partial takes what there is', async () => {
    const [bundle] = await issue(s, w, [[h++, 1000]]);
    const common = {
      action: 'transfer',
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      selection: { issuance_id: bundle.issuance_id },
      certificate_quantity: 1200,
      first_period_start: at(0),
      period_unit: 'hour',
    };
    const whole = await order(common);
    const bundles = async () =>
      (await sql`SELECT id, account_id, certificate_bundle_id_range_start FROM bundles ORDER BY id`.execute(db())).rows;
    const state = await bundles();
    const before = await lastEvent();
    expect(await tick()).toEqual({ count: 1, failed: [] });
    expect(await bundles()).toEqual(state);
    const [run] = await runs(whole.id);
    expect(run).toMatchObject({
      sequence: 0,
      outcome: 'unfulfilled',
      certificate_quantity: 0,
      action_id: null,
      reason_code: 'insufficient_quantity',
      reason: 'the bundles hold 1000 Wh, less than certificate_quantity 1200',
    });
    // One event, the run's: no action happened.
    expect((await eventsOf('standing_order.ran', before)).map((e) => e.payload.run.outcome)).toEqual(['unfulfilled']);
    expect(await eventsOf('certificates.transferred', before)).toEqual([]);
    await expectStatus(s.request('POST', `/api/standing-orders/${whole.id}/end`, { token: w.producer.token }), 200);

    const partial = await order({ ...common, partial: true });
    s.clock.advance(60_000);
    expect(await tick()).toEqual({ count: 1, failed: [] });
    expect(await runs(partial.id)).toEqual([
      expect.objectContaining({
        outcome: 'partial',
        certificate_quantity: 1000,
        action_id: expect.any(Number),
        reason_code: 'insufficient_quantity',
        reason: 'the selection held 1000 Wh of the 1200 Wh ordered',
      }),
    ]);
    expect(await held(w.traderAccount, bundle.issuance_id)).toEqual({ active: 1000 });
    // The next hour finds nothing: recorded, nothing moved.
    s.clock.advance(HOUR_MS);
    expect(await tick()).toEqual({ count: 1, failed: [] });
    expect((await runs(partial.id))[1]).toMatchObject({
      outcome: 'unfulfilled',
      reason_code: 'no_matching_certificates',
    });
    await expectStatus(s.request('POST', `/api/standing-orders/${partial.id}/end`, { token: w.producer.token }), 200);
  });

  it('stops once ended; ending twice is refused', async () => {
    const [bundle] = await issue(s, w, [[h++, 5000]]);
    const o = await order({
      action: 'cancel',
      source_id: w.producerAccount,
      beneficiary: 'ACME A/S',
      purpose: 'Scope 2',
      selection: { issuance_id: bundle.issuance_id, certificate_bundle_status: 'active' },
      certificate_quantity: 1000,
      first_period_start: at(0),
      period_unit: 'week',
      period_quantity: 2,
    });
    expect(await tick()).toEqual({ count: 1, failed: [] });
    expect(await held(w.producerAccount, bundle.issuance_id)).toEqual({ active: 4000, cancelled: 1000 });
    const ended = await expectStatus(
      s.request('POST', `/api/standing-orders/${o.id}/end`, { token: w.producer.token }),
      200,
    );
    expect(ended).toMatchObject({ runs: 1, ended_at: s.clock.now().toISOString(), next_period_start: null });
    s.clock.advance(30 * DAY_MS);
    expect(await tick()).toEqual({ count: 0, failed: [] });
    expect(await held(w.producerAccount, bundle.issuance_id)).toEqual({ active: 4000, cancelled: 1000 });
    const events = await s.eventCount();
    expect(
      await expectStatus(s.request('POST', `/api/standing-orders/${o.id}/end`, { token: w.producer.token }), 409),
    ).toMatchObject({ code: 'standing_order_ended' });
    expect(await s.eventCount()).toBe(events);
    const listed = await expectStatus(
      s.request('GET', `/api/standing-orders?account_id=${w.producerAccount}`, { token: w.producer.token }),
      200,
    );
    expect(listed.items.map((x: any) => x.id)).toContain(o.id);
  });

  it('runs nothing twice when two rounds run at once', async () => {
    const [bundle] = await issue(s, w, [[h++, 9000]]);
    const o = await order({
      action: 'transfer',
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      selection: { issuance_id: bundle.issuance_id },
      certificate_quantity: 1000,
      first_period_start: at(0),
      period_unit: 'hour',
      number_of_runs: 4,
    });
    s.clock.advance(3 * HOUR_MS);
    const now = s.clock.now();
    // Two instances' rounds at once: the leader lock lets one run.
    const [a, b] = await Promise.all([
      runAsLeader(db(), standingOrdersJob, now),
      runAsLeader(db(), standingOrdersJob, now),
    ]);
    // Past the lock too (two rounds in their own transactions): the order's row lock serialises them.
    const [c, d] = await Promise.all([
      db()
        .transaction()
        .execute((trx) => runStandingOrders(trx, now)),
      db()
        .transaction()
        .execute((trx) => runStandingOrders(trx, now)),
    ]);
    const counts = [a, b, c, d].map((r) => (r === undefined ? 0 : typeof r === 'number' ? r : r.count));
    expect(counts.reduce((x, y) => x + y, 0)).toBe(4);
    expect((await runs(o.id)).map((r: any) => r.sequence)).toEqual([0, 1, 2, 3]);
    expect(await held(w.traderAccount, bundle.issuance_id)).toEqual({ active: 4000 });
  });
});

describe('making a standing order', () => {
  it('refuses what it cannot run, naming the field, and changes nothing', async () => {
    const events = await s.eventCount();
    const base = {
      action: 'transfer',
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      certificate_quantity: 100,
      first_period_start: at(0),
      period_unit: 'day',
    };
    const refusals: Array<[Record<string, unknown>, number, string, string?, { token: string }?]> = [
      [{ ...base, target_id: undefined }, 400, 'target_required', 'body/target_id'],
      [{ ...base, target_id: w.producerAccount }, 400, 'same_account', 'body/target_id'],
      [{ ...base, beneficiary: 'x' }, 400, 'invalid_request', 'body/beneficiary'],
      [{ ...base, action: 'cancel', target_id: undefined }, 400, 'beneficiary_required', 'body/beneficiary'],
      [{ ...base, first_period_start: at(-DAY_MS) }, 400, 'first_period_past', 'body/first_period_start'],
      [{ ...base, period_unit: 'year' }, 400, 'invalid_request', '/period_unit'],
      [
        { ...base, selection: { certificate_bundle_status: 'cancelled' } },
        422,
        'status_not_acted_on',
        'body/selection/certificate_bundle_status',
      ],
      [
        { ...base, selection: { certificate_bundle_id_range_start: 1 } },
        400,
        'range_needs_issuance',
        'body/selection/issuance_id',
      ],
      // The target does not take transfers from the outsider's account; the producer's account is not the trader's.
      [
        { ...base, source_id: w.traderAccount, target_id: w.producerAccount },
        404,
        'account_not_found',
        undefined,
        w.producer,
      ],
      [
        { ...base, source_id: w.outsiderAccount, target_id: w.producerAccount },
        422,
        'transfer_not_accepted',
        'body/target_id',
        w.outsider,
      ],
    ];
    for (const [body, status, code, field, who] of refusals) {
      const r = await s.request('POST', '/api/standing-orders', { token: (who ?? w.producer).token, body });
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.code).toBe(code);
      if (field) expect(JSON.stringify(r.body.errors ?? [])).toContain(field);
    }
    expect(await s.eventCount()).toBe(events);
  });
});

describe('tally check', () => {
  it('finds a run whose action is not its own, a run off its schedule and a skipped period', async () => {
    const [bundle] = await issue(s, w, [[h++, 3000]]);
    const o = await order({
      action: 'transfer',
      source_id: w.producerAccount,
      target_id: w.traderAccount,
      selection: { issuance_id: bundle.issuance_id },
      certificate_quantity: 1000,
      first_period_start: at(0),
      period_unit: 'hour',
      number_of_runs: 2,
    });
    s.clock.advance(HOUR_MS);
    expect(await tick()).toEqual({ count: 2, failed: [] });
    expect(await checkRegistry(db())).toEqual([]);
    const [first, second] = await runs(o.id);
    // The second run claims the first run's action: that event serves two runs.
    const shared = await checkAfter(db(), (trx) =>
      sql`UPDATE standing_order_runs SET action_id = NULL, outcome = 'unfulfilled', certificate_quantity = 0,
            reason_code = 'x' WHERE order_id = ${o.id} AND sequence = 1`
        .execute(trx)
        .then(() =>
          sql`UPDATE standing_order_runs SET outcome = 'fulfilled', certificate_quantity = 1000, reason_code = NULL,
                action_id = (SELECT id FROM events WHERE type = 'standing_order.created' ORDER BY id DESC LIMIT 1)
              WHERE order_id = ${o.id} AND sequence = 1`.execute(trx),
        ),
    );
    expect(shared.map((v) => v.rule)).toEqual(['standing_order_run_action']);
    expect(shared[0]?.detail).toBe(
      `order ${o.id} run 1: its action event is standing_order.created, not certificates.transferred`,
    );
    // A run for a period its schedule does not have (the same period twice the primary key refuses).
    const twice = await checkAfter(db(), (trx) =>
      sql`UPDATE standing_order_runs SET period_start = ${first.period_start}::timestamptz - interval '1 second'
          WHERE order_id = ${o.id} AND sequence = 1`.execute(trx),
    );
    expect(twice).toEqual([
      {
        rule: 'standing_order_periods',
        detail: `order ${o.id}: run 1 is for ${new Date(Date.parse(first.period_start) - 1000).toISOString()}, its schedule says ${second.period_start}`,
      },
    ]);
    const skipped = await checkAfter(db(), (trx) =>
      sql`UPDATE standing_order_runs SET sequence = 2 WHERE order_id = ${o.id} AND sequence = 1`.execute(trx),
    );
    expect(skipped.map((v) => v.detail)).toEqual([
      `order ${o.id}: run 2 comes where run 1 belongs: period 1 never ran`,
    ]);
  });
});
