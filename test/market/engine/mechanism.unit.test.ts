// The payment rule and the money on their own, with arbitrary gain curves (monotone or not):
// truthful on the grid to the base unit, individually rational, monotone, capped; the price
// update; largest-remainder splits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultGrid, makeGrid } from '../../../src/market/engine/index.ts';
import {
  cellPoints,
  ceilToGrid,
  GAIN_QUANTA,
  nextPrice,
  schedule,
  settle,
} from '../../../src/market/engine/mechanism.ts';
import { apportionBig, feeOf, shareWeights } from '../../../src/market/engine/money.ts';

const Q = BigInt(GAIN_QUANTA);
const grid = defaultGrid();

/** A gain curve over noise levels: mostly decreasing with the noise, with the odd bump (as finite data gives). */
const gainCurve = fc
  .record({
    top: fc.double({ min: 0, max: 40, noNaN: true }),
    power: fc.double({ min: 0.2, max: 4, noNaN: true }),
    bumps: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 8, maxLength: 8 }),
  })
  .map(({ top, power, bumps }) => (ratio: number) => {
    const bump = bumps[Math.min(7, Math.floor(ratio * 8))]!;
    return Math.max(0, top * (1 - ratio) ** power + bump);
  });

const marketPrice = fc.constantFrom(...grid.prices);

describe('the payment schedule', () => {
  it('is truthful to the base unit on the grid: a buyer with value v per unit of gain does best bidding v', () => {
    fc.assert(
      fc.property(gainCurve, marketPrice, (g, p) => {
        const bids = [...cellPoints(p, grid.prices), p + 1_000_000n];
        const outcomes = bids.map((b) => settle(schedule(p, grid.prices, b, g), b, 10n ** 15n));
        // Pairs (value, bid) where bidding other than the value paid off; none.
        const better: string[] = [];
        bids.forEach((v, i) => {
          const best = v * BigInt(outcomes[i]!.gainQuanta) - outcomes[i]!.payment * Q;
          bids.forEach((b, j) => {
            const o = outcomes[j]!;
            if (v * BigInt(o.gainQuanta) - o.payment * Q > best) better.push(`value ${v}, bid ${b}`);
          });
        });
        expect(better).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('serves a higher bid no noisier data and no smaller gain, and charges it no less', () => {
    fc.assert(
      fc.property(gainCurve, marketPrice, fc.bigInt({ min: 0n, max: 12_000_000n }), (g, p, top) => {
        const s = schedule(p, grid.prices, top, g);
        for (let j = 1; j < s.points.length; j++) {
          expect(s.gains[j]!).toBeGreaterThanOrEqual(s.gains[j - 1]!);
          expect(s.ratios[s.served[j]!]!).toBeLessThanOrEqual(s.ratios[s.served[j - 1]!]!);
          expect(s.payments[j]!).toBeGreaterThanOrEqual(s.payments[j - 1]!);
        }
        // The gain served is the gain of the data served.
        s.gains.forEach((q, j) => {
          expect(q).toBe(Math.floor(s.raw[s.served[j]!]! * GAIN_QUANTA));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('charges at most bid × gain and max_payment, lowering the bid one cell at a time', () => {
    fc.assert(
      fc.property(
        gainCurve,
        marketPrice,
        fc.bigInt({ min: 0n, max: 12_000_000n }),
        fc.bigInt({ min: 0n, max: 400_000_000n }),
        (g, p, b, max) => {
          const s = schedule(p, grid.prices, b, g);
          const o = settle(s, b, max);
          expect(o.payment).toBeGreaterThanOrEqual(0n);
          expect(o.payment).toBeLessThanOrEqual(max);
          expect(o.payment * Q).toBeLessThanOrEqual(o.effectivePrice * BigInt(o.gainQuanta));
          expect(o.payment * Q).toBeLessThanOrEqual(b * BigInt(o.gainQuanta));
          expect(o.effectivePrice).toBeLessThanOrEqual(b);
          // The cell above the one settled would have cost more than max_payment.
          if (o.cell < s.cell) expect(s.payments[o.cell + 1]!).toBeGreaterThan(max);
          else expect(o.effectivePrice).toBe(b);
          // A bid at or above the market price sees clean data, unless lowered.
          if (b >= p && o.cell === s.cell) expect(o.ratio).toBe(0);
          // A bid never sees more noise than its price says.
          expect(o.ratio).toBeLessThanOrEqual(Number(p - s.points[o.cell]!) / Number(p));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is Myerson’s b·g(b) − ∫₀ᵇ g over the cells, each increment rounded down', () => {
    // Gains 1, 3, 3, 6 percentage points at 0, 1, 2, 3 M with the market price at 3 M.
    const prices = [1_000_000n, 2_000_000n, 3_000_000n, 4_000_000n];
    const gains = new Map([
      [1, 1],
      [2 / 3, 3],
      [1 / 3, 3],
      [0, 6],
    ]);
    const s = schedule(3_000_000n, prices, 4_000_000n, (r) => gains.get(r)!);
    expect(s.points).toEqual([0n, 1_000_000n, 2_000_000n, 3_000_000n]);
    // b = 3 M: 3 M × 6 − (1 × 1 M + 3 × 1 M + 3 × 1 M) = 11 M.
    expect(s.payments).toEqual([0n, 2_000_000n, 2_000_000n, 11_000_000n]);
    expect(settle(s, 4_000_000n, 10n ** 12n)).toMatchObject({ payment: 11_000_000n, effectivePrice: 4_000_000n });
    expect(settle(s, 4_000_000n, 10_000_000n)).toMatchObject({ payment: 2_000_000n, effectivePrice: 2_000_000n });
    expect(settle(s, 4_000_000n, 1n)).toMatchObject({ payment: 0n, effectivePrice: 0n, ratio: 1 });
  });
});

describe('the price grid and its update', () => {
  it('starts as DSBI: 20 prices from 0.5 to 10 M, equal weights, price 5.5 M', () => {
    const g = defaultGrid();
    expect(g.prices.length).toBe(20);
    expect(g.prices[0]).toBe(500_000n);
    expect(g.prices[19]).toBe(10_000_000n);
    expect(g.prices.every((p, i) => p === 500_000n * BigInt(i + 1))).toBe(true);
    expect(g.weights).toEqual(new Array(20).fill(1));
    expect(g.marketPrice).toBe(5_500_000n);
    expect(g.delta).toBe(0.05);
    expect(makeGrid(100n, 200n, 3, 0.1).prices).toEqual([100n, 150n, 200n]);
    expect(() => makeGrid(100n, 100n, 3, 0.1)).toThrow(RangeError);
  });

  it('rounds the weighted mean up to the grid', () => {
    expect(ceilToGrid(5_250_000, grid.prices)).toBe(5_500_000n);
    expect(ceilToGrid(5_500_000, grid.prices)).toBe(5_500_000n);
    expect(ceilToGrid(1, grid.prices)).toBe(500_000n);
    expect(ceilToGrid(11_000_000, grid.prices)).toBe(10_000_000n);
  });

  it('carries the grid over without bids, and otherwise weighs up the prices that would have earned more', () => {
    expect(nextPrice(grid, [])).toEqual({ price: grid.marketPrice, weights: grid.weights });
    // A bid that pays more the higher the price: the weights rise with the price, and so does the price.
    const bids = Array.from({ length: 10 }, () => ({
      bid: 10_000_000n,
      maxPayment: 10n ** 12n,
      gainAt: (r: number) => 10 * (1 - r),
    }));
    const rising = nextPrice(grid, bids);
    expect(rising.weights.reduce((a, w) => a + w, 0)).toBeCloseTo(20, 9);
    for (let i = 1; i < 20; i++) expect(rising.weights[i]!).toBeGreaterThan(rising.weights[i - 1]!);
    expect(rising.price).toBeGreaterThan(grid.marketPrice);
    // No gain at any price: no revenue, the weights stay equal.
    const flat = nextPrice(grid, [{ bid: 10_000_000n, maxPayment: 10n ** 12n, gainAt: () => 0 }]);
    expect(flat.weights.every((w) => Math.abs(w - 1) < 1e-12)).toBe(true);
    expect(flat.price).toBe(5_500_000n);
  });
});

describe('money', () => {
  it('splits exactly, in proportion to within one unit, ties to the earlier share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 12 }),
        (total, weights) => {
          const parts = apportionBig(total, weights);
          const sum = weights.reduce((a, w) => a + w, 0n);
          if (sum === 0n) {
            expect(parts.every((p) => p === 0n)).toBe(true);
            return;
          }
          expect(parts.reduce((a, p) => a + p, 0n)).toBe(total);
          parts.forEach((p, i) => {
            const exact = weights[i]! * total;
            expect(p * sum <= exact + sum && p * sum >= exact - sum).toBe(true);
            if (weights[i] === 0n) expect(p).toBe(0n);
          });
        },
      ),
    );
    expect(apportionBig(5n, [1n, 1n])).toEqual([3n, 2n]);
    expect(apportionBig(10n, [0n, 0n])).toEqual([0n, 0n]);
    expect(shareWeights([0.5, 0, -1, Number.NaN])).toEqual([500_000_000_000n, 0n, 0n, 0n]);
  });

  it('takes the fee in basis points, rounded down', () => {
    expect(feeOf(1_999n, 500)).toBe(99n);
    expect(feeOf(2_000n, 500)).toBe(100n);
    expect(feeOf(0n, 500)).toBe(0n);
  });
});
