// Standing orders over random schedules (fast-check): whatever the period, the number of runs, the
// partial flag and however the job's ticks fall (several periods apart after downtime, or none),
// each started period runs exactly once, in order, and the Wh moved is what the runs say: the
// quantity per fulfilled run, never more than the selection held, none moved twice.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsLeader } from '../../src/platform/jobs.ts';
import { checkRegistry } from '../../src/registry/check.ts';
import { PERIOD_UNITS, periodStart } from '../../src/registry/schedule.ts';
import { standingOrdersJob } from '../../src/registry/standing-order-runs.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { buildWorld, expectStatus, issue, type World } from '../helpers/world.ts';

let s: TestServer;
let w: World;
let h = 0;
beforeAll(async () => {
  s = await startServer({ TALLY_ACCESS_TOKEN_TTL: String(300 * 365 * 86_400) });
  w = await buildWorld(s);
});
afterAll(async () => {
  expect(await checkRegistry(s.db.database.kysely)).toEqual([]);
  await s.close();
});

/** About how long one period of `unit` lasts, to space the ticks in periods. */
const APPROX_MS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 };

describe('standing orders over random schedules', () => {
  it('run each started period once, and move exactly the quantity of the runs that took it', async () => {
    const schedule = fc.record({
      wh: fc.integer({ min: 1, max: 5000 }),
      quantity: fc.integer({ min: 1, max: 2000 }),
      unit: fc.constantFrom(...PERIOD_UNITS),
      every: fc.integer({ min: 1, max: 3 }),
      runs: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
      partial: fc.boolean(),
      /** When the first period starts, in periods from now. */
      delay: fc.double({ min: 0, max: 2, noNaN: true }),
      /** The job's ticks, each this many periods after the last (0: twice at the same time). */
      ticks: fc.array(fc.double({ min: 0, max: 4, noNaN: true }), { minLength: 1, maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(schedule, async (p) => {
        const [bundle] = await issue(s, w, [[h++, p.wh]]);
        const period = APPROX_MS[p.unit] * p.every;
        const first = new Date(s.clock.now().getTime() + Math.round(p.delay * period));
        const o = await expectStatus(
          s.request('POST', '/api/standing-orders', {
            token: w.producer.token,
            body: {
              action: 'transfer',
              source_id: w.producerAccount,
              target_id: w.traderAccount,
              selection: { issuance_id: bundle.issuance_id },
              certificate_quantity: p.quantity,
              partial: p.partial,
              first_period_start: first.toISOString(),
              period_unit: p.unit,
              period_quantity: p.every,
              ...(p.runs === undefined ? {} : { number_of_runs: p.runs }),
            },
          }),
          201,
        );
        for (const t of p.ticks) {
          s.clock.advance(Math.round(t * period));
          await runAsLeader(s.db.database.kysely, standingOrdersJob, s.clock.now());
        }
        // The periods started by the last tick, as many as the order has.
        const sched = { first_period_start: first, period_unit: p.unit, period_quantity: p.every };
        let started = 0;
        while ((p.runs === undefined || started < p.runs) && periodStart(sched, started) <= s.clock.now()) started++;

        const runs = (
          await sql<{ sequence: number; period_start: Date; certificate_quantity: number; action_id: number | null }>`
            SELECT sequence, period_start, certificate_quantity, action_id FROM standing_order_runs
            WHERE order_id = ${o.id} ORDER BY sequence`.execute(s.db.database.kysely)
        ).rows;
        expect(runs.map((r) => r.sequence)).toEqual([...Array(started).keys()]);
        expect(runs.map((r) => r.period_start.getTime())).toEqual(
          [...Array(started).keys()].map((n) => periodStart(sched, n).getTime()),
        );
        const fulfilled = p.partial ? undefined : Math.min(started, Math.floor(p.wh / p.quantity));
        const moved = fulfilled === undefined ? Math.min(started * p.quantity, p.wh) : fulfilled * p.quantity;
        expect(runs.reduce((wh, r) => wh + r.certificate_quantity, 0)).toBe(moved);
        const actions = runs.flatMap((r) => (r.action_id === null ? [] : [r.action_id]));
        expect(new Set(actions).size).toBe(actions.length);
        // What the trader holds of the issuance is what the runs moved, in ranges that never overlap.
        const received = (
          await sql<{ start: number; end: number }>`
            SELECT certificate_bundle_id_range_start AS start, certificate_bundle_id_range_end AS end FROM bundles
            WHERE issuance_id = ${bundle.issuance_id} AND account_id = ${w.traderAccount}
            ORDER BY certificate_bundle_id_range_start`.execute(s.db.database.kysely)
        ).rows;
        expect(received.reduce((wh, b) => wh + b.end - b.start + 1, 0)).toBe(moved);
        received.forEach((b, k) => {
          if (k > 0) expect(b.start).toBeGreaterThan(received[k - 1]!.end);
        });
        await expectStatus(s.request('POST', `/api/standing-orders/${o.id}/end`, { token: w.producer.token }), 200);
      }),
      { numRuns: 30, seed: Number(process.env.FC_SEED ?? 20261202) },
    );
  });
});
