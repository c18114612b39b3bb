// A whole session run on random small worlds: the money adds up to the base unit, nobody pays more
// than their bid is worth to them or their max_payment, a higher bid never sees noisier data, a
// buyer does best bidding its value, refunds and reasons, determinism and order independence.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ENGINE_CONFIG,
  defaultGrid,
  type EngineBid,
  runSession,
  scoreForecasts,
  type SessionInput,
  type SessionOutcome,
} from '../../../src/market/engine/index.ts';
import { cellPoints, GAIN_QUANTA } from '../../../src/market/engine/mechanism.ts';
import { bid, gainFunc, informativeWorldSpec, SMALL, START, world, worldSpec } from './worlds.ts';

const Q = BigInt(GAIN_QUANTA);
const HOUR = 3_600_000;
const grid = defaultGrid();

const bidSpec = fc.record({
  price: fc.bigInt({ min: 0n, max: 12_000_000n }),
  max: fc.oneof(fc.bigInt({ min: 0n, max: 1_000_000n }), fc.constant(10n ** 15n)),
  gain: gainFunc,
  on: fc.oneof(
    { arbitrary: fc.constant('buyer'), weight: 4 },
    { arbitrary: fc.constantFrom('s0', 's1', 'nowhere'), weight: 1 },
  ),
});

function checkMoney(input: SessionInput, out: SessionOutcome) {
  let paid = 0n;
  let fees = 0n;
  out.bids.forEach((o, i) => {
    const b = input.bids[i]!;
    expect(o.bid).toBe(b.id);
    expect(o.payment).toBeGreaterThanOrEqual(0n);
    expect(o.payment).toBeLessThanOrEqual(b.maxPayment);
    expect(o.refund).toBe(b.maxPayment - o.payment);
    expect(o.effectivePrice).toBeLessThanOrEqual(b.bidPrice);
    // Individually rational: never more than the (lowered) bid times the gain served.
    const quanta = BigInt(Math.round(o.gain * GAIN_QUANTA));
    expect(o.payment * Q).toBeLessThanOrEqual(o.effectivePrice * quanta);
    expect(o.fee).toBe((o.payment * BigInt(SMALL.feeBasisPoints)) / 10_000n);
    const shared = o.shares.reduce((a, s) => a + s.revenue, 0n);
    if (o.payment > 0n) expect(shared).toBe(o.payment - o.fee);
    else expect(shared).toBe(0n);
    if (!o.ran) {
      expect(o.payment).toBe(0n);
      expect(o.refund).toBe(b.maxPayment);
      expect(o.reason).toMatch(/^(unknown_resource|history_too_short)$/);
    }
    for (const s of o.shares) expect(s.revenue).toBeGreaterThanOrEqual(0n);
    paid += o.payment;
    fees += o.fee;
  });
  // Budget balance, per session, to the base unit.
  expect(out.fee).toBe(fees);
  expect(out.revenues.reduce((a, r) => a + r.amount, 0n) + out.fee).toBe(paid);
}

describe('a session', () => {
  it('balances to the base unit and charges nobody more than bid × gain or max_payment', () => {
    const seen = { paid: 0, lowered: 0, refused: 0, noisy: 0 };
    fc.assert(
      fc.property(
        fc.oneof(worldSpec, informativeWorldSpec),
        fc.array(bidSpec, { minLength: 1, maxLength: 4 }),
        (spec, specs) => {
          const resources = world(spec);
          const ids = new Set(resources.map((r) => r.id));
          const bids: EngineBid[] = specs.map((b, i) => ({
            id: `bid-${i}`,
            user: b.on === 'buyer' ? 'b' : b.on === 'nowhere' ? 'x' : `u${b.on.slice(1)}`,
            resource: ids.has(b.on) ? b.on : 'nowhere',
            bidPrice: b.price,
            maxPayment: b.max,
            gainFunc: b.gain,
          }));
          const input: SessionInput = {
            seed: spec.seed,
            start: START,
            hours: spec.hours,
            resources,
            bids,
            grid,
            config: SMALL,
          };
          const out = runSession(input);
          checkMoney(input, out);
          out.bids.forEach((o, i) => {
            if (o.payment > 0n) seen.paid++;
            if (o.ran && o.effectivePrice < bids[i]!.bidPrice) seen.lowered++;
            if (!o.ran) seen.refused++;
            if (o.ran && o.noise > 0) seen.noisy++;
          });
          for (const o of out.bids) {
            if (!o.ran) continue;
            expect(o.forecasts.length).toBe(SMALL.horizon);
            o.forecasts.forEach((f, h) => {
              expect(f.datetime.getTime()).toBe(START.getTime() + (spec.hours + h) * HOUR);
              expect(f.q10).toBeLessThanOrEqual(f.q50);
              expect(f.q50).toBeLessThanOrEqual(f.q90);
            });
            expect(o.noise).toBeGreaterThanOrEqual(0);
            expect(o.noise).toBeLessThanOrEqual(1);
          }
          expect(grid.prices).toContain(out.nextPrice);
          expect(out.nextWeights.length).toBe(grid.prices.length);
        },
      ),
      { numRuns: 40 },
    );
    // The random sessions did pay, lower bids to fit max_payment, refuse bids and add noise.
    expect(
      Object.values(seen).every((n) => n > 0),
      JSON.stringify(seen),
    ).toBe(true);
  });

  it('never serves a higher bid noisier data, and a buyer does best bidding its value (on the grid)', () => {
    fc.assert(
      fc.property(informativeWorldSpec, gainFunc, fc.constantFrom(...grid.prices), (spec, gain, price) => {
        const resources = world(spec);
        const points = [...cellPoints(price, grid.prices), price + 500_000n];
        const bids = points.map((p, i) => bid(`at-${i}`, p, 10n ** 15n, gain));
        const input: SessionInput = {
          seed: spec.seed,
          start: START,
          hours: spec.hours,
          resources,
          bids,
          grid: { ...grid, marketPrice: price },
          config: SMALL,
        };
        const out = runSession(input);
        checkMoney(input, out);
        fc.pre(out.bids[0]!.ran);
        const quanta = out.bids.map((o) => BigInt(Math.round(o.gain * GAIN_QUANTA)));
        for (let i = 1; i < points.length; i++) {
          expect(out.bids[i]!.noise).toBeLessThanOrEqual(out.bids[i - 1]!.noise);
          expect(quanta[i]!).toBeGreaterThanOrEqual(quanta[i - 1]!);
          expect(out.bids[i]!.payment).toBeGreaterThanOrEqual(out.bids[i - 1]!.payment);
        }
        expect(out.bids[points.length - 2]!.noise).toBe(0); // at the market price: clean
        // Utility v·g(b) − payment(b), in base units × 10⁴: highest at b = v, exactly.
        const better: string[] = [];
        points.forEach((v, i) => {
          const truthful = v * quanta[i]! - out.bids[i]!.payment * Q;
          points.forEach((b, j) => {
            if (v * quanta[j]! - out.bids[j]!.payment * Q > truthful) better.push(`value ${v}, bid ${b}`);
          });
        });
        expect(better).toEqual([]);
      }),
      { numRuns: 12 },
    );
  });

  it('is deterministic and does not depend on the order of resources or bids', () => {
    fc.assert(
      fc.property(worldSpec, fc.array(bidSpec, { minLength: 2, maxLength: 3 }), fc.integer(), (spec, specs, shift) => {
        fc.pre(spec.weights.length > 0);
        const resources = world(spec);
        const bids = specs.map((b, i) => ({ ...bid(`bid-${i}`, b.price, b.max, b.gain), id: `bid-${i}` }));
        const input: SessionInput = {
          seed: spec.seed,
          start: START,
          hours: spec.hours,
          resources,
          bids,
          grid,
          config: SMALL,
        };
        const rotate = <T>(xs: T[]) => xs.map((_, i) => xs[(i + Math.abs(shift)) % xs.length]!);
        const a = runSession(input);
        const b = runSession({ ...input, resources: rotate(resources), bids: [...bids].reverse() });
        expect(runSession(input)).toEqual(a);
        const byId = (o: SessionOutcome) => new Map(o.bids.map((x) => [x.bid, { ...x, shares: sortShares(x.shares) }]));
        const sortShares = <T extends { resource: string }>(xs: T[]) =>
          [...xs].sort((p, q) => p.resource.localeCompare(q.resource));
        expect(byId(b)).toEqual(byId(a));
        expect(b.revenues).toEqual(a.revenues);
        expect(b.nextPrice).toBe(a.nextPrice);
        expect(b.nextWeights).toEqual(a.nextWeights);
      }),
      { numRuns: 15 },
    );
  });

  it('refunds in full, with the reason, a buyer with too little history or no such resource', () => {
    const resources = world({ seed: 1, hours: 400, weights: [1], noise: 0.2, missing: 0 });
    const young = Float64Array.from(resources[0]!.values, (v, t) => (t < 300 ? Number.NaN : v));
    const out = runSession({
      seed: 1,
      start: START,
      hours: 400,
      resources: [{ ...resources[0]!, values: young }, resources[1]!],
      bids: [bid('young', 5_000_000n, 7_000_000n), { ...bid('ghost', 5_000_000n, 3n), resource: 'ghost' }],
      grid,
      config: SMALL,
    });
    expect(out.bids.map((o) => [o.bid, o.ran, o.reason, o.payment, o.refund])).toEqual([
      ['young', false, 'history_too_short', 0n, 7_000_000n],
      ['ghost', false, 'unknown_resource', 0n, 3n],
    ]);
    // Nothing ran: the grid carries over.
    expect(out.nextPrice).toBe(grid.marketPrice);
    expect(out.nextWeights).toEqual(grid.weights);
    expect(out.fee).toBe(0n);
    expect(out.revenues).toEqual([]);
  });

  it('never sells a buyer its own data, even when the bid names another user', () => {
    const resources = world({ seed: 4, hours: 400, weights: [1], noise: 0.2, missing: 0 });
    const out = runSession({
      seed: 1,
      start: START,
      hours: 400,
      resources,
      bids: [{ ...bid('b', 9_000_000n, 10n ** 12n), user: 'someone else' }],
      grid,
      config: SMALL,
    });
    expect(out.bids[0]!.shares.map((s) => s.resource)).toEqual(['s0']);
  });

  it('uses only the last historyHours of history, and reports what it filled', () => {
    const resources = world({ seed: 2, hours: 500, weights: [1, 0.5], noise: 0.2, missing: 0.05 });
    const config = { ...SMALL, historyHours: 400 };
    const recent = runSession({
      seed: 3,
      start: START,
      hours: 500,
      resources,
      bids: [bid('b', 9_000_000n, 10n ** 12n)],
      grid,
      config,
    });
    const cut = resources.map((r) => ({ ...r, values: r.values.slice(100) }));
    const start = new Date(START.getTime() + 100 * HOUR);
    const alone = runSession({
      seed: 3,
      start,
      hours: 400,
      resources: cut,
      bids: [bid('b', 9_000_000n, 10n ** 12n)],
      grid,
      config,
    });
    expect(alone).toEqual(recent);
    const filled = recent.filled.find((f) => f.resource === 'buyer')!;
    expect(filled.backFilled + filled.meanFilled).toBeGreaterThan(0);
    expect(recent.bids[0]!.filledHours).toBe(filled.backFilled + filled.meanFilled);
  });

  it('refuses inputs no caller should build', () => {
    const resources = world({ seed: 1, hours: 300, weights: [1], noise: 0.2, missing: 0 });
    const ok: SessionInput = { seed: 1, start: START, hours: 300, resources, bids: [], grid, config: SMALL };
    expect(() => runSession(ok)).not.toThrow();
    for (const bad of [
      { ...ok, seed: -1 },
      { ...ok, hours: 299 },
      { ...ok, resources: [...resources, resources[0]!] },
      { ...ok, bids: [bid('b', -1n, 1n)] },
      { ...ok, bids: [bid('b', 1n, 1n), bid('b', 1n, 1n)] },
      { ...ok, grid: { ...grid, prices: [...grid.prices].reverse() } },
      { ...ok, grid: { ...grid, weights: [1] } },
      { ...ok, config: { ...SMALL, ridgeAlpha: 0 } },
      { ...ok, config: { ...SMALL, exactShapleyUpTo: 21 } },
    ]) {
      expect(() => runSession(bad)).toThrow(RangeError);
    }
    expect(DEFAULT_ENGINE_CONFIG).toMatchObject({ feeBasisPoints: 500, horizon: 24, testHours: 336, minHistory: 720 });
  });
});

describe('scoreForecasts', () => {
  it('scores q50 by RMSE and q10/q90 by pinball loss, over the hours measured', () => {
    const t = (h: number) => new Date(START.getTime() + h * HOUR);
    const forecasts = [
      { datetime: t(0), q10: 8, q50: 10, q90: 12 },
      { datetime: t(1), q10: 8, q50: 10, q90: 12 },
      { datetime: t(2), q10: 8, q50: 10, q90: 12 },
    ];
    const score = scoreForecasts(forecasts, [
      { datetime: t(0), value: 13 },
      { datetime: t(1), value: 6 },
    ]);
    // q50 errors 3 and −4: RMSE √12.5. q10: 0.1·5 and 0.9·2 → (0.5 + 1.8)/2. q90: 0.9·1 and 0.1·6 → (0.9 + 0.6)/2.
    expect(score.hours).toBe(2);
    expect(score.rmse).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(score.pinball10).toBeCloseTo(1.15, 12);
    expect(score.pinball90).toBeCloseTo(0.75, 12);
    expect(scoreForecasts(forecasts, []).hours).toBe(0);
  });
});
