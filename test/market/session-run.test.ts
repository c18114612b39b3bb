// A session run end to end on the internal rail: a buyer whose plant follows seller A's a day
// later, seller B's pure noise. The run charges the buyer for the gain, pays A nearly all of it and
// B about nothing, to the base unit (payments = fee + revenues), forecasts the next 24 hours, and
// stages the next session at the updated price.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { checkMarket, marketRound, openMarket, type Market } from '../../src/market/index.ts';
import { TEST_START } from '../helpers/clock.ts';
import { knownAnswerSeries } from '../helpers/market.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const HOURS = 1440;
const HOUR_MS = 3_600_000;

describe('a session run', () => {
  let s: TestServer;
  let market: Market;
  let admin: { id: number; token: string };
  const users: Record<'buyer' | 'a' | 'b', { id: number; token: string; resource: string }> = {} as never;

  beforeAll(async () => {
    s = await startServer({ TALLY_MARKET_SCHEDULE: 'manual' });
    market = openMarket(s.db.database.kysely, s.config.market, s.clock);
    admin = await s.user('admin');
    const start = TEST_START.getTime() - HOURS * HOUR_MS;
    const known = knownAnswerSeries(HOURS);
    const series = { a: known.a, buyer: known.buyer, b: known.b };
    for (const who of ['buyer', 'a', 'b'] as const) {
      const user = await s.user('producer', who);
      const resource = await s.request('POST', '/api/market/resources', {
        token: user.token,
        body: { name: `${who}-plant`, type: 'measurements', to_forecast: who === 'buyer' },
      });
      const points = series[who].map((value, t) => ({ datetime: new Date(start + t * HOUR_MS).toISOString(), value }));
      const upload = await s.request('POST', `/api/market/resources/${resource.body.id}/data`, {
        token: user.token,
        body: { units: 'w', time_interval: 60, points },
      });
      expect(upload.body).toEqual({ written: HOURS, replaced: 0 });
      users[who] = { ...user, resource: resource.body.id };
    }
  });
  afterAll(async () => s?.close());

  it('charges the gain, pays the informative seller, forecasts and stages the next session', async () => {
    const session = (await s.request('POST', '/api/market/sessions', { token: admin.token, body: {} })).body.id;
    const move = (status: string) =>
      s.request('PATCH', `/api/market/sessions/${session}`, { token: admin.token, body: { status } });
    expect((await move('open')).status).toBe(200);
    await s.request('POST', `/api/market/balances/${users.buyer.id}/credit`, {
      token: admin.token,
      body: { amount: '1000000000' },
    });
    const bid = await s.request('POST', '/api/market/bids', {
      token: users.buyer.token,
      body: {
        session_id: session,
        resource_id: users.buyer.resource,
        bid_price: '10000000',
        max_payment: '1000000000',
        gain_func: 'rmse',
      },
    });
    expect(
      (await s.request('POST', `/api/market/bids/${bid.body.id}/payment`, { token: users.buyer.token, body: {} })).body
        .confirmed,
    ).toBe(true);
    expect((await move('closed')).status).toBe(200);
    expect((await move('running')).body.status).toBe('running');

    expect(await marketRound(market, s.clock.now())).toEqual({ count: 1, failed: [] });

    const finished = await s.request('GET', `/api/market/sessions/${session}`, { token: admin.token });
    expect(finished.body.status).toBe('finished');
    const report = (await s.request('GET', `/api/market/sessions/${session}/report`, { token: admin.token })).body;
    expect(report.seed).toEqual(expect.any(Number));
    expect(report.inputs_hash).toMatch(/^[0-9a-f]{64}$/);
    // The year of history before the uploaded 60 days is one long gap, filled with each series' mean;
    // within the 60 days nothing was missing.
    expect(report.filled).toEqual(
      expect.arrayContaining(
        (['buyer', 'a', 'b'] as const).map((who) => ({
          resource_id: users[who].resource,
          back_filled: 0,
          mean_filled: 8760 - HOURS,
        })),
      ),
    );
    const [outcome] = report.bids;
    expect(outcome).toMatchObject({ bid_id: bid.body.id, ran: true, noise: 0, shapley_method: 'exact' });
    expect(outcome.gain).toBeGreaterThan(5);
    const byUser = Object.fromEntries(outcome.sellers.map((x: { user_id: number }) => [x.user_id, x]));
    expect(byUser[users.a.id].share).toBeGreaterThan(0.9);
    expect(byUser[users.b.id].share).toBeLessThan(0.05);

    // To the base unit: what the buyer paid is the fee plus what the sellers earned.
    const payment = BigInt(outcome.payment);
    const revenues = outcome.sellers.reduce((sum: bigint, x: { revenue: string }) => sum + BigInt(x.revenue), 0n);
    expect(payment).toBeGreaterThan(0n);
    expect(payment).toBe(BigInt(outcome.fee) + revenues);
    expect(BigInt(report.fee)).toBe(BigInt(outcome.fee));
    const balances = Object.fromEntries(
      (await s.request('GET', '/api/market/balances', { token: admin.token })).body.items.map(
        (x: { user_id: number; balance: string }) => [x.user_id, BigInt(x.balance)],
      ),
    );
    expect(balances[users.buyer.id]).toBe(1_000_000_000n - payment);
    expect(balances[users.a.id]).toBe(BigInt(byUser[users.a.id].revenue));
    expect(balances[users.b.id] ?? 0n).toBe(BigInt(byUser[users.b.id].revenue));

    // The next 24 hours, each with its band.
    const forecasts = (
      await s.request('GET', `/api/market/forecasts?session_id=${session}`, { token: users.buyer.token })
    ).body.items;
    expect(forecasts.map((f: { datetime: string }) => f.datetime)).toEqual(
      Array.from({ length: 24 }, (_, h) => new Date(TEST_START.getTime() + h * HOUR_MS).toISOString()),
    );
    for (const f of forecasts) expect(f.q10 <= f.q50 && f.q50 <= f.q90).toBe(true);
    expect(
      (await s.request('GET', `/api/market/forecasts?session_id=${session}`, { token: users.a.token })).body.items,
    ).toEqual([]);

    const sessions = (await s.request('GET', '/api/market/sessions', { token: admin.token })).body.items;
    expect(sessions.map((x: { id: number; status: string }) => [x.id, x.status])).toEqual([
      [session + 1, 'staged'],
      [session, 'finished'],
    ]);
  });

  it('records every step of the session in the ledger, in order', async () => {
    const events = await s.request('GET', '/api/events?subject_type=market_session&subject_id=1', {
      token: admin.token,
    });
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
      'market.session.staged',
      'market.session.open',
      'market.session.closed',
      'market.session.running',
      'market.session.finished',
    ]);
    const bidEvents = await s.request('GET', '/api/events?subject_type=market_bid', { token: admin.token });
    expect(bidEvents.body.items.map((e: { type: string }) => e.type)).toEqual([
      'market.bid.placed',
      'market.bid.confirmed',
    ]);
  });

  it('scores the forecasts against the measurements that arrive afterwards', async () => {
    const forecasts = (await s.request('GET', '/api/market/forecasts?session_id=1', { token: users.buyer.token })).body
      .items as Array<{ datetime: string; q10: number; q50: number; q90: number }>;
    // The buyer measures exactly the median forecast, 100 W off in the last hour.
    const points = forecasts.map((f, i) => ({ datetime: f.datetime, value: f.q50 + (i === 23 ? 100 : 0) }));
    await s.request('POST', `/api/market/resources/${users.buyer.resource}/data`, {
      token: users.buyer.token,
      body: { units: 'w', time_interval: 60, points },
    });
    const report = (await s.request('GET', '/api/market/sessions/1/report', { token: users.buyer.token })).body;
    const score = report.bids[0].score;
    expect(score.hours_measured).toBe(24);
    expect(score.rmse).toBeCloseTo(Math.sqrt((100 * 100) / 24), 9);
    // Another user sees no bid of the buyer's in the report.
    expect((await s.request('GET', '/api/market/sessions/1/report', { token: users.a.token })).body.bids).toEqual([]);
  });

  it('passes tally check, which catches a balance that is not the sum of its transactions', async () => {
    const db = s.db.database.kysely;
    expect(await checkMarket(db)).toEqual([]);
    await sql`UPDATE market_participants SET balance = balance + 1 WHERE user_id = ${users.a.id}`.execute(db);
    expect((await checkMarket(db)).map((v) => v.rule)).toEqual(['market_balance_is_its_transactions']);
  });
});
