// The EnergyTag face's standing orders and mutable updates, driven as a draft client would:
// recurring_transfer and recurring_cancel make standing orders the job runs once per period,
// update_mutables sets the holder's reference, and account, status and issued fields are refused
// naming the field (and the action that changes it). Every answer is checked against the draft.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUuid, uuidOf } from '../../src/faces/energytag/index.ts';
import { runAsLeader } from '../../src/platform/jobs.ts';
import { checkRegistry } from '../../src/registry/check.ts';
import { standingOrdersJob } from '../../src/registry/standing-order-runs.ts';
import { draftValidator, loadDraft } from '../helpers/energytag.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

const validator = draftValidator(loadDraft());
const PREFIX = '/energytag/v2';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

let s: TestServer;
let w: World;
let producer: string;
let trader: string;
let issuances: string[];
beforeAll(async () => {
  // The clock jumps days ahead: tokens outlive the test.
  s = await startServer({ TALLY_ACCESS_TOKEN_TTL: String(365 * 86_400) });
  w = await buildWorld(s);
  producer = uuidOf('account', w.producerAccount);
  trader = uuidOf('account', w.traderAccount);
  const bundles = await issue(s, w, [
    [0, 5000],
    [1, 3000],
  ]);
  issuances = bundles.map((b) => uuidOf('issuance', b.issuance_id));
});
afterAll(async () => {
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
  await s.close();
});

/** Calls a draft operation and checks the status and the answer against the draft's schema for it. */
async function call(method: string, path: string, body: unknown, status: number, token = w.producer.token) {
  const r = await s.request(method, `${PREFIX}${path}`, { token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(validator.check(method, path, r.status, r.body)).toEqual([]);
  return r.body;
}
const tick = () => runAsLeader(s.db.database.kysely, standingOrdersJob, s.clock.now());
const now = (ms = 0) => new Date(s.clock.now().getTime() + ms).toISOString();
async function held(account: number) {
  const { rows } = await sql<{ status: string; wh: number }>`
    SELECT certificate_bundle_status AS status, sum(bundle_quantity)::bigint AS wh FROM bundles
    WHERE account_id = ${account} GROUP BY 1 ORDER BY 1`.execute(s.db.database.kysely);
  return Object.fromEntries(rows.map((r) => [r.status, r.wh]));
}

describe('the EnergyTag face: standing orders and mutable fields', () => {
  it('recurring_transfer makes a standing order the job runs once per period', async () => {
    const made = await call(
      'POST',
      '/certificates/certificates/recurring_transfer',
      {
        source_id: producer,
        target_id: trader,
        source_certificate_issuance_id: issuances[0],
        certificate_quantity: 1000,
        initial_transfer_datetime: now(),
        recurring_transfer_period_units: 'days',
        recurring_transfer_period_quantity: 1,
        number_of_recurring_transfers: 2,
      },
      202,
    );
    expect(made).toMatchObject({ action_response_status: 'accepted', source_id: producer, certificate_quantity: 1000 });
    const order = readUuid(made.action_id);
    expect(order?.kind).toBe('standing_order');
    const native = await expectStatus(
      s.request('GET', `/api/standing-orders/${order?.id}`, { token: w.producer.token }),
      200,
    );
    expect(native).toMatchObject({
      action: 'transfer',
      target_id: w.traderAccount,
      period_unit: 'day',
      period_quantity: 1,
      number_of_runs: 2,
      selection: { issuance_id: readUuid(issuances[0]!)?.id },
    });
    expect(await tick()).toEqual({ count: 1, failed: [] });
    expect(await held(w.traderAccount)).toEqual({ active: 1000 });
    s.clock.advance(2 * DAY_MS);
    expect(await tick()).toEqual({ count: 1, failed: [] });
    expect(await held(w.traderAccount)).toEqual({ active: 2000 });
  });

  it('recurring_cancel cancels for the account holder when no beneficiary is named', async () => {
    const made = await call(
      'POST',
      '/certificates/certificates/recurring_cancel',
      {
        source_id: producer,
        source_certificate_issuance_id: issuances[1],
        certificate_quantity: 500,
        initial_cancellation_datetime: now(),
        recurring_cancellation_period_units: 'Years',
      },
      202,
    );
    const order = readUuid(made.action_id);
    const native = await expectStatus(
      s.request('GET', `/api/standing-orders/${order?.id}`, { token: w.producer.token }),
      200,
    );
    // A year is twelve months; without a number of runs, the order runs until it is ended.
    expect(native).toMatchObject({
      action: 'cancel',
      beneficiary: 'Producer',
      period_unit: 'month',
      period_quantity: 12,
      number_of_runs: null,
    });
    expect(await tick()).toEqual({ count: 1, failed: [] });
    expect(await held(w.producerAccount)).toEqual({ active: 5500, cancelled: 500 });
    await expectStatus(s.request('POST', `/api/standing-orders/${order?.id}/end`, { token: w.producer.token }), 200);
  });

  it('update_mutables sets the holder’s reference of the bundles the filter selects', async () => {
    const events = await s.eventCount();
    const updated = await call(
      'PATCH',
      '/certificates/certificates/update_mutables',
      { source_id: producer, source_certificate_issuance_id: issuances[0], holder_reference: 'PPA-7' },
      201,
    );
    expect(updated).toMatchObject({ action_response_status: 'accepted', certificate_quantity: 3000 });
    expect(readUuid(updated.action_id)?.kind).toBe('action');
    expect(await s.eventCount()).toBe(events + 1);
    const { rows } = await sql<{ ref: string | null; wh: number }>`
      SELECT holder_reference AS ref, sum(bundle_quantity)::bigint AS wh FROM bundles
      WHERE account_id = ${w.producerAccount} GROUP BY 1 ORDER BY 1`.execute(s.db.database.kysely);
    expect(rows).toEqual([
      { ref: 'PPA-7', wh: 3000 },
      { ref: null, wh: 3000 },
    ]);
  });

  it('refuses with the draft’s 422, naming the field, and changes nothing', async () => {
    const transfer = {
      source_id: producer,
      target_id: trader,
      certificate_quantity: 100,
      initial_transfer_datetime: now(),
      recurring_transfer_period_units: 'days',
    };
    const refusals: Array<[string, string, Record<string, unknown>, (string | number)[], string?]> = [
      [
        'POST',
        '/certificates/certificates/recurring_transfer',
        { ...transfer, certificate_quantity: undefined },
        ['body', 'certificate_quantity'],
      ],
      [
        'POST',
        '/certificates/certificates/recurring_transfer',
        { ...transfer, recurring_transfer_period_units: 'fortnights' },
        ['body', 'recurring_transfer_period_units'],
      ],
      [
        'POST',
        '/certificates/certificates/recurring_transfer',
        { ...transfer, initial_transfer_datetime: now(-DAY_MS) },
        ['body', 'initial_transfer_datetime'],
        'first_period_past',
      ],
      [
        'POST',
        '/certificates/certificates/recurring_transfer',
        { ...transfer, sparse_filter_list: { [uuidOf('device', w.device)]: now() } },
        ['body', 'sparse_filter_list'],
      ],
      [
        'POST',
        '/certificates/certificates/recurring_transfer',
        { ...transfer, source_certificate_certificate_bundle_id_range_start: 1 },
        ['body', 'source_certificate_issuance_id'],
        'range_needs_issuance',
      ],
      [
        'POST',
        '/certificates/certificates/recurring_cancel',
        {
          source_id: producer,
          certificate_quantity: 100,
          initial_cancellation_datetime: now(),
          recurring_cancellation_period_units: 'weeks',
          certificate_bundle_status: 'Claimed',
        },
        ['body', 'certificate_bundle_status'],
        'status_not_acted_on',
      ],
      [
        'PATCH',
        '/certificates/certificates/update_mutables',
        { source_id: producer, certificate_bundle_status: 'Cancelled', holder_reference: 'x' },
        ['body', 'certificate_bundle_status'],
        'immutable_field',
      ],
      [
        'PATCH',
        '/certificates/certificates/update_mutables',
        { source_id: producer, id: trader, holder_reference: 'x' },
        ['body', 'id'],
        'immutable_field',
      ],
      [
        'PATCH',
        '/certificates/certificates/update_mutables',
        { source_id: producer, bundle_quantity: 1, holder_reference: 'x' },
        ['body', 'bundle_quantity'],
        'immutable_field',
      ],
      [
        'PATCH',
        '/certificates/certificates/update_mutables',
        { source_id: producer, id: uuidOf('device', w.device) },
        ['body', 'holder_reference'],
      ],
      [
        'PATCH',
        '/certificates/certificates/update_mutables',
        { source_id: producer, certificate_quantity: 10, holder_reference: 'x' },
        ['body', 'certificate_quantity'],
        'whole_bundles_only',
      ],
    ];
    const events = await s.eventCount();
    const orders = await sql`SELECT count(*) AS n FROM standing_orders`.execute(s.db.database.kysely);
    for (const [method, path, body, loc, type] of refusals) {
      const r = await call(method, path, body, 422);
      expect(r.detail[0].loc, JSON.stringify(body)).toEqual(loc);
      if (type) expect(r.detail[0].type).toBe(type);
    }
    const status = await call(
      'PATCH',
      '/certificates/certificates/update_mutables',
      { source_id: producer, certificate_bundle_status: 'Cancelled' },
      422,
    );
    expect(status.detail[0].msg).toContain('/certificates/certificates/cancel');
    const account = await call(
      'PATCH',
      '/certificates/certificates/update_mutables',
      { source_id: producer, id: trader },
      422,
    );
    expect(account.detail[0].msg).toContain('/certificates/certificates/transfer');
    expect(await s.eventCount()).toBe(events);
    expect(await sql`SELECT count(*) AS n FROM standing_orders`.execute(s.db.database.kysely)).toEqual(orders);
  });
});
